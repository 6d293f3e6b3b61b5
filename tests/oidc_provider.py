"""A real OpenID Connect provider for the sign-in tests: oidc-provider-mock, served on a
free loopback port in a thread of the test process.

It accepts any client ID and secret. The test picks who signs in by posting the subject to
the provider's authorization page (as a person fills its form), with the claims set
beforehand by :func:`set_claims`; :func:`deny` presses its Deny button.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import oidc_provider_mock
import requests

CLIENT_ID = "encore"
CLIENT_SECRET = "encore-secret"


@contextmanager
def running_provider() -> Iterator[str]:
    """Start the provider; yields its issuer URL. Authlib, serving it, refuses plain http
    unless AUTHLIB_INSECURE_TRANSPORT is set: set for as long as it runs."""
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous


def provider_settings(issuer: str, **overrides: object) -> dict[str, object]:
    """Settings for an app that offers sign-in with the provider at ``issuer``."""
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_NAME": "Example SSO",
        **overrides,
    }


def set_claims(issuer: str, subject: str, **claims: object) -> None:
    """What the provider says about ``subject`` when they sign in."""
    response = requests.put(f"{issuer}/users/{quote(subject)}", json=claims, timeout=10)
    assert response.status_code == 204, response.text


def authorize(authorization_url: str, subject: str) -> str:
    """Show the provider's authorization page, sign in there as ``subject``; the URL the
    provider sends the browser back to."""
    page = requests.get(authorization_url, timeout=10)
    assert page.status_code == 200, page.text
    assert "Authorize" in page.text
    answer = requests.post(
        authorization_url, data={"sub": subject}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def deny(authorization_url: str) -> str:
    """Press Deny on the provider's authorization page; where it sends the browser."""
    answer = requests.post(
        authorization_url, data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]
