"""Sessions and API tokens in a real browser: the card lists a second browser's session
without serious axe findings, and its button signs that browser out."""

from __future__ import annotations

import re

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.logins import log_in_api, log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]


def test_a_second_browser_is_listed_and_signed_out_from_the_first(
    browser, context, page, live_server
):
    UserFactory(username="lena")
    log_in_api(requests, "lena", url=live_server.url)
    other = browser.new_context(base_url=live_server.url)
    try:
        phone = other.new_page()
        log_in_browser(phone, "lena")
        log_in_browser(page, "lena")
        page.goto("/account")
        card = page.locator("section", has=page.locator("#sessions-heading"))

        expect(card.locator("[data-session]")).to_have_count(2)
        expect(card.locator("[data-token]")).to_have_count(1)
        expect(card.get_by_text("this session")).to_have_count(1)
        serious = [
            found["id"]
            for found in Axe().run(page).response["violations"]
            if found["impact"] in {"serious", "critical"}
        ]
        assert serious == []

        card.get_by_role("button", name="Sign out", exact=True).click()

        expect(page.get_by_text("That session was signed out.")).to_be_visible()
        expect(card.locator("[data-session]")).to_have_count(1)
        phone.goto("/account")
        expect(phone).to_have_url(re.compile(r"/login"))
        expect(phone.get_by_text("This session was signed out from another one")).to_be_visible()
    finally:
        other.close()
