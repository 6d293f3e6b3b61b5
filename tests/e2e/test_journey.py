"""The whole journey as a person makes it, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.library.models import Song
from tests.factories import STRONG_PASSWORD, UserFactory
from tests.fixtures import audio_file
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app", "worker")]

UPLOADS = ["tone-440hz-4min.mp3", "tone-523hz-5s.ogg", "tone-659hz-5s.flac"]
WAIT_FOR_METADATA = """a => new Promise(done =>
    a.readyState >= 1 ? done() : a.addEventListener("loadedmetadata", done))"""
SEEK_TO_3_30 = """a => new Promise(done => {
    a.addEventListener("seeked", () => done(a.currentTime), {once: true});
    a.currentTime = 210;
})"""


def register_and_activate(page, *, username: str, email: str) -> None:
    page.goto("/register")
    page.fill("#username", username)
    page.fill("#first_name", "Nina")
    page.fill("#last_name", "Simone")
    page.fill("#email", email)
    page.fill("#password", STRONG_PASSWORD)
    page.fill("#password_confirm", STRONG_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".flashes .alert").first).to_be_visible()

    page.goto("/dev/outbox/")
    page.get_by_role("link", name=re.compile("Welcome")).first.click()
    page.locator("[data-testid=mail-text] a[href*='/confirm/']").first.click()
    expect(page.locator(".flashes .alert").first).to_contain_text("confirmed")


def test_register_activate_upload_watch_play_download_edit_delete(context, page, tmp_path):
    register_and_activate(page, username="nina", email="nina@example.org")
    log_in_browser(page, "nina", STRONG_PASSWORD)
    expect(page.locator("h1")).to_have_text("Welcome, Nina")

    library = context.new_page()  # a second tab, open on the library before the upload
    library.goto("/songs")
    expect(library.locator("#no-songs")).to_be_visible()

    page.goto("/songs/upload")
    page.set_input_files("#files", [str(audio_file(name)) for name in UPLOADS])
    rows = page.locator("tr.upload-row")
    expect(rows).to_have_count(3)
    page.click("#start-uploads")
    for index in range(3):
        row = rows.nth(index)
        expect(row.locator("progress")).to_have_attribute("value", "100")
        expect(row.locator(".status")).to_have_text("ready", timeout=30_000)
    expect(page.locator(".toast").first).to_be_visible()

    library_rows = library.locator("#song-table tbody tr")
    expect(library_rows).to_have_count(3)
    expect(library.locator("#song-table .status-ready")).to_have_count(3, timeout=30_000)
    expect(library.locator("[data-testid=unread-count]")).to_have_text("3")

    song = Song.objects.get(original_filename="tone-440hz-4min.mp3")
    page.goto(f"/songs/{song.id}")
    ranged = []
    page.on(
        "response",
        lambda response: (
            ranged.append(response.status)
            if "/stream" in response.url and response.request.headers.get("range")
            else None
        ),
    )
    audio = page.locator("audio")
    audio.evaluate(WAIT_FOR_METADATA)
    position = audio.evaluate(SEEK_TO_3_30)
    assert position == pytest.approx(210, abs=1)
    assert 206 in ranged
    expect(page.locator("canvas.waveform")).to_be_visible()

    with page.expect_download() as download_info:
        page.click("text=Download")
    download = download_info.value
    assert download.suggested_filename == "tone-440hz-4min.mp3"
    saved = tmp_path / "downloaded.mp3"
    download.save_as(saved)
    assert saved.read_bytes() == audio_file("tone-440hz-4min.mp3").read_bytes()

    page.click("text=Edit")
    page.fill("#title", "Four minutes, renamed")
    page.click("form.form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Four minutes, renamed")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button.btn-danger")
    expect(page.locator(".flashes .alert")).to_contain_text("Deleted")
    expect(page.locator("#song-table tbody tr")).to_have_count(2)
    assert Song.objects(owner=User.objects.get(username="nina")).count() == 2

    page.get_by_test_id("who").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()

    log_in_browser(page, "nina", STRONG_PASSWORD)
    expect(page.locator("h1")).to_have_text("Welcome back, Nina")


def test_a_rejected_upload_shows_its_reason(page, app):
    UserFactory(username="omar", email="omar@example.org")
    log_in_browser(page, "omar")

    page.goto("/songs/upload")
    page.set_input_files("#files", str(audio_file("not-audio.mp3")))
    page.click("#start-uploads")

    row = page.locator("tr.upload-row")
    expect(row.locator(".status")).to_have_text("rejected")
    expect(row.locator(".field-error")).to_have_text("This file is not audio: it looks like HTML.")
    assert Song.objects.count() == 0
