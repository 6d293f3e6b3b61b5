"""Helpers for tests of second factors: authenticator codes computed the way an app
computes them (from the key the setup page shows), and enrolment through the pages."""

from __future__ import annotations

import re
import time
from html import unescape

from passlib.totp import TOTP

from tests.helpers import csrf_token

STEP_SECONDS = 30


def shown_key(html: str) -> str:
    """The authenticator key the setup page shows as text (groups joined by dashes)."""
    match = re.search(r'data-testid="authenticator-key">([^<]+)<', html)
    assert match, "no authenticator key on the page"
    return unescape(match.group(1)).strip()


def authenticator_code(key: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app with ``key`` shows, ``steps_ahead`` time steps from
    now (codes within the accepted window are good once each, so a test that needs
    several takes them from successive steps)."""
    totp = TOTP(key=key.replace("-", ""), format="base32")
    return totp.generate(time.time() + steps_ahead * STEP_SECONDS).token


def code_form_action(html: str) -> str:
    """Where the setup page posts the first code."""
    match = re.search(r'action="([^"]+)" method="post" name="two_factor_verify_code_form"', html)
    assert match, "no code form on the page"
    return unescape(match.group(1))


def start_authenticator_setup(client) -> str:
    """Choose the authenticator app on /tf-setup; the page with the QR code and key."""
    token = csrf_token(client.get("/tf-setup").text)
    page = client.post("/tf-setup", data={"setup": "authenticator", "csrf_token": token})
    assert page.status_code == 200, page.text
    return page.text


def enrol_authenticator(client) -> str:
    """Turn the authenticator app on for the user logged in on ``client``; its key."""
    page = start_authenticator_setup(client)
    key = shown_key(page)
    done = client.post(
        code_form_action(page),
        data={"code": authenticator_code(key), "csrf_token": csrf_token(page)},
    )
    assert done.status_code == 302, done.text
    return key


def submit_code(client, code: str, *, path: str = "/tf-validate"):
    """Post ``code`` to the second step of logging in (or ``path``), following redirects."""
    token = csrf_token(client.get(path).text)
    return client.post(path, data={"code": code, "csrf_token": token}, follow_redirects=True)
