"""The bell opens a menu of the latest notifications, each leading to its song, with
"Mark all read"; its accessible name carries the unread count."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import NotificationFactory, SongFactory, UserFactory
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]


def test_the_bell_menu_lists_the_latest_and_marks_them_read(page):
    member = UserFactory(username="nora")
    song = SongFactory(owner=member, title="Blue in Green", status="ready")
    NotificationFactory(user=member, text="Something else happened.")
    NotificationFactory(user=member, text="“Blue in Green” is ready.", link=f"/songs/{song.id}")
    log_in_browser(page, "nora")

    bell = page.get_by_role("button", name="Notifications, 2 unread")
    bell.click()
    menu = page.get_by_test_id("bell-menu")
    items = menu.locator(".notification-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("“Blue in Green” is ready.")
    expect(items.first.locator("time")).to_have_text(re.compile(r"now|second|minute"))

    menu.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("unread-count")).to_be_hidden()
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()

    items.first.click()
    expect(page).to_have_url(re.compile(f"/songs/{song.id}$"))
    expect(page.locator("h1")).to_have_text("Blue in Green")
