"""Second factors: who must have one, and codes that are good once.

Flask-Security-Too runs the flows (/tf-setup, /tf-validate, /mf-recovery-codes,
/mf-recovery, /wan-*). This module holds our rules on top of them:

* Members of TWO_FACTOR_REQUIRED_ROLES sign in with a second factor. Once the password is
  right, Flask-Security asks ``User.check_tf_required``; for such a user with none set up
  the answer is yes, so Flask-Security sends them to /tf-setup before logging them in.
  One signed in already without a second factor (a session or remembered login from
  before the role required one, or before the role was given) is held at /tf-setup by
  :func:`require_second_factor_setup` until one is set up.
* An authenticator code is accepted once. Flask-Security leaves replay protection to the
  application: passlib refuses a time step at or before the last one accepted, which is
  stored with the user and claimed atomically, so of two requests racing with one code,
  one wins.
* Recovery codes are shown once, when they are made, and each is claimed atomically too.
* /tf-rescue offers only what this site has: a recovery code. Flask-Security's "contact
  administrator" choice would mail a fixed address (SECURITY_TWO_FACTOR_RESCUE_MAIL) on
  behalf of anyone who knows a password; it is refused, and an admin resets second factors
  when asked through the site's usual contact.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_security import MfRecoveryCodesUtil, Totp, current_user, url_for_security
from flask_security.forms import TwoFactorRescueForm
from passlib.totp import TokenError
from wtforms import RadioField, ValidationError

from app.config import N_
from app.errors import problem, wants_json


class SecondFactorPolicy:
    """Mixed into the User document: Flask-Security's hooks for "is a second factor
    required", answered from TWO_FACTOR_REQUIRED_ROLES."""

    @property
    def second_factor_required(self) -> bool:
        required_roles = set(current_app.config["TWO_FACTOR_REQUIRED_ROLES"])
        return any(role.name in required_roles for role in self.roles)

    def check_tf_required(
        self, tf_setup_methods: list[tuple[str, str]], tf_fresh: bool
    ) -> tuple[bool, list[tuple[str, str]]]:
        required, methods = super().check_tf_required(tf_setup_methods, tf_fresh)
        if not required and self.second_factor_required:
            always = current_app.config["SECURITY_TWO_FACTOR_ALWAYS_VALIDATE"]
            required = always or not tf_fresh
        return required, methods

    def check_tf_required_setup(self) -> bool:
        """Whether /tf-setup may offer to turn the second factor off."""
        return super().check_tf_required_setup() or self.second_factor_required


def has_second_factor(user: Any) -> bool:
    """Whether ``user`` has an authenticator app or a passkey that stands as a second
    factor."""
    security = current_app.extensions["security"]
    return bool(security.two_factor_plugins.get_setup_tf_methods(user))


#: What a signed-in user who must still set up a second factor may reach: the setup
#: pages (with the password or passkey check they may ask for first) and logging out
#: (here, everywhere, or revoking API tokens).
SETUP_ENDPOINTS = frozenset(
    {
        "accounts.sign_out_everywhere",
        "api_auth.revoke_tokens",
        "security.two_factor_setup",
        "security.two_factor_setup_validate",
        "security.two_factor_token_validation",
        "security.wan_register",
        "security.wan_register_response",
        "security.verify",
        "security.wan_verify",
        "security.wan_verify_response",
        "security.logout",
    }
)
SETUP_NEEDED = N_(
    "Your role requires a second factor: set up an authenticator app or a passkey "
    "(/tf-setup) to go on."
)


def require_second_factor_setup() -> ResponseReturnValue | None:
    """Before every request: a signed-in member of TWO_FACTOR_REQUIRED_ROLES without a
    second factor is sent to /tf-setup (the API answers 403), whatever they asked for,
    except the setup pages, logging out and static files."""
    if not current_app.config["TWO_FACTOR_REQUIRED_ROLES"]:
        return None
    endpoint = request.endpoint or ""
    if endpoint in SETUP_ENDPOINTS or endpoint == "static" or endpoint.endswith(".static"):
        return None
    if not current_user.is_authenticated or not current_user.second_factor_required:
        return None
    if has_second_factor(current_user):
        return None
    if wants_json():
        return problem(403, _("Second factor required"), _(SETUP_NEEDED))
    flash(_(SETUP_NEEDED), "error")
    return redirect(url_for_security("two_factor_setup"))


class OnceOnlyTotp(Totp):
    """Flask-Security's TOTP helper, refusing a code whose time step was used already."""

    def verify_totp(self, token: str, totp_secret: str, user: Any, window: int = 0) -> bool:
        try:
            match = self._totp.verify(
                token, totp_secret, window=window, last_counter=user.tf_totp_last_step
            )
        except TokenError:  # wrong, malformed, or replayed (UsedTokenError)
            return False
        return claim_time_step(user, match.counter)


