"""One design system on every page: Bootstrap served by the app itself, one layout with one
user menu, and Flask-Security's pages in the same look and words as the rest."""

from __future__ import annotations

import re

import pytest
from flask_security.recoverable import generate_reset_password_token

from tests.factories import NotificationFactory, UserFactory
from tests.logins import log_in_client


def stylesheets_and_scripts(html: str) -> list[str]:
    return re.findall(r'<(?:link rel="stylesheet"|script[^>]*) (?:href|src)="([^"]+)"', html)


def test_bootstrap_is_served_by_the_app_not_a_cdn(app, client):
    page = client.get("/").text
    assets = stylesheets_and_scripts(page)

    assert "/bootstrap/static/css/bootstrap.min.css" in assets
    assert "/bootstrap/static/js/bootstrap.min.js" in assets
    assert all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            assert b"cdn.jsdelivr" not in response.data


def test_the_policy_still_allows_scripts_from_the_site_only(app, client):
    policy = client.get("/").headers["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "cdn" not in policy


def test_a_member_has_one_user_menu_with_password_and_log_out(app, client):
    member = UserFactory(username="mia", first_name="Mia")
    page = log_in_client(client, member).text

    menu = page[page.index('id="user-menu"') :]
    menu = menu[: menu.index("</ul>")]
    assert "Mia" in menu
    assert "mia" in menu
    assert member.email in menu
    assert ">Change password</a>" in menu
    assert ">Log out</button>" in menu
    assert 'class="navbar-toggler"' in page


@pytest.fixture
def account_pages(app, client):
    """Flask-Security's pages, signed out and signed in."""
    member = UserFactory(username="ola")
    with app.test_request_context():
        token = generate_reset_password_token(member)
    signed_out = {
        url: client.get(url).text
        for url in ("/login", "/register", "/reset", "/confirm", f"/reset/{token}")
    }
    log_in_client(client, member)
    return {**signed_out, "/change": client.get("/change").text}


def test_account_pages_use_the_site_layout_and_words(account_pages):
    for url, page in account_pages.items():
        assert 'class="navbar' in page, url
        assert "Sign Out" not in page, url
        assert ">Menu<" not in page, url
        assert re.search(r'<input class="btn btn-primary[^"]*" id="submit"', page), url
        assert 'class="form-control' in page, url


def test_account_pages_say_what_they_do(account_pages):
    headings = {url: re.search(r"<h1>([^<]+)</h1>", page)[1] for url, page in account_pages.items()}

    assert headings == {
        "/login": "Log in",
        "/register": "Create your account",
        "/reset": "Forgot your password?",
        "/confirm": "Resend the activation mail",
        next(url for url in headings if url.startswith("/reset/")): "Choose a new password",
        "/change": "Change password",
    }


def test_the_bells_name_says_how_many_are_unread(app, client):
    member = UserFactory()
    log_in_client(client, member)
    assert 'aria-label="Notifications"' in client.get("/songs").text

    NotificationFactory(user=member)
    NotificationFactory(user=member)

    assert 'aria-label="Notifications, 2 unread"' in client.get("/songs").text


def test_the_api_reference_leads_back_to_the_site(app, client):
    page = client.get("/api/docs").text

    assert '<nav aria-label="Site">' in page
    assert '<a href="/">Back to the site</a>' in page
    assert '<div id="swagger-ui"' in page  # Swagger UI brings its own <main>
