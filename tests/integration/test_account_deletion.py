"""Delete my account: asked with a fresh login, done by a worker; nothing of the account
is left behind, even when a run is cut short, and the counters stay right."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from bson import Binary, ObjectId

from app import paging
from app.accounts.datastore import USERS
from app.accounts.models import User
from app.admin.models import AuditEntry
from app.database import get_database
from app.exports.models import Export
from app.library import counters
from app.library.models import Album, Song
from app.notifications.models import Notification
from app.notifications.services import inbox_key
from app.storage import EXPORTS_BUCKET
from tests.factories import (
    TEST_PASSWORD,
    AlbumFactory,
    NotificationFactory,
    SongFactory,
    UserFactory,
)
from tests.helpers import csrf_token, open_tab, start_export, wait_for_export
from tests.logins import bearer, log_in_api, log_in_client, log_in_http

pytestmark = pytest.mark.usefixtures("worker")

WAIT_SECONDS = 30


def _gridfs() -> dict[str, int]:
    """Every GridFS collection's size: files and chunks of songs and exports."""
    database = get_database()
    return {
        name: database[name].count_documents({})
        for name in ("songs.files", "songs.chunks", "exports.files", "exports.chunks")
    }


def _wait_until_gone(user_id) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while User.objects(id=user_id).first() is not None:
        assert time.monotonic() < deadline, "the account was not deleted in time"
        time.sleep(0.1)


def _member_with_everything() -> User:
    member = UserFactory(username="ann", email="ann@example.org")
    album = AlbumFactory(owner=member, title="Tones")
    SongFactory(owner=member, album=album, status="ready")
    SongFactory(owner=member, status="ready")
    SongFactory(owner=member, status="failed")
    NotificationFactory(user=member)
    return member


def _delete(client, username: str):
    page = client.get("/account/delete")
    assert page.status_code == 200, page.text
    return client.post(
        "/account/delete", data={"username": username, "csrf_token": csrf_token(page.text)}
    )


def test_a_member_deletes_their_account_and_nothing_of_it_is_left(app, client):
    bystander = UserFactory(username="bob")
    SongFactory(owner=bystander, status="ready")
    before = _gridfs()
    member = _member_with_everything()
    member_id = member.id
    token = log_in_api(app.test_client(), member)
    log_in_client(client, member)
    wait_for_export(start_export(client))
    assert Export.objects(owner=member).count() == 1
    confirm = client.get("/account/delete").text
    assert "your 3 songs with their audio files, your 1 album," in confirm

    answer = _delete(client, "Ann")

    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/")
    home = client.get("/")
    assert "Your account is being deleted" in home.text
    assert client.get("/account").status_code == 302  # signed out
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    _wait_until_gone(member_id)
    assert Song.objects(owner=member_id).count() == 0
    assert Album.objects(owner=member_id).count() == 0
    assert Notification.objects(user=member_id).count() == 0
    assert Export.objects(owner=member_id).count() == 0
    assert _gridfs() == before  # the bystander's song alone
    assert counters.counts_of(counters.EVERYONE).songs == 1
    assert counters.counts_of(counters.EVERYONE).by_status["ready"] == 1
    keys = [counters.library_key(member_id), inbox_key(member_id)]
    assert paging.counters().count_documents({"_id": {"$in": keys}}) == 0
    assert paging.read_counters(USERS)[USERS]["users"] == User.objects.count()
    [entry] = AuditEntry.objects(action="account.delete")
    assert entry.actor == "ann"
    assert entry.target == "ann <ann@example.org>"
    assert entry.details == {"songs": 3}
    assert Song.objects(owner=bystander).count() == 1


def test_a_deletion_cut_short_is_finished_by_running_it_again(app):
    bystander = UserFactory()
    SongFactory(owner=bystander, status="ready")
    before = _gridfs()
    member = _member_with_everything()
    member.update(set__deletion_requested_at=datetime.now(UTC), set__active=False)
    first, second, third = Song.objects(owner=member).order_by("seq")
    database = get_database()
    # What a worker killed halfway leaves behind: a file document deleted but not its
    # chunks; a file deleted but not its song; an export's archive half written.
    database["songs.files"].delete_one({"_id": first.file_id})
    database["songs.chunks"].delete_many({"files_id": second.file_id})
    database["songs.files"].delete_one({"_id": second.file_id})
    partial = ObjectId()
    database[f"{EXPORTS_BUCKET}.chunks"].insert_one(
        {"files_id": partial, "n": 0, "data": Binary(b"x" * 1024)}
    )
    Export(
        owner=member,
        state="building",
        file_id=partial,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    ).save()
    celery = app.extensions["celery"]

    celery.send_task("accounts.delete_account", args=[str(member.id)])
    _wait_until_gone(member.id)
    celery.send_task("accounts.delete_account", args=[str(member.id)])  # once more

    assert _gridfs() == before
    assert Song.objects(owner=member.id).count() == 0
    assert Album.objects(owner=member.id).count() == 0
    assert Export.objects.count() == 0
    assert Notification.objects.count() == 0
    everyone = counters.counts_of(counters.EVERYONE)
    assert everyone.songs == 1
    assert everyone.by_status == {"queued": 0, "processing": 0, "ready": 1, "failed": 0}
    assert counters.repair_counters() == 0  # nothing drifted
    assert third.id not in [song.id for song in Song.objects]