def claim_time_step(user: Any, step: int) -> bool:
    """Record ``step`` as the last one used by ``user``, unless it (or a later one) is
    recorded already: then the code was used, here or by a concurrent request."""
    if hasattr(user, "_get_current_object"):  # current_user, while setting up
        user = user._get_current_object()
    claimed = (
        type(user)
        .objects(__raw__={"_id": user.pk, "tf_totp_last_step": {"$not": {"$gte": step}}})
        .update_one(set__tf_totp_last_step=step)
    )
    if claimed:
        user._data["tf_totp_last_step"] = step  # stored already: no need to save it again
    return bool(claimed)


def token_refusal(user: Any, code: str | None) -> str | None:
    """Why ``user``, whose password was right, gets no API token with this authenticator
    ``code``; None when they may have one. The password is enough for an account without
    a second factor; one with an authenticator app adds its current code (good once, like
    at login); one whose second factor is only a passkey, or whose role requires a second
    factor it has not set up, cannot get a token with a password."""
    security = current_app.extensions["security"]
    if not has_second_factor(user) and not user.second_factor_required:
        return None
    if user.tf_primary_method != "authenticator":
        return _(
            "This account signs in with a second factor that the API cannot take: set up an "
            "authenticator app (Two-factor and passkeys) and send its code as `code`."
        )
    if not code:
        return _(
            "This account uses two-factor sign-in: send its authenticator app's code as `code`."
        )
    window = current_app.config["SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY"]
    if not security.totp_factory.verify_totp(code, user.tf_totp_secret, user, window=window):
        return _("That code is wrong or was used already: send the code the app shows now.")
    return None


def normalise_recovery_code(code: str) -> str:
    """Recovery codes as made (``1a2b-3c4d-5e6f``), whatever case or spacing was typed."""
    return "".join(code.split()).lower()


class OneTimeRecoveryCodes(MfRecoveryCodesUtil):
    """Recovery codes, shown only on the page that makes them, each usable once. They are
    only ever checked, never shown again, so they are stored as keyed hashes (HMAC-SHA256
    under keys derived from TWO_FACTOR_KEYS): a copy of the database without the keys
    gives nobody a code, not even by trying them all."""

    def get_recovery_codes(self, user: Any) -> list[str]:
        return []

    def _encrypt_codes(self, codes: list[str]) -> list[str]:
        """Flask-Security stores what this returns: the hashes, under the newest key."""
        newest = _recovery_code_keys()[0]
        return [_recovery_code_digest(code, newest) for code in codes]

    def check_recovery_code(self, user: Any, code: str) -> bool:
        """Use ``code``: remove it from ``user``'s codes, atomically; False if it is not
        one of them (any more). Codes hashed under an older key still count."""
        if hasattr(user, "_get_current_object"):
            user = user._get_current_object()
        candidates = {_recovery_code_digest(code, key) for key in _recovery_code_keys()}
        for stored in list(user.mf_recovery_codes or []):
            if stored in candidates:
                used = (
                    type(user)
                    .objects(id=user.pk, mf_recovery_codes=stored)
                    .update_one(pull__mf_recovery_codes=stored)
                )
                return bool(used)
        return False

    def delete_recovery_code(self, user: Any, code: str) -> bool:
        """Done by :meth:`check_recovery_code` already, in the same atomic step."""
        return True


def _recovery_code_keys() -> list[bytes]:
    """One hash key per TWO_FACTOR_KEYS entry (newest first), apart from the keys that
    encrypt the authenticator secrets."""
    return [
        hashlib.sha256(b"recovery-code-hash:" + key.encode()).digest()
        for key in current_app.config["TWO_FACTOR_KEYS"]
    ]


def _recovery_code_digest(code: str, key: bytes) -> str:
    digest = hmac.new(key, normalise_recovery_code(code).encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest}"


NO_RESCUE_CHOICE = N_(
    "Choose one of the ways offered: a recovery code. Without one, ask an administrator "
    "to reset your second factors."
)


class RescueChoice(RadioField):
    """The ways out offered on /tf-rescue; anything else is refused with what to do."""

    def pre_validate(self, form: Any) -> None:
        if self.data not in [value for value, *_label in self.choices]:
            raise ValidationError(_(NO_RESCUE_CHOICE))


class RescueForm(TwoFactorRescueForm):
    """Flask-Security's rescue form without its "contact administrator" choice (a mail
    to SECURITY_TWO_FACTOR_RESCUE_MAIL): Flask-Security adds the recovery code when the
    account has codes, and mailing a code when SECURITY_TWO_FACTOR_RESCUE_EMAIL is on."""

    help_setup = RescueChoice(_l("Lost your phone?"), choices=[])
