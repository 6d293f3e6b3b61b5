"""Sign in with an OpenID Connect provider in a real browser: the login page's button, the
provider's own authorization page, back to the start page signed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.accounts.models import User
from tests.factories import UserFactory
from tests.oidc_provider import provider_settings, running_provider, set_claims
from tests.servers import LiveServer, start_live_server

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider() as url:
        yield url


@pytest.fixture(scope="module")
def sso_server(settings, issuer, tmp_path_factory) -> Iterator[LiveServer]:
    """The real web entry point, offering sign-in with the provider at ``issuer``."""
    log_path = tmp_path_factory.mktemp("logs") / "web-sso.log"
    server = start_live_server({**settings, **provider_settings(issuer)}, log_path)
    yield server
    server.stop()


@pytest.fixture
def sso_page(browser, sso_server):
    context = browser.new_context(base_url=sso_server.url)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_sign_in_with_the_provider_opens_the_account(sso_page, sso_server, issuer):
    UserFactory(email="ann@example.org", first_name="Ann")
    set_claims(issuer, "ann-at-sso", email="ann@example.org", email_verified=True)

    sso_page.goto("/login")
    blocking = [
        found["id"]
        for found in Axe().run(sso_page).response["violations"]
        if found["impact"] in {"serious", "critical"}
    ]
    sso_page.get_by_role("button", name="Sign in with Example SSO").click()
    expect(sso_page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    sso_page.get_by_placeholder("sub").fill("ann-at-sso")
    sso_page.get_by_role("button", name="Authorize").click()

    expect(sso_page.get_by_role("heading", name="Welcome, Ann")).to_be_visible()
    assert sso_page.url == f"{sso_server.url}/"
    assert User.objects.get(email="ann@example.org").login_count == 1
    assert blocking == []
