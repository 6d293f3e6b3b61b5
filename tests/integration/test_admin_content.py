"""Songs and albums in the admin area: listing and filters, deletion with the audio
files, bulk re-processing and deletion, album deletion keeping or deleting songs."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import User
from app.admin.models import AuditEntry
from app.database import get_database
from app.library.models import Album, Song
from app.signals import song_queued
from tests.factories import AlbumFactory, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


@pytest.fixture
def token(app, client) -> str:
    admin = UserFactory(username="boss", admin=True)
    return csrf_token(log_in_client(client, admin).text)


@pytest.fixture
def mia(app) -> User:
    return UserFactory(username="mia")


@pytest.fixture
def otto(app) -> User:
    return UserFactory(username="otto")


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/songs/[0-9a-f]{24}" title="Play">([^<]*)</a>', html)


def stored_files() -> tuple[int, int]:
    database = get_database()
    return (
        database["songs.files"].count_documents({}),
        database["songs.chunks"].count_documents({}),
    )


def test_songs_are_listed_with_owner_status_size_and_duration(app, client, token, mia):
    song = SongFactory(owner=mia, title="Tune", status="ready", duration=125.0)

    page = client.get("/admin/songs").text

    assert titles(page) == ["Tune"]
    row = re.search(rf'<tr data-song-id="{song.id}">.*?</tr>', page, re.S).group(0)
    assert '<a href="/admin/songs?owner=mia">mia</a>' in row
    assert 'class="status status-ready"' in row
    assert "81.2 kB" in row
    assert "2:05" in row
    assert f'href="/songs/{song.id}/edit"' in row
    assert f'href="/songs/{song.id}/download"' in row


def test_songs_filter_by_status_and_owner(app, client, token, mia, otto):
    SongFactory(owner=mia, title="Mine ready", status="ready")
    SongFactory(owner=mia, title="Mine failed", status="failed", status_reason="broken")
    SongFactory(owner=otto, title="Theirs failed", status="failed", status_reason="broken")

    assert sorted(titles(client.get("/admin/songs?status=failed").text)) == [
        "Mine failed",
        "Theirs failed",
    ]
    assert titles(client.get("/admin/songs?status=failed&owner=MIA").text) == ["Mine failed"]
    unknown = client.get("/admin/songs?owner=nobody")
    assert unknown.status_code == 422
    assert "Nobody is called nobody." in unknown.text


def test_deleting_a_song_removes_its_file_and_chunks(app, client, token, mia):
    doomed = SongFactory(owner=mia, title="Doomed")
    SongFactory(owner=mia, title="Kept")
    files, chunks = stored_files()

    response = client.post(
        f"/admin/songs/{doomed.id}/delete",
        data={"csrf_token": token, "next": "/admin/songs?owner=mia"},
    )

    assert response.headers["Location"] == "/admin/songs?owner=mia"
    assert [song.title for song in Song.objects] == ["Kept"]
    assert stored_files() == (files - 1, chunks // 2)
    assert get_database()["songs.files"].count_documents({"_id": doomed.file_id}) == 0
    assert get_database()["songs.chunks"].count_documents({"files_id": doomed.file_id}) == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target) == ("song.delete", "song “Doomed” of mia")


def test_bulk_reprocess_queues_the_songs_again(app, client, token, mia):
    failed = SongFactory(owner=mia, title="Failed", status="failed", status_reason="Worker bug")
    ready = SongFactory(owner=mia, title="Ready", status="ready")
    untouched = SongFactory(
        owner=mia, title="Untouched", status="failed", status_reason="Worker bug"
    )
    announced: list[str] = []

    def remember(sender, *, song_id: str) -> None:
        announced.append(song_id)

    with song_queued.connected_to(remember, sender=app):
        response = client.post(
            "/admin/songs/bulk",
            data={
                "csrf_token": token,
                "ids": [str(failed.id), str(ready.id)],
                "action": "reprocess",
            },
            follow_redirects=True,
        )

    assert "2 songs queued for processing." in response.text
    # Announced as queued, so the worker processes them again (a worker running in this
    # session may already have picked them up: their reasons are gone either way).
    assert sorted(announced) == sorted([str(failed.id), str(ready.id)])
    assert Song.objects.get(id=failed.id).status in ("queued", "processing", "ready")
    assert Song.objects.get(id=failed.id).status_reason == ""
    assert Song.objects.get(id=untouched.id).status == "failed"
    assert sorted(entry.details["previous"] for entry in AuditEntry.objects) == ["failed", "ready"]


def test_bulk_delete_removes_songs_and_files(app, client, token, mia, otto):
    songs = [SongFactory(owner=mia, title="One"), SongFactory(owner=otto, title="Two")]
    kept = SongFactory(owner=otto, title="Kept")

    client.post(
        "/admin/songs/bulk",
        data={"csrf_token": token, "ids": [str(song.id) for song in songs], "action": "delete"},
    )

    assert [song.title for song in Song.objects] == ["Kept"]
    assert get_database()["songs.files"].count_documents({}) == 1
    assert get_database()["songs.chunks"].count_documents({"files_id": {"$ne": kept.file_id}}) == 0
    assert AuditEntry.objects(action="song.delete").count() == 2


def test_bulk_actions_need_songs_and_a_known_action(client, token):
    nothing = client.post(
        "/admin/songs/bulk",
        data={"csrf_token": token, "action": "delete"},
        follow_redirects=True,
    )
    unknown = client.post(
        "/admin/songs/bulk",
        data={"csrf_token": token, "ids": ["0" * 24], "action": "explode"},
        follow_redirects=True,
    )

    assert "Choose at least one song." in nothing.text
    assert "Choose what to do with the chosen songs." in unknown.text


def test_albums_are_listed_with_owner_and_song_count(app, client, token, mia, otto):
    blue = AlbumFactory(owner=mia, title="Blue")
    AlbumFactory(owner=otto, title="Empty")
    SongFactory(owner=mia, title="One", album=blue)
    SongFactory(owner=mia, title="Two", album=blue)

    page = client.get("/admin/albums").text
    only_otto = client.get("/admin/albums?owner=Otto").text

    rows = re.findall(
        r'<a href="/albums/[0-9a-f]{24}">([^<]+)</a>.*?owner=(\w+)".*?'
        r'data-testid="album-songs">(\d+)<',
        page,
        re.S,
    )
    assert rows == [("Blue", "mia", "2"), ("Empty", "otto", "0")]
    assert "Blue" not in only_otto
    assert "Empty" in only_otto


def album_titles(html: str) -> list[str]:
    return re.findall(r'<a href="/albums/[0-9a-f]{24}">([^<]+)</a>', html)


def make_albums(owner: User, count: int) -> list[Album]:
    return [AlbumFactory(owner=owner, title=f"Album {number:02d}") for number in range(count)]


def next_link(html: str) -> str:
    return re.search(r'<a rel="next" href="([^"]+)"', html)[1].replace("&amp;", "&")


def test_albums_come_fifty_to_a_page(app, client, token, mia):
    with app.app_context():
        make_albums(mia, 55)

    first = client.get("/admin/albums").text
    second = client.get(next_link(first)).text

    assert album_titles(first) == [f"Album {number:02d}" for number in range(50)]
    assert album_titles(second) == [f"Album {number:02d}" for number in range(50, 55)]
    assert "55 albums" in first
    assert "55 albums" in second
    assert next_link(first).startswith("/admin/albums?after=")
    assert "First page" not in first
    assert 'href="/admin/albums">« First page</a>' in second
    assert 'rel="next"' not in second


def test_album_pages_keep_the_owner_filter(app, client, token, mia, otto):
    with app.app_context():
        make_albums(mia, 51)
        AlbumFactory(owner=otto, title="Album 00")

    first = client.get("/admin/albums?owner=mia").text
    second = client.get(next_link(first)).text

    assert "51 albums" in first
    assert "owner=mia" in next_link(first)
    assert album_titles(second) == ["Album 50"]


def test_an_album_page_cursor_that_was_not_given_out_is_refused(client, token, mia):
    response = client.get("/admin/albums?after=not-a-cursor")

    assert response.status_code == 422
    assert "is not a page of this list" in response.text


def test_deleting_the_only_album_of_the_last_page_returns_to_the_first_page(
    app, client, token, mia
):
    with app.app_context():
        last = make_albums(mia, 51)[-1]
    second_page = next_link(client.get("/admin/albums").text)

    response = client.post(
        f"/admin/albums/{last.id}/delete",
        data={"csrf_token": token, "songs": "keep", "next": second_page},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Album “Album 50” deleted." in response.text
    assert album_titles(response.text) == [f"Album {number:02d}" for number in range(50)]
    assert "50 albums" in response.text
    assert 'rel="next"' not in response.text  # one page left: no next page


@pytest.mark.parametrize("choice", ["keep", "delete"])
def test_deleting_an_album_keeps_or_deletes_its_songs(app, client, token, mia, choice):
    album = AlbumFactory(owner=mia, title="Gone")
    SongFactory(owner=mia, title="Inside", album=album)

    response = client.post(
        f"/admin/albums/{album.id}/delete",
        data={"csrf_token": token, "songs": choice},
        follow_redirects=True,
    )

    assert Album.objects.count() == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target) == ("album.delete", "album “Gone” of mia")
    if choice == "keep":
        assert "Album “Gone” deleted." in response.text
        assert Song.objects.get(title="Inside").album is None
    else:
        assert "Album “Gone” deleted with 1 song." in response.text
        assert Song.objects.count() == 0
        assert stored_files() == (0, 0)
