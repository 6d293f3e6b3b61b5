"""The scripts speak the page's language: status words, progress and the summary toast of
the upload page in German."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.fixtures import audio_file
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app", "worker")]


def test_the_upload_page_reports_in_german(page):
    UserFactory(username="greta", locale="de")
    log_in_browser(page, "greta")
    page.goto("/songs/upload")
    names = ("tone-440hz-5s.mp3", "not-audio.mp3")
    page.set_input_files("#files", [str(audio_file(name)) for name in names])

    page.click("#start-uploads")

    rows = page.locator("tr.upload-row")
    expect(rows.nth(0).locator(".status")).to_have_text("bereit", timeout=30_000)
    expect(rows.nth(1).locator(".status")).to_have_text("abgelehnt")
    expect(rows.nth(0).locator(".transfer a")).to_have_text("Song öffnen")
    expect(page.locator(".toast")).to_have_text("Uploads abgeschlossen: 1 bereit, 1 abgelehnt.")
    assert page.locator("html").get_attribute("lang") == "de"
