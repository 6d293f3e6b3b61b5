"""The library's search applies as one types, its menus at once, without the Apply
button, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]


def test_the_search_applies_as_one_types_and_the_menus_at_once(page):
    member = UserFactory(username="mira")
    SongFactory(owner=member, title="So What", status="ready")
    SongFactory(owner=member, title="Blue in Green", status="ready")
    SongFactory(owner=member, title="Freddie Freeloader", status="failed")
    log_in_browser(page, "mira")
    page.goto("/songs")
    rows = page.locator("#song-table tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_role("searchbox", name="Search").fill("blue")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Blue in Green")
    expect(page).to_have_url(re.compile(r"/songs\?q=blue(&|$)"))

    page.get_by_role("searchbox", name="Search").fill("zebra")
    expect(page.locator("#no-matches")).to_contain_text("No songs match “zebra”.")
    expect(page.locator("#song-table")).to_be_hidden()

    page.get_by_role("searchbox", name="Search").fill("")
    page.get_by_label("Status", exact=True).select_option("failed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Freddie Freeloader")
    expect(page).to_have_url(re.compile(r"/songs\?status=failed"))
