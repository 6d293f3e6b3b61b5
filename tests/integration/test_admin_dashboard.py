"""The admin dashboard: users, songs by status, GridFS storage, health, last failures."""

from __future__ import annotations

import re

import pytest
from flask_security.confirmable import confirm_user

from app import paging
from app.accounts import services as accounts
from app.accounts.datastore import USERS
from app.accounts.models import User
from app.accounts.services import repair_user_counts
from app.admin.dashboard import last_failed_songs
from app.database import get_database
from app.library.albums import create_album
from app.library.counters import EVERYONE, counts_of, repair_counters
from app.library.models import Song
from app.library.services import delete_song, requeue, update_song
from app.storage import repair_stored_bytes
from app.storage.gridfs import STORAGE
from tests.explained import RECORDER, explain
from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_client


@pytest.mark.usefixtures("worker")
def test_the_dashboard_counts_users_songs_storage_and_failures(app, client):
    admin = UserFactory(username="boss", admin=True)
    member = UserFactory()
    UserFactory(username="newcomer", unconfirmed=True, inactive=True)
    SongFactory(owner=member, title="Fine", status="ready")
    broken = SongFactory(
        owner=member, title="Broken", status="failed", status_reason="This file is not audio."
    )
    log_in_client(client, admin)

    page = client.get("/admin/").text

    assert "<strong>3</strong> in all, 2 active, 1 not yet confirmed" in page
    assert "ready: <strong>1</strong>" in page
    assert "failed: <strong>1</strong>" in page
    assert "queued: <strong>0</strong>" in page
    assert "162.5 kB" in page  # two copies of the 81,227-byte fixture
    assert "This file is not audio." in page
    assert f'<a href="/songs/{broken.id}">Broken</a>' in page
    assert 'worker: <span class="status status-ready">up</span>' in page


def figures(client) -> str:
    return client.get("/admin/").text


def test_the_dashboard_figures_follow_every_change(app, client):
    admin = UserFactory(username="boss", admin=True)
    newcomer = UserFactory(unconfirmed=True)
    leaving = UserFactory()
    with app.app_context():
        song = SongFactory(owner=leaving, title="Gone soon")
        SongFactory(owner=admin, title="Stays")
    log_in_client(client, admin)
    assert "<strong>3</strong> in all, 3 active, 1 not yet confirmed" in figures(client)
    assert "162.5 kB" in figures(client)

    with app.test_request_context():
        confirm_user(User.objects.get(id=newcomer.id))
        accounts.set_active(User.objects.get(id=newcomer.id), False)
        delete_song(Song.objects.get(id=song.id))
    assert "<strong>3</strong> in all, 2 active, 0 not yet confirmed" in figures(client)
    assert "81.2 kB" in figures(client)

    with app.test_request_context():
        accounts.set_active(User.objects.get(id=newcomer.id), True)
        accounts.delete_user(User.objects.get(id=leaving.id))
    assert "<strong>2</strong> in all, 2 active, 0 not yet confirmed" in figures(client)
    with app.app_context():
        assert repair_user_counts() == 0
        assert repair_stored_bytes() == 0


def test_the_last_failed_songs_are_the_newest_failures_read_by_position(app, client):
    admin = UserFactory(username="boss", admin=True)
    with app.app_context():
        failed = [
            SongFactory(owner=admin, title=f"Broken {n}", status="failed", status_reason="no")
            for n in range(100)
        ]
        edited = update_song(failed[3], title="Broken, renamed", rating=None, album=None)
        requeue(failed[99])
        SongFactory(owner=admin, title="Fine", status="ready")
    log_in_client(client, admin)
    client.get("/admin/")  # warm: indexes, engine check

    with RECORDER.recording() as finds:
        page = client.get("/admin/").text
    with app.app_context():
        examined = explain(get_database(), finds)

    shown = re.findall(r'<a href="/songs/[0-9a-f]{24}">([^<]+)</a>', page)
    assert shown == [edited.title] + [f"Broken {n}" for n in range(98, 79, -1)]
    songs = [find for find in examined if find.collection == "songs"]
    assert [find.filter for find in songs if find.scans] == []
    assert sum(find.documents for find in songs) <= 3 * 20  # of 99 failed songs


def test_figures_counted_before_their_counters_existed_are_read_from_the_collections(app, client):
    admin = UserFactory(username="boss", admin=True)
    UserFactory(unconfirmed=True)
    with app.app_context():
        album = create_album(admin, title="Old times")
        broken = SongFactory(owner=admin, title="Broken", status="failed", status_reason="no")
        SongFactory(owner=admin, title="Fine", album=album, status="ready")
        paging.counters().update_one({"_id": USERS}, {"$unset": {"active": 1, "unconfirmed": 1}})
        paging.counters().update_one({"_id": EVERYONE}, {"$unset": {"albums": 1, "ratings": 1}})
        paging.counters().delete_one({"_id": STORAGE})
        Song.objects(id=broken.id).update(unset__failed_seq=True)
    log_in_client(client, admin)

    page = figures(client)
    albums = client.get("/admin/albums").text
    by_rating = client.get("/songs?sort=rating").text

    assert "<strong>2</strong> in all, 2 active, 1 not yet confirmed" in page
    assert "162.5 kB" in page
    assert f'<a href="/songs/{broken.id}">Broken</a>' in page
    assert "1 album" in albums
    assert 0 < by_rating.index(">Fine<") < by_rating.index(">Broken<")  # newest first
    with app.app_context():
        repair_user_counts()
        repair_counters()
        repair_stored_bytes()
        assert counts_of(EVERYONE).rated
        assert last_failed_songs(1)[0].id == broken.id
