"""Sign in with GitHub, Google or an OpenID Connect provider.

Flask-Security runs the flow (``SECURITY_OAUTH_ENABLE``): the login page's button posts to
``/login/oauthstart/<name>``, which sends the browser to the provider; the provider sends
it back to ``/login/oauthresponse/<name>``, where Authlib checks the state and fetches the
token, and Flask-Security logs the account in (refusing an inactive one as its login form
does). What it lacks is here: each provider is registered with our settings' client
credentials and says who signed in as an :class:`ExternalIdentity`, whose account
:func:`~app.accounts.oauth_accounts.account_for` finds, links or makes; a failed handshake
(state mismatch, consent denied) is an error page saying so instead of a flash, and a
provider that cannot be reached or answers wrongly is a 502 page instead of a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_security import Security
from flask_security.oauth_provider import (
    FsOAuthProvider,
    GitHubFsOauthProvider,
    GoogleFsOauthProvider,
)
from joserfc.errors import JoseError
from requests import RequestException

from app.accounts.oauth_accounts import ExternalIdentity, account_for
from app.errors import SignInFailed, SignInProviderFailed

log = logging.getLogger(__name__)

#: Seconds to wait for a provider's answer (its metadata, token and profile requests).
PROVIDER_TIMEOUT_SECONDS = 10


@contextmanager
def provider_answers(name: str) -> Iterator[None]:
    """SignInProviderFailed when provider ``name`` cannot be reached or its answer cannot
    be used (a bad status, a token that does not verify)."""
    try:
        yield
    except (RequestException, JoseError, ValueError, KeyError) as error:
        label = current_app.extensions["security"].oauthglue.providers[name].label
        log.warning("sign-in with %s failed: %r", label, error)
        raise SignInProviderFailed(
            _(
                "%(provider)s could not be reached or sent an answer that cannot be used, so "
                "you are not signed in. Try again in a moment.",
                provider=label,
            )
        ) from error


class ProviderClient(FlaskOAuth2App):
    """Authlib's Flask client; a provider that fails is an error page, not a 500."""

    def authorize_redirect(self, redirect_uri: str | None = None, **kwargs: Any):
        with provider_answers(self.name):
            return super().authorize_redirect(redirect_uri, **kwargs)

    def authorize_access_token(self, **kwargs: Any):
        with provider_answers(self.name):
            return super().authorize_access_token(**kwargs)


class SignInProvider(FsOAuthProvider):
    """A provider registered with our client credentials, whose sign-in opens the account
    :func:`account_for` picks. ``label`` is its name on the login page."""

    def __init__(self, name: str, label: str, client_id: str, client_secret: str) -> None:
        super().__init__(name)
        self.label = label
        self._credentials = {"client_id": client_id, "client_secret": client_secret}

    def authlib_config(self) -> dict[str, Any]:
        config = {**super().authlib_config(), **self._credentials, "client_cls": ProviderClient}
        config["client_kwargs"] = {
            **(config.get("client_kwargs") or {}),
            "default_timeout": PROVIDER_TIMEOUT_SECONDS,
        }
        return config

    def identity(self, oauth: Any, token: dict[str, Any]) -> ExternalIdentity:
        """Who signed in, from the token (and the provider's API where needed)."""
        raise NotImplementedError

    def fetch_identity_cb(self, oauth: Any, token: dict[str, Any]) -> tuple[str, Any]:
        with provider_answers(self.name):
            identity = self.identity(oauth, token)
        return "email", account_for(identity).email

    def oauth_response_failure(self, error_view: str, e: OAuthError):
        raise SignInFailed(handshake_failure(self.label, e))


def handshake_failure(label: str, error: OAuthError) -> str:
    """What went wrong, for the error page."""
    if error.error == "access_denied":
        return _(
            "You did not let %(provider)s share your account with this site, so you are not "
            "signed in.",
            provider=label,
        )
    if error.error == "mismatching_state":
        return _(
            "This answer from %(provider)s does not belong to a sign-in started in this "
            "browser (it was already used, is too old, or was started elsewhere). Start again "
            "from the login page.",
            provider=label,
        )
    reason = ": ".join(part for part in (error.error, error.description) if part)
    return _(
        "%(provider)s could not sign you in (%(reason)s).",
        provider=label,
        reason=reason or _("no reason given"),
    )


