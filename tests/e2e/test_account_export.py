"""Export my data in a real browser: the button starts it, the page follows it live and
shows the download link without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app", "worker")]

SOCKET_CONNECTED = "() => import('/static/js/realtime.js').then(m => m.socket.connected)"


def test_the_export_link_appears_without_a_reload(page):
    member = UserFactory(username="lena")
    for number in range(3):
        SongFactory(owner=member, title=f"Song {number}")
    log_in_browser(page, "lena")
    page.goto("/account")
    page.wait_for_function(SOCKET_CONNECTED)
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Export my data").click()

    link = page.locator("#export-link")
    expect(link).to_be_visible(timeout=30_000)
    expect(page.locator("#export-state")).to_contain_text("Your export is ready")
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#export-progress")).to_be_hidden()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("encore-lena-")
    assert download.value.suggested_filename.endswith(".zip")
