"""Which account a sign-in through GitHub, Google or OpenID Connect opens.

The provider vouches for an email address. A verified address that belongs to an account
opens that account; an unknown one makes a new account when registration is open. Anything
else is refused with the reason (:class:`~app.errors.SignInRefused`) and nothing is stored.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_security.utils import get_message

from app.accounts.datastore import normalise_identity
from app.accounts.models import User
from app.accounts.services import create_user
from app.errors import SignInRefused

USERNAME_MIN, USERNAME_MAX = 4, 32
NAME_MAX = 80


@dataclass(frozen=True)
class ExternalIdentity:
    """What a provider says about the person signing in."""

    provider: str  # as the login page names it: GitHub, Google, OIDC_NAME
    email: str | None
    email_verified: bool
    username: str | None = None  # preferred_username, or the GitHub login
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None


def account_for(identity: ExternalIdentity) -> User:
    """The account ``identity`` signs in to, made now if it is new and registration is
    open. An inactive account is returned as it is: Flask-Security refuses it as the login
    form does. SignInRefused for an unverified email, an account not activated yet, or an
    unknown email while registration is closed."""
    email = normalise_identity(identity.email)
    if not email or not identity.email_verified:
        raise SignInRefused(
            f"{identity.provider} has not verified the email address of your account"
            f"{f' ({email})' if email else ''}, so it cannot sign you in here. Verify the "
            f"address with {identity.provider}, then sign in again."
        )
    user = User.objects(email=email).first()
    if user is not None:
        if user.active and user.confirmed_at is None:
            # Whoever registered the address here has not proved they own it: opening
            # their account for the provider's user would hand it to whoever set its password.
            raise SignInRefused(get_message("CONFIRMATION_REQUIRED")[0])
        return user
    if not current_app.config["SECURITY_REGISTERABLE"]:
        raise SignInRefused(
            f"No account here uses {email}, and new accounts are made by an administrator. "
            f"Ask one for an account with this address, then sign in with "
            f"{identity.provider} again."
        )
    return _register(identity, email)


def _register(identity: ExternalIdentity, email: str) -> User:
    """A new account, confirmed (the provider verified the address), with the default
    role, made by the same rules as registration. Its password is random and never shown:
    the member can set one with Forgot your password."""
    username = free_username(identity.username, email.partition("@")[0])
    first_name, last_name = _names(identity, username)
    return create_user(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        password=secrets.token_urlsafe(32),
        roles=[],
        confirmed=True,
    )


def _names(identity: ExternalIdentity, username: str) -> tuple[str, str]:
    """First and last name from the provider's claims; what is missing is the username."""
    words = (identity.full_name or "").split()
    first = identity.first_name or (words[0] if words else "") or username
    last = identity.last_name or " ".join(words[1:]) or username
    return first.strip()[:NAME_MAX], last.strip()[:NAME_MAX]


def username_stem(hint: str | None) -> str:
    """``hint`` as a username: letters and digits only, lower-case, 4 to 32 of them
    (``ann.lee-2`` becomes ``annlee2``); empty when ``hint`` has none."""
    kept = "".join(
        char
        for char in unicodedata.normalize("NFKD", hint or "")
        if unicodedata.category(char)[0] in "LN"
    ).lower()
    if kept and len(kept) < USERNAME_MIN:
        kept = kept + "0" * (USERNAME_MIN - len(kept))
    return kept[:USERNAME_MAX]


def free_username(*hints: str | None) -> str:
    """A username nobody has, from the first hint that gives one (``ann``, then
    ``ann2``, ``ann3``, ...)."""
    stem = next((found for hint in hints if (found := username_stem(hint))), "member")
    for number in range(1, 100):
        suffix = "" if number == 1 else str(number)
        candidate = stem[: USERNAME_MAX - len(suffix)] + suffix
        if User.objects(username=candidate).first() is None:
            return candidate
    return stem[: USERNAME_MAX - 8] + str(secrets.randbelow(10**8)).zfill(8)
