"""Passkeys (WebAuthn) through Flask-Security-Too, bound to one domain.

A passkey belongs to a relying party id, a domain; Flask-Security takes it from the
request's Host. Requests may name several hosts (EXTERNAL_URL's and TRUSTED_HOSTS), and a
passkey made at one would not work at another, so every ceremony starts only at WAN_RP_ID
(EXTERNAL_URL's host, or localhost for a loopback address, since browsers refuse IP
addresses); elsewhere the person is told where passkeys work.

Flask-Security 5.9 checks an assertion against the passkey's owner but, as the second
factor, not that the owner is the account whose password was just given: the form below
refuses a passkey of any other account.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_security import WebauthnUtil, current_user
from flask_security.webauthn import WebAuthnSigninResponseForm

from app.config import N_
from app.errors import PasskeysElsewhere


def passkey_origin() -> str:
    """The address passkeys work at: this request's scheme and port on WAN_RP_ID."""
    port = urlsplit(request.host_url).port
    return f"{request.scheme}://{current_app.config['WAN_RP_ID']}" + (f":{port}" if port else "")


def require_passkey_host() -> None:
    """PasskeysElsewhere unless this request is addressed to WAN_RP_ID."""
    rp_id = current_app.config["WAN_RP_ID"]
    if urlsplit(request.host_url).hostname != rp_id:
        raise PasskeysElsewhere(
            _(
                "Passkeys belong to %(host)s: open %(origin)s to set one up or sign in with one.",
                host=rp_id,
                origin=passkey_origin(),
            )
        )


class SitePasskeys(WebauthnUtil):
    """Flask-Security's WebAuthn hooks: refuse a ceremony at any other host name, and let
    any authenticator hold a passkey."""

    def authenticator_selection(self, user: Any, usage: str) -> Any:
        # Flask-Security asks for a roaming security key when a passkey is to sign in
        # alone; the screen lock of the phone or laptop in hand does as well.
        criteria = super().authenticator_selection(user, usage)
        criteria.authenticator_attachment = None
        return criteria

    def registration_options(
        self, user: Any, usage: str, existing_options: dict[str, Any]
    ) -> dict[str, Any]:
        require_passkey_host()
        return super().registration_options(user, usage, existing_options)

    def authentication_options(
        self, user: Any, usage: list[str], existing_options: dict[str, Any]
    ) -> dict[str, Any]:
        require_passkey_host()
        return super().authentication_options(user, usage, existing_options)


OTHER_ACCOUNT = N_("That passkey belongs to another account: use one of your own passkeys.")


class OwnPasskeyForm(WebAuthnSigninResponseForm):
    """Flask-Security's passkey answer form, refusing another account's passkey as the
    second factor (after the password) and when confirming who is signed in."""

    def validate(self, **kwargs: Any) -> bool:
        if not super().validate(**kwargs):
            return False
        if self.is_secondary:
            expected = session.get("tf_user_id")
        elif self.is_verify:
            expected = current_user.fs_uniquifier
        else:
            return True
        if self.user.fs_uniquifier != expected:
            self.credential.errors.append(_(OTHER_ACCOUNT))
            return False
        return True
