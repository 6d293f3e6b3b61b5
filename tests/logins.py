"""Logging in: one helper for each surface the tests drive, each named ``log_in_<surface>``.

- :func:`log_in_client`: the Flask test client, through the login form.
- :func:`log_in_api`: the REST API, for a bearer token (:func:`bearer` makes the headers).
- :func:`log_in_http`: a running server (the live server, or nginx in front of one),
  with requests; the ``login(user)`` fixture is this against the live server.
- :func:`log_in_browser`: a Playwright page, through the login form.

Each takes a user or an identity (email or username) and TEST_PASSWORD unless told, and
fails the test if the login is refused, unless ``check=False`` asks to look at a refusal.
"""

from __future__ import annotations

import json

import requests
from werkzeug.test import TestResponse

from app.accounts.models import User
from tests.factories import TEST_PASSWORD
from tests.helpers import csrf_token

API_TOKEN_URL = "/api/v1/auth/token"


def identity_of(user: User | str) -> str:
    return user.email if isinstance(user, User) else user


def log_in_client(
    client, user: User | str, password: str = TEST_PASSWORD, *, check: bool = True
) -> TestResponse:
    """Submit the login form with its CSRF token, follow the redirect; the page shown
    after it (it carries the CSRF token for later posts)."""
    token = csrf_token(client.get("/login").text)
    page = client.post(
        "/login",
        data={"email": identity_of(user), "password": password, "csrf_token": token},
        follow_redirects=True,
    )
    if check:
        # A refused login shows the form again; an accepted one redirects.
        assert [answer.status_code for answer in page.history] == [302], page.text
    return page


def log_in_api(client, user: User | str, password: str = TEST_PASSWORD, *, url: str = "") -> str:
    """A bearer token from the API for ``user``. ``client`` is the Flask test client, or
    ``requests`` with the ``url`` of a running server."""
    options = {"timeout": 30} if url else {}
    response = client.post(
        f"{url}{API_TOKEN_URL}",
        json={"identity": identity_of(user), "password": password},
        **options,
    )
    assert response.status_code == 200, response.text
    return json.loads(response.text)["token"]


def bearer(token: str) -> dict[str, str]:
    """Headers for an API request with ``token``, asking for JSON."""
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def log_in_http(
    url: str,
    user: User | str,
    password: str = TEST_PASSWORD,
    *,
    http: requests.Session | None = None,
) -> requests.Session:
    """Log in on the server at ``url`` the way the login page's script does: JSON with
    the CSRF header, and a same-origin Referer, which the CSRF check wants over HTTPS.
    ``http`` is a session to use (with its own ``verify``, say); returns the session."""
    http = http or requests.Session()
    page = http.get(f"{url}/login", timeout=30)
    response = http.post(
        f"{url}/login",
        json={"email": identity_of(user), "password": password},
        headers={"X-CSRFToken": csrf_token(page.text), "Referer": page.url},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return http


def log_in_browser(page, user: User | str, password: str = TEST_PASSWORD, *, check: bool = True):
    """Fill in and submit the login form in ``page``; with ``check``, wait until the
    browser has left the login page."""
    page.goto("/login")
    page.fill("#email", identity_of(user))
    page.fill("#password", password)
    page.click("input[type=submit]")
    if check:
        page.wait_for_url(lambda url: "/login" not in url)