def test_the_sweep_finishes_a_deletion_whose_task_was_lost(app):
    member = _member_with_everything()
    asked = datetime.now(UTC) - timedelta(minutes=11)
    member.update(set__deletion_requested_at=asked, set__active=False)
    recent = UserFactory()
    recent.update(set__deletion_requested_at=datetime.now(UTC), set__active=False)

    app.extensions["celery"].send_task("accounts.finish_deletions")

    _wait_until_gone(member.id)
    assert User.objects(id=recent.id).count() == 1  # its own task may still be on its way


def test_a_stale_login_is_asked_for_the_password_first(app, client):
    member = UserFactory(username="ann")
    log_in_client(client, member)
    with client.session_transaction() as session:
        session["fs_paa"] = time.time() - 2 * 3600
        session.pop("fs_gexp", None)

    asked = client.get("/account/delete")
    posted = client.post("/account/delete", data={"username": "ann"})

    assert asked.status_code == 302
    assert "/verify" in asked.headers["Location"]
    assert posted.status_code == 302
    assert "/verify" in posted.headers["Location"]
    assert User.objects.get(id=member.id).active
    page = client.get(asked.headers["Location"])
    verified = client.post(
        asked.headers["Location"],
        data={"password": TEST_PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert verified.headers["Location"].endswith("/account/delete")
    assert client.get("/account/delete").status_code == 200


def test_a_wrong_username_deletes_nothing(app, client):
    member = UserFactory(username="ann")
    log_in_client(client, member)

    refused = _delete(client, "bob")

    assert refused.status_code == 422
    assert "That is not your username." in refused.text
    user = User.objects.get(id=member.id)
    assert user.active
    assert user.deletion_requested_at is None


def test_deleting_needs_the_csrf_token(app, client):
    member = UserFactory(username="ann")
    log_in_client(client, member)

    refused = client.post("/account/delete", data={"username": "ann"})

    assert refused.status_code == 400
    assert User.objects.get(id=member.id).active


def test_the_last_active_admin_cannot_delete_themselves(app, client):
    admin = UserFactory(username="boss", admin=True)
    UserFactory(username="former", admin=True, active=False)
    log_in_client(client, admin)

    page = client.get("/account/delete")
    refused = client.post(
        "/account/delete", data={"username": "boss", "csrf_token": csrf_token(page.text)}
    )

    assert "You are the last active admin" in page.text
    assert refused.status_code == 409
    assert "make another account an admin before deleting yours" in refused.text
    user = User.objects.get(id=admin.id)
    assert user.active
    assert user.deletion_requested_at is None


def test_an_admin_with_another_active_admin_may_delete_themselves(app, client):
    admin = UserFactory(username="boss", admin=True)
    UserFactory(username="deputy", admin=True)
    log_in_client(client, admin)

    answer = _delete(client, "boss")

    assert answer.status_code == 302
    _wait_until_gone(admin.id)


def test_deleting_closes_the_accounts_open_sockets(app, live_server, login):
    member = UserFactory(username="ann")
    http = login(member)
    tab = open_tab(live_server.url, login(member))
    page = http.get(f"{live_server.url}/account/delete", timeout=10)

    answer = http.post(
        f"{live_server.url}/account/delete",
        data={"username": "ann", "csrf_token": csrf_token(page.text)},
        headers={"Referer": page.url},
        timeout=10,
    )

    try:
        assert answer.status_code == 200  # the start page, after the redirect
        assert tab.is_closed_within(5.0)
    finally:
        tab.close()
    assert http.get(f"{live_server.url}/account", timeout=10, allow_redirects=False).is_redirect
    with pytest.raises(AssertionError):
        log_in_http(live_server.url, member)
