"""An admin's day in a real browser: the dashboard, finding and changing users, bulk
actions on users and songs, the audit log; and a member kept out of it all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.database import get_database
from app.i18n.formatting import file_size
from app.library.models import Song
from tests.factories import MP3, SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app", "worker")]

UPLOADS = {"tone-440hz-5s.mp3": "Morning tune", "tone-523hz-5s.ogg": "Evening tune"}


@pytest.fixture
def member_context(browser, live_server) -> Iterator:
    """A second browser profile, so the member and the admin are logged in side by side."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(20_000)
    yield context
    context.close()


def upload_songs(page, titles: dict[str, str]) -> None:
    """Upload the fixture files on the upload page, titled as given; wait until ready."""
    page.goto("/songs/upload")
    page.set_input_files("#files", [str(audio_file(name)) for name in titles])
    rows = page.locator("tr.upload-row")
    expect(rows).to_have_count(len(titles))
    for index, title in enumerate(titles.values()):
        rows.nth(index).get_by_label("Title").fill(title)
    page.click("#start-uploads")
    for index in range(len(titles)):
        expect(rows.nth(index).locator(".status")).to_have_text("ready", timeout=30_000)


def apply_to_chosen(page, action: str, noun: str, *labels: str) -> None:
    """Tick the rows named ``labels``, pick ``action`` and confirm the bulk change."""
    for label in labels:
        page.get_by_label(f"Choose {label}", exact=True).check()
    page.get_by_label("Action", exact=True).select_option(label=action)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Apply to chosen {noun}s").click()


def gridfs_file_and_chunks(file_id) -> tuple[int, int]:
    database = get_database()
    return (
        database["songs.files"].count_documents({"_id": file_id}),
        database["songs.chunks"].count_documents({"files_id": file_id}),
    )


