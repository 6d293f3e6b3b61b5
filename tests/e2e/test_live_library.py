"""The library page follows songs uploaded elsewhere while it is open, in a real browser."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from app.library.models import Song
from tasks.uploads import process_song
from tests.factories import SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.fixtures.hostile_audio import flac_damaged_in_its_middle
from tests.helpers import csrf_token
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app", "worker")]

SOCKET_CONNECTED = "() => import('/static/js/realtime.js').then(m => m.socket.connected)"
# Time for the worker's last status pushes to reach the page once the song is stored ready.
PUSH_SECONDS = 2


def wait_until_ready(title: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Song.objects(title=title, status="ready").count():
            return
        time.sleep(0.1)
    raise AssertionError(f"{title} was not processed within {timeout} s")


def test_a_row_fetched_after_its_song_was_processed_shows_it_ready(page, live_server, login):
    member = UserFactory(username="lena")
    log_in_browser(page, "lena")
    page.goto("/songs")
    expect(page.locator("#no-songs")).to_be_visible()
    page.wait_for_function(SOCKET_CONNECTED)

    # The page fetches the new song's row when it first hears of it; hold that request
    # back until the worker has finished, so every later status arrives before the row.
    def row_after_processing(route):
        wait_until_ready("Late row")
        time.sleep(PUSH_SECONDS)
        route.continue_()

    page.route("**/songs/*/row", row_after_processing)
    http = login(member)
    token = csrf_token(http.get(f"{live_server.url}/songs/upload", timeout=10).text)
    clip = audio_file("tone-523hz-5s.ogg")
    created = http.post(
        f"{live_server.url}/songs",
        data={"title": "Late row"},
        files={"file": (clip.name, clip.read_bytes(), "audio/ogg")},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        timeout=30,
    )
    assert created.status_code == 201, created.text

    row = page.locator(f'tr[data-song-id="{created.json()["id"]}"]')
    expect(row).to_have_count(1, timeout=60_000)
    expect(row.locator("[data-status-for]")).to_have_text("ready")
    expect(row).to_contain_text("0:05")


def test_each_status_change_is_announced_in_one_short_sentence(page):
    member = UserFactory(username="idaho")
    clip = audio_file("tone-523hz-5s.ogg").read_bytes()
    ready = SongFactory(owner=member, title="Announced", status="queued", content=clip)
    broken = SongFactory(
        owner=member, title="Broken", status="queued", content=flac_damaged_in_its_middle()
    )
    log_in_browser(page, "idaho")
    page.goto("/songs")
    page.wait_for_function(SOCKET_CONNECTED)
    region = page.get_by_test_id("status-announcer")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_be_empty()

    process_song.delay(str(ready.id))
    process_song.delay(str(broken.id))

    expect(region).to_contain_text("Announced: ready", timeout=30_000)
    damaged = "Broken: failed: This file is damaged: its audio cannot be read past 0:01."
    expect(region).to_contain_text(damaged, timeout=30_000)
    # One sentence per change, and nothing else of the rows.
    sentences = region.locator("p").all_inner_texts()
    said = {"Announced: processing", "Announced: ready", "Broken: processing", damaged}
    assert {"Announced: ready", damaged} <= set(sentences) <= said
    assert len(sentences) == len(set(sentences))
