"""Which account a sign-in through GitHub, Google or OpenID Connect opens.

The first sign-in of a provider's account goes by the email address the provider vouches
for: a verified address that belongs to an account links the provider's account to it
(an :class:`ExternalLogin`); an unknown one makes a new account, linked the same way, when
registration is open. Later sign-ins follow the link, whatever either address has become.
Anything else is refused with the reason (:class:`~app.errors.SignInRefused`) and nothing
is stored.
"""

from __future__ import annotations

import secrets
import unicodedata
from contextlib import suppress
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_security.utils import get_message
from mongoengine import CASCADE, DateTimeField, NotUniqueError, ReferenceField, StringField

from app.accounts.datastore import normalise_identity
from app.accounts.models import User, utcnow
from app.accounts.services import create_user
from app.database import Document
from app.errors import SignInRefused

USERNAME_MIN, USERNAME_MAX = 4, 32
NAME_MAX = 80


class ExternalLogin(Document):
    """A provider's account linked to one of ours: its sign-ins open ``user``."""

    #: github, google, or the OpenID Connect provider's issuer URL.
    provider = StringField(required=True, max_length=255)
    #: The provider's lasting id for the person (``sub``; GitHub's numeric user id).
    subject = StringField(required=True, max_length=255)
    user = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    created_at = DateTimeField(default=utcnow, required=True)

    meta = {
        "collection": "external_logins",
        "indexes": [{"fields": ["provider", "subject"], "unique": True}, "user"],
    }


@dataclass(frozen=True)
class ExternalIdentity:
    """What a provider says about the person signing in."""

    label: str  # the provider as the login page names it: GitHub, Google, OIDC_NAME
    provider: str  # github, google, or the OpenID Connect issuer URL
    subject: str
    email: str | None
    email_verified: bool
    username: str | None = None  # preferred_username, or the GitHub login
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None


def account_for(identity: ExternalIdentity) -> User:
    """The account ``identity`` signs in to: the one linked to it, else the one with its
    verified email (linked now), else a new one (linked) if registration is open. An
    inactive account is returned unlinked: Flask-Security refuses it as the login form
    does. SignInRefused for an unverified email, an account not activated yet, or an
    unknown email while registration is closed."""
    link = ExternalLogin.objects(provider=identity.provider, subject=identity.subject).first()
    if link is not None:
        _refuse_if_not_activated(link.user)
        return link.user
    email = normalise_identity(identity.email)
    if not email or not identity.email_verified:
        shown = f" ({email})" if email else ""
        raise SignInRefused(
            _(
                "%(provider)s has not verified the email address of your account%(email)s, so "
                "it cannot sign you in here. Verify the address with %(provider)s, then sign "
                "in again.",
                provider=identity.label,
                email=shown,
            )
        )
    user = User.objects(email=email).first()
    if user is None:
        if not current_app.config["SECURITY_REGISTERABLE"]:
            raise SignInRefused(
                _(
                    "No account here uses %(email)s, and new accounts are made by an "
                    "administrator. Ask one for an account with this address, then sign in "
                    "with %(provider)s again.",
                    email=email,
                    provider=identity.label,
                )
            )
        user = _register(identity, email)
    _refuse_if_not_activated(user)
    if user.active:
        _link(user, identity)
    return user


def _refuse_if_not_activated(user: User) -> None:
    if user.active and user.confirmed_at is None:
        # Whoever registered the address here has not proved they own it: opening their
        # account for the provider's user would hand it to whoever set its password.
        raise SignInRefused(get_message("CONFIRMATION_REQUIRED")[0])


def _link(user: User, identity: ExternalIdentity) -> None:
    # The same first sign-in twice at once: the other one linked it.
    with suppress(NotUniqueError):
        ExternalLogin(provider=identity.provider, subject=identity.subject, user=user).save()


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