def test_admin_manages_users_and_songs_and_sees_it_all_in_the_audit_log(app, page, member_context):
    UserFactory(username="boss", email="boss@example.org", first_name="Bea", admin=True)
    olga = UserFactory(username="olga", email="olga@example.org", first_name="Olga")
    anna = UserFactory(
        username="annak", email="anna.k@example.org", first_name="Anna", last_name="Karenina"
    )
    robert = UserFactory(username="robert", email="robert@example.org", first_name="Robert")
    carla = UserFactory(username="carla", email="carla@example.org", first_name="Carla")
    UserFactory(username="newcomer", unconfirmed=True, inactive=True)
    SongFactory(
        owner=olga, title="Broken", status="failed", status_reason="This file is not audio."
    )

    # Olga, a member, uploads two songs and keeps her library open.
    member = member_context.new_page()
    log_in_browser(member, "olga")
    upload_songs(member, UPLOADS)
    member.goto("/songs")
    expect(member.locator("[data-testid=unread-count]")).to_have_text("2")

    # The admin logs in and opens the dashboard from the top bar.
    log_in_browser(page, "boss")
    expect(page.locator("h1")).to_have_text("Welcome, Bea")
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.locator("h1")).to_have_text("Admin dashboard")
    expect(page.get_by_test_id("users")).to_contain_text("6 in all, 5 active, 1 not yet confirmed")
    expect(page.get_by_test_id("songs").locator("li")).to_have_text(
        ["queued: 0", "processing: 0", "ready: 2", "failed: 1"]
    )
    # The two uploads and the failed song's copy of the default MP3.
    stored = sum(audio_file(name).stat().st_size for name in UPLOADS) + MP3.stat().st_size
    with app.test_request_context("/"):
        shown = file_size(stored)  # the page's own format: "180 kB", "179.5 kB"
    expect(page.get_by_test_id("songs")).to_contain_text(f"Stored audio: {shown}")
    expect(page.locator("table").first).to_contain_text("This file is not audio.")

    # Users: find Anna by part of her name, rename her and make her an admin.
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Users").click()
    expect(page.locator("#user-table tbody tr")).to_have_count(6)
    page.get_by_role("searchbox", name="Search").fill("karen")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_test_id("user-count")).to_have_text("1 user")
    expect(page.locator("#user-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="annak", exact=True).click()
    expect(page.locator("h1")).to_have_text("annak")
    page.get_by_label("First name").fill("Anya")
    page.get_by_role("checkbox", name="Admin", exact=True).check()
    page.get_by_role("checkbox", name="Public", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flashes .alert")).to_have_text("User saved.")

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Users").click()
    anna_row = page.locator(f'tr[data-user-id="{anna.id}"]')
    expect(anna_row.locator("td").nth(3)).to_have_text("Anya Karenina")
    expect(anna_row.locator("td").nth(4)).to_have_text("Admin")
    anna.reload()
    assert anna.first_name == "Anya"
    assert [role.name for role in anna.roles] == ["Admin"]

    # Bulk: deactivate Robert and Carla, then list the deactivated accounts.
    apply_to_chosen(page, "Deactivate", "user", "robert", "carla")
    expect(page.locator(".flashes .alert")).to_have_text("2 users deactivated.")
    for user in (robert, carla):
        expect(page.locator(f'tr[data-user-id="{user.id}"] td').nth(5)).to_have_text("no")
    page.get_by_label("Active", exact=True).select_option(label="Deactivated")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("#user-table tbody tr td:nth-child(2)")).to_have_text(
        ["newcomer", "carla", "robert"]  # newest first
    )
    assert [user.active for user in User.objects(id__in=[robert.id, carla.id])] == [False, False]
    assert User.objects.get(id=anna.id).active

    # Songs: re-process Olga's two songs; her open library hears of both again.
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Songs").click()
    expect(page.locator("#admin-song-table tbody tr")).to_have_count(3)
    apply_to_chosen(page, "Re-process", "song", *UPLOADS.values())
    expect(page.locator(".flashes .alert")).to_have_text("2 songs queued for processing.")
    expect(member.locator("[data-testid=unread-count]")).to_have_text("4", timeout=30_000)
    page.reload()
    expect(page.locator("#admin-song-table .status-ready")).to_have_count(2)

    # Delete one song: it goes with its GridFS file and every chunk.
    evening = Song.objects.get(title="Evening tune")
    morning = Song.objects.get(title="Morning tune")
    assert gridfs_file_and_chunks(evening.file_id)[1] > 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'tr[data-song-id="{evening.id}"]').get_by_role("button", name="Delete").click()
    expect(page.locator(".flashes .alert")).to_have_text("Deleted “Evening tune”.")
    expect(page.locator("#admin-song-table tbody tr")).to_have_count(2)
    assert Song.objects(id=evening.id).count() == 0
    assert gridfs_file_and_chunks(evening.file_id) == (0, 0)
    assert gridfs_file_and_chunks(morning.file_id)[0] == 1

    # The audit log names the admin for every change, newest first.
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    entries = page.locator("#audit-table tbody tr")
    expect(entries).to_have_count(7)
    expect(entries.locator("td:nth-child(2)")).to_have_text(["boss"] * 7)
    expect(entries.locator("td:nth-child(3)")).to_have_text(
        [
            "deleted song",
            "re-processed",
            "re-processed",
            "deactivated",
            "deactivated",
            "changed roles",
            "changed names",
        ]
    )
    expect(entries.first).to_contain_text("song “Evening tune” of olga")
    expect(page.locator("tr[data-action='user.roles']")).to_contain_text(
        "annak <anna.k@example.org>"
    )
    expect(page.locator("tr[data-action='user.roles'] .details")).to_have_text(
        "roles: Public → Admin"
    )
    expect(page.locator("tr[data-action='user.deactivate'] td:nth-child(4)")).to_have_text(
        ["robert <robert@example.org>", "carla <carla@example.org>"]
    )

    # Olga is no admin: the admin area refuses her.
    response = member.goto("/admin/")
    assert response.status == 403
    expect(member.locator("h1")).to_have_text("403 · Forbidden")
    expect(member.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
