"""Delete my account in a real browser: from the account page, confirmed by typing the
username; the member is signed out, cannot log in again, and the song's audio is gone."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.database import get_database
from app.library.models import Song
from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app", "worker")]

WAIT_SECONDS = 30


def stored_audio(file_id) -> dict[str, int]:
    database = get_database()
    return {
        "files": database["songs.files"].count_documents({"_id": file_id}),
        "chunks": database["songs.chunks"].count_documents({"files_id": file_id}),
    }


def test_a_member_deletes_their_account_from_the_account_page(page):
    member = UserFactory(username="maya")
    song = SongFactory(owner=member, title="Only song", status="ready")
    assert stored_audio(song.file_id) == {"files": 1, "chunks": 1}
    log_in_browser(page, "maya")

    page.goto("/account")
    page.get_by_role("link", name="Delete my account…").click()
    expect(page).to_have_url(re.compile(r"/account/delete$"))
    expect(page.get_by_text("deletes your 1 song with its audio file")).to_be_visible()
    page.get_by_label("Type your username to confirm").fill("Maya")
    page.get_by_role("button", name="Delete my account").click()

    expect(page.locator(".flashes")).to_contain_text(
        "Your account is being deleted with everything in it. You have been signed out."
    )
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login"))
    deadline = time.monotonic() + WAIT_SECONDS
    while User.objects(id=member.id).first() is not None:
        assert time.monotonic() < deadline, "the account was not deleted in time"
        time.sleep(0.1)
    assert Song.objects(id=song.id).first() is None
    assert stored_audio(song.file_id) == {"files": 0, "chunks": 0}

    log_in_browser(page, "maya", check=False)
    expect(page.locator("form[name=login_user_form]")).to_be_visible()
    expect(page.get_by_text("identity or password/passcode invalid")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login"))