def openid_identity(label: str, provider: str, claims: Mapping[str, Any]) -> ExternalIdentity:
    """An :class:`ExternalIdentity` from OpenID Connect claims (the ID token's or
    userinfo's) of ``provider`` (google, or the issuer URL)."""
    return ExternalIdentity(
        label=label,
        provider=provider,
        subject=str(claims["sub"]),
        email=claims.get("email"),
        # Some providers send the JSON string "true" instead of the boolean.
        email_verified=claims.get("email_verified") is True
        or claims.get("email_verified") == "true",
        username=claims.get("preferred_username"),
        first_name=claims.get("given_name"),
        last_name=claims.get("family_name"),
        full_name=claims.get("name"),
    )


class GitHubProvider(SignInProvider, GitHubFsOauthProvider):
    """Flask-Security's GitHub provider, trusting only the primary email GitHub has
    verified (the profile's public email may be any address)."""

    def identity(self, oauth: Any, token: dict[str, Any]) -> ExternalIdentity:
        profile = github_api(oauth, "user", token)
        emails = github_api(oauth, "user/emails", token)
        primary = next((entry for entry in emails if entry.get("primary")), {})
        return ExternalIdentity(
            label=self.label,
            provider=self.name,
            subject=str(profile["id"]),
            email=primary.get("email"),
            email_verified=primary.get("verified") is True,
            username=profile.get("login"),
            full_name=profile.get("name"),
        )


def github_api(oauth: Any, path: str, token: dict[str, Any]) -> Any:
    """The JSON GitHub's API answers at ``path`` for the signed-in member."""
    response = oauth.github.get(path, token=token)
    response.raise_for_status()
    return response.json()


class GoogleProvider(SignInProvider, GoogleFsOauthProvider):
    """Flask-Security's Google provider (OpenID Connect, claims in the ID token)."""

    def identity(self, oauth: Any, token: dict[str, Any]) -> ExternalIdentity:
        return openid_identity(self.label, self.name, token["userinfo"])


class OpenIDConnectProvider(SignInProvider):
    """Any OpenID Connect provider, configured from its issuer's discovery document."""

    def __init__(self, issuer: str, label: str, client_id: str, client_secret: str) -> None:
        super().__init__("oidc", label, client_id, client_secret)
        self.issuer = issuer.rstrip("/")

    def authlib_config(self) -> dict[str, Any]:
        return {
            **super().authlib_config(),
            "server_metadata_url": f"{self.issuer}/.well-known/openid-configuration",
            "client_kwargs": {
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "default_timeout": PROVIDER_TIMEOUT_SECONDS,
            },
        }

    def identity(self, oauth: Any, token: dict[str, Any]) -> ExternalIdentity:
        claims = dict(token.get("userinfo") or {})
        if "email" not in claims:  # a provider may keep it out of the ID token
            userinfo = oauth.oidc.userinfo(token=token)
            if claims and userinfo.get("sub") != claims["sub"]:
                raise ValueError("the userinfo endpoint answered for another subject")
            claims.update(userinfo)
        return openid_identity(self.label, self.issuer, claims)


PROVIDERS: dict[str, Callable[[Mapping[str, Any]], SignInProvider]] = {
    "github": lambda config: GitHubProvider(
        "github", "GitHub", config["OAUTH_GITHUB_CLIENT_ID"], config["OAUTH_GITHUB_CLIENT_SECRET"]
    ),
    "google": lambda config: GoogleProvider(
        "google", "Google", config["OAUTH_GOOGLE_CLIENT_ID"], config["OAUTH_GOOGLE_CLIENT_SECRET"]
    ),
    "oidc": lambda config: OpenIDConnectProvider(
        config["OIDC_ISSUER"],
        config["OIDC_NAME"],
        config["OIDC_CLIENT_ID"],
        config["OIDC_CLIENT_SECRET"],
    ),
}


def init_oauth(app: Flask, security: Security) -> None:
    """Register each provider whose settings are set (``OAUTH_PROVIDERS``); with none,
    Flask-Security has no OAuth views and the login page shows no button."""
    if security.oauthglue is None:
        return
    for name in app.config["OAUTH_PROVIDERS"]:
        security.oauthglue.register_provider_ext(PROVIDERS[name](app.config))
