"""Second factors in a real browser: turning on an authenticator app and logging in with
a code the test computes like a phone would; adding a passkey and signing in with it
alone, through Chromium's virtual authenticator."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from tests.factories import UserFactory
from tests.logins import log_in_browser
from tests.two_factor import authenticator_code

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]


def log_out(page) -> None:
    page.click("[data-testid=who]")
    page.get_by_role("button", name="Log out").click()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Log in")).to_be_visible()


def test_turn_on_an_authenticator_app_and_log_in_with_its_code(page):
    user = UserFactory.create(username="ada", first_name="Ada")
    log_in_browser(page, user)

    page.click("[data-testid=who]")
    page.get_by_role("link", name="Two-factor and passkeys").click()
    expect(page.get_by_test_id("mfa-authenticator")).to_have_text("Off")
    page.get_by_label("Use an authenticator app").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#qrcode")).to_be_visible()
    assert page.locator("#qrcode").evaluate("img => img.complete && img.naturalWidth > 0")
    key = page.get_by_test_id("authenticator-key").inner_text()
    page.get_by_label("Authentication Code").fill(authenticator_code(key))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("mfa-authenticator")).to_have_text("On")
    assert User.objects.get(id=user.id).tf_primary_method == "authenticator"

    log_out(page)
    log_in_browser(page, user, check=False)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Authentication Code").fill(authenticator_code(key, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Ada")


@pytest.fixture
def passkey_context(browser, live_server) -> Iterator:
    """A browser profile on localhost (browsers refuse passkeys for an IP address) with
    Chromium's virtual authenticator: a platform passkey store that verifies its user."""
    port = urlsplit(live_server.url).port
    context = browser.new_context(base_url=f"http://localhost:{port}")
    context.set_default_timeout(20_000)
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield context
    context.close()


def test_add_a_passkey_and_sign_in_with_it_alone(passkey_context):
    page = passkey_context.pages[0]
    user = UserFactory.create(username="grace", first_name="Grace")
    log_in_browser(page, user)

    page.goto("/wan-register")
    expect(page.get_by_test_id("no-passkeys")).to_be_visible()
    page.get_by_label("Nickname").fill("This laptop")
    page.get_by_label("To sign in without a password").check()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_test_id("passkeys")).to_contain_text("This laptop")
    assert [key.name for key in User.objects.get(id=user.id).webauthn] == ["This laptop"]

    log_out(page)
    page.goto("/login")
    page.get_by_role("link", name="Log in with a passkey").click()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Grace")
