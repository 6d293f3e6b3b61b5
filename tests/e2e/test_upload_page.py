"""The upload page: files dropped on the form get rows like chosen ones; a row's title,
artist and rating lock when its upload starts; "Upload all" goes once everything has started; a
refused file's bar turns red."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.fixtures import audio_file
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]

DROP = """([name, bytes]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], name, { type: "audio/mpeg" }));
    const form = document.getElementById("upload-form");
    form.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
    form.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
}"""


def test_a_dropped_file_gets_a_row(page):
    UserFactory(username="dora")
    log_in_browser(page, "dora")
    page.goto("/songs/upload")

    page.evaluate(DROP, ["dropped-tune.mp3", list(audio_file("tone-440hz-5s.mp3").read_bytes())])

    row = page.locator("tr.upload-row")
    expect(row).to_have_count(1)
    # Left empty, the title comes from the file's tags, else from its name.
    expect(row.get_by_label("Title")).to_have_value("")
    expect(row.get_by_label("Title")).to_have_attribute(
        "placeholder", "From its tags, else “dropped-tune”"
    )
    expect(row.get_by_label("Artist")).to_have_value("")
    expect(page.locator("#upload-actions")).to_be_visible()


def test_a_refused_file_locks_its_row_and_turns_its_bar_red(page):
    UserFactory(username="omar")
    log_in_browser(page, "omar")
    page.goto("/songs/upload")
    page.set_input_files("#files", str(audio_file("not-audio.mp3")))

    page.click("#start-uploads")

    row = page.locator("tr.upload-row")
    expect(row.locator(".status")).to_have_text("rejected")
    expect(row.locator("progress")).to_contain_class("failed")
    expect(row.get_by_label("Title")).not_to_be_editable()
    expect(row.get_by_label("Artist")).not_to_be_editable()
    expect(row.get_by_label("Rating")).to_be_disabled()
    expect(page.get_by_test_id("status-announcer")).to_have_text(
        "not-audio.mp3: rejected: This file is not audio: it looks like HTML."
    )
    expect(page.locator("#upload-actions")).to_be_hidden()
    colour = row.locator("progress").evaluate("p => getComputedStyle(p).accentColor")
    assert colour == "rgb(220, 53, 69)"


@pytest.mark.usefixtures("worker")
def test_one_toast_sums_up_the_uploads(page):
    UserFactory(username="tess")
    log_in_browser(page, "tess")
    page.goto("/songs/upload")
    names = ("tone-440hz-5s.mp3", "tone-523hz-5s.ogg", "not-audio.mp3")
    page.set_input_files("#files", [str(audio_file(name)) for name in names])

    page.click("#start-uploads")

    expect(page.locator("tr.upload-row .status-ready")).to_have_count(2, timeout=30_000)
    toasts = page.locator(".toast")
    expect(toasts).to_have_count(1)
    expect(toasts).to_have_text("Uploads finished: 2 ready, 1 rejected.")
    page.wait_for_timeout(1_000)  # the songs' notifications arrive meanwhile: no more toasts
    expect(toasts).to_have_count(1)


@pytest.mark.usefixtures("worker")
def test_a_row_left_empty_shows_what_the_tags_say_and_the_album_they_name(page):
    UserFactory(username="tags")
    log_in_browser(page, "tags")
    page.goto("/songs/upload")
    page.get_by_label("Album for these songs").select_option(label="From the file's tags")
    page.set_input_files("#files", str(audio_file("tone-440hz-5s.mp3")))

    page.click("#start-uploads")

    row = page.locator("tr.upload-row")
    expect(row.locator(".status")).to_have_text("ready", timeout=30_000)
    expect(row.get_by_label("Title")).to_have_value("Sine_A440")
    expect(row.get_by_label("Artist")).to_have_value("Encore_Test_Tones")
    page.goto("/albums")
    expect(page.get_by_role("link", name="Fixtures")).to_be_visible()
