"""Play from the library: a play button per row, the player bar at the bottom of the page,
pause, and the next song when one ends, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import SongFactory, UserFactory
from tests.fixtures.hostile_audio import MP3_FRAME_SECONDS, mp3_cut_short
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]

PLAYING = """a => new Promise(done => a.currentTime > 0 && !a.paused
    ? done() : a.addEventListener("timeupdate", () => a.currentTime > 0 && done()))"""


def test_play_pause_and_go_on_to_the_next_song(page):
    member = UserFactory(username="piaf")
    SongFactory(owner=member, title="Second", status="ready")
    SongFactory(owner=member, title="Still processing", status="processing")
    SongFactory(owner=member, title="First", status="ready")
    log_in_browser(page, "piaf")
    page.goto("/songs")
    audio = page.locator("#player-audio")

    expect(page.get_by_role("button", name="Play Still processing")).to_be_disabled()
    page.get_by_role("button", name="Play First").click()
    expect(page.locator("#player-bar")).to_be_visible()
    expect(page.locator("#now-playing")).to_have_text("First")
    audio.evaluate(PLAYING)
    pause = page.get_by_role("button", name="Pause First")
    expect(pause).to_have_attribute("aria-pressed", "true")

    pause.click()
    expect(page.get_by_role("button", name="Play First")).to_have_attribute("aria-pressed", "false")
    assert audio.evaluate("a => a.paused")

    page.get_by_role("button", name="Play First").click()
    audio.evaluate(PLAYING)
    audio.evaluate("a => { a.currentTime = a.duration - 0.3; }")
    expect(page.locator("#now-playing")).to_have_text("Second", timeout=10_000)
    expect(page.get_by_role("button", name="Pause Second")).to_be_visible()


def test_previous_and_next_step_through_the_playable_rows_by_mouse_and_keyboard(page):
    member = UserFactory(username="queue")
    SongFactory(owner=member, title="Third", status="ready")
    SongFactory(owner=member, title="Broken", status="failed")
    SongFactory(owner=member, title="Second", status="ready")
    SongFactory(owner=member, title="First", status="ready")
    log_in_browser(page, "queue")
    page.goto("/songs")
    previous = page.get_by_role("button", name="Previous song")
    following = page.get_by_role("button", name="Next song")

    page.get_by_role("button", name="Play First").click()
    expect(page.locator("#now-playing")).to_have_text("First")
    expect(previous).to_be_disabled()
    for button in (previous, following):
        box = button.bounding_box()
        assert min(box["width"], box["height"]) >= 44

    following.click()
    expect(page.locator("#now-playing")).to_have_text("Second")
    page.locator("#player-audio").evaluate(PLAYING)
    expect(page.get_by_role("button", name="Pause Second")).to_be_visible()
    expect(page.get_by_role("button", name="Play First")).to_have_attribute("aria-pressed", "false")

    following.focus()
    page.keyboard.press("Enter")  # past the failed song
    expect(page.locator("#now-playing")).to_have_text("Third")
    expect(following).to_be_disabled()

    previous.focus()
    page.keyboard.press("Space")
    expect(page.locator("#now-playing")).to_have_text("Second")
    previous.click()
    expect(page.locator("#now-playing")).to_have_text("First")
    expect(previous).to_be_disabled()
    expect(following).to_be_enabled()


def test_the_waveform_seeks_by_keyboard(page):
    member = UserFactory(username="wave")
    song = SongFactory(owner=member, title="Tone", status="ready", duration=5, waveform=[0.5] * 100)
    log_in_browser(page, "wave")
    page.goto(f"/songs/{song.id}")
    audio = page.locator("audio")
    audio.evaluate("a => a.readyState >= 1 || new Promise(d => a.onloadedmetadata = d)")
    waveform = page.get_by_role("slider", name="Position in the song")

    waveform.focus()
    waveform.press("ArrowRight")
    expect(waveform).to_have_attribute("aria-valuenow", "5")
    assert audio.evaluate("a => a.currentTime") == pytest.approx(5, abs=0.2)

    waveform.press("Home")
    expect(waveform).to_have_attribute("aria-valuenow", "0")


def test_the_waveform_of_a_song_cut_short_spans_what_decodes_not_its_header(page):
    member = UserFactory(username="cutshort")
    decoded = round(92 * MP3_FRAME_SECONDS - 0.025, 3)  # what processing stores for it
    song = SongFactory(
        owner=member,
        title="Cut",
        status="ready",
        content=mp3_cut_short(92),
        duration=decoded,
        waveform=[0.5] * 100,
    )
    log_in_browser(page, "cutshort")
    page.goto(f"/songs/{song.id}")
    audio = page.locator("audio")
    audio.evaluate("a => a.readyState >= 1 || new Promise(d => a.onloadedmetadata = d)")
    waveform = page.get_by_role("slider", name="Position in the song")
    assert audio.evaluate("a => a.duration") == pytest.approx(5.04, abs=0.05)  # the header

    expect(waveform).to_have_attribute("aria-valuemax", "2")
    waveform.focus()
    waveform.press("End")

    assert audio.evaluate("a => a.currentTime") == pytest.approx(decoded, abs=0.1)
    expect(page.locator(f'[data-duration-for="{song.id}"]')).to_have_text("0:02")
