"""The library page (search, filters, sorts, pages), editing, deleting, and albums."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from app.database import get_database
from app.library.models import Album, Song
from app.library.queries import SongQuery, list_songs
from tests.factories import AlbumFactory, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


@pytest.fixture
def member(app):
    return UserFactory(username="mia", first_name="Mia")


@pytest.fixture
def logged_in(client, member):
    log_in_client(client, member)
    return client


def titles(html: str) -> list[str]:
    return re.findall(r'<td><a href="/songs/[0-9a-f]{24}">([^<]*)</a></td>', html)


def test_search_is_case_insensitive_over_title_album_and_artist(app, logged_in, member):
    with app.app_context():
        blue = AlbumFactory(owner=member, title="Kind of Blue", artist="Miles Davis")
        SongFactory(owner=member, title="So What", album=blue)
        SongFactory(owner=member, title="Blue in Green", album=blue)
        SongFactory(owner=member, title="Giant Steps")
        assert "search_words_1" in Song._get_collection().index_information()

    assert titles(logged_in.get("/songs?q=MILES").text) == ["Blue in Green", "So What"]
    assert titles(logged_in.get("/songs?q=giant ste").text) == ["Giant Steps"]
    assert titles(logged_in.get("/songs?q=kind blue so").text) == ["So What"]
    assert titles(logged_in.get("/songs?q=nothing-like-this").text) == []
    assert titles(logged_in.get("/songs?q=(.*").text) == []  # not a regex


def test_filters_by_album_and_status(app, logged_in, member):
    album = AlbumFactory(owner=member, title="Live")
    SongFactory(owner=member, title="In album", album=album, status="ready")
    SongFactory(owner=member, title="Loose", status="failed", status_reason="broken")

    assert titles(logged_in.get(f"/songs?album={album.id}").text) == ["In album"]
    assert titles(logged_in.get("/songs?status=failed").text) == ["Loose"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=title", ["alpha", "Bravo", "charlie"]),
        ("sort=title&order=desc", ["charlie", "Bravo", "alpha"]),
        ("sort=rating", ["Bravo", "alpha", "charlie"]),
        ("sort=duration", ["charlie", "alpha", "Bravo"]),
        ("sort=date", ["charlie", "Bravo", "alpha"]),
    ],
)
def test_sorts(app, logged_in, member, query, expected):
    SongFactory(owner=member, title="alpha", rating=3, duration=120.0)
    SongFactory(owner=member, title="Bravo", rating=5, duration=300.0)
    SongFactory(owner=member, title="charlie", duration=10.0)

    assert titles(logged_in.get(f"/songs?{query}").text) == expected


@pytest.mark.parametrize("sort", ["date", "title", "rating", "duration"])
def test_keyset_pages_cover_every_song_once(app, member, sort):
    with app.app_context():
        for number in range(23):
            SongFactory(
                owner=member,
                title=f"Song {number % 7}",  # equal titles: the id breaks ties
                rating=(number % 6) or None,  # some without a rating
                duration=float(number % 4) if number % 5 else None,
            )
        seen, cursor = [], None
        while True:
            page = list_songs(SongQuery(owner=member, sort=sort, cursor=cursor, limit=5))
            assert page.total == 23
            seen += [row.song.id for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break

    assert len(seen) == 23
    assert len(set(seen)) == 23


def test_page_links_follow_the_cursor(app, logged_in, member):
    for number in range(30):
        SongFactory(owner=member, title=f"Song {number:02d}")

    first = logged_in.get("/songs?sort=title").text
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = logged_in.get(next_url).text

    assert titles(first) == [f"Song {n:02d}" for n in range(25)]
    assert titles(second) == [f"Song {n:02d}" for n in range(25, 30)]
    assert "First page" in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=loudness", "sort: must be one of"),
        ("status=lost", "status: must be one of"),
        ("after=garbage", "cursor: is not a cursor"),
    ],
)
def test_bad_listing_parameters_are_explained(logged_in, query, message):
    response = logged_in.get(f"/songs?{query}")

    assert response.status_code == 422
    assert message in response.text


def test_members_see_only_their_songs_and_admins_see_all_with_owners(app, client, member):
    other = UserFactory(username="otto")
    SongFactory(owner=member, title="Mine")
    SongFactory(owner=other, title="Theirs")
    log_in_client(client, member)
    assert titles(client.get("/songs").text) == ["Mine"]

    admin = UserFactory(username="root", admin=True)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    log_in_client(client, admin)
    page = client.get("/songs").text

    assert sorted(titles(page)) == ["Mine", "Theirs"]
    assert "<th>Owner</th>" in page
    assert '<td data-label="Owner">otto</td>' in page


def test_the_list_has_file_name_and_download_columns(app, logged_in, member):
    song = SongFactory(owner=member, title="Tune", original_filename="my tune.mp3")

    page = logged_in.get("/songs").text

    assert "<th>File Name</th>" in page
    assert "my tune.mp3" in page
    assert f'href="/songs/{song.id}/download">Download</a>' in page


def test_edit_a_song(app, logged_in, member):
    song = SongFactory(owner=member, title="Old title")
    album = AlbumFactory(owner=member, title="New album")
    form = logged_in.get(f"/songs/{song.id}/edit").text

    response = logged_in.post(
        f"/songs/{song.id}/edit",
        data={
            "title": "New title",
            "rating": "5",
            "album": str(album.id),
            "csrf_token": csrf_token(form),
        },
    )

    assert response.status_code == 302
    song.reload()
    assert (song.title, song.rating, song.album.id) == ("New title", 5, album.id)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "rating": ""}, "Please give the song a title."),
        ({"title": "x" * 201, "rating": ""}, "must be at most 200 characters"),
        ({"title": "ok", "rating": "9"}, "Not a valid choice"),
    ],
)
def test_edit_with_bad_values_shows_the_reason_and_changes_nothing(
    app, logged_in, member, data, message
):
    song = SongFactory(owner=member, title="Kept")
    form = logged_in.get(f"/songs/{song.id}/edit").text

    response = logged_in.post(
        f"/songs/{song.id}/edit", data={**data, "album": "", "csrf_token": csrf_token(form)}
    )

    assert response.status_code in (200, 422)
    assert message in response.text
    assert Song.objects.get(id=song.id).title == "Kept"


def test_delete_a_song_removes_its_file_and_chunks(app, logged_in, member):
    song = SongFactory(owner=member, title="Doomed")
    page = logged_in.get(f"/songs/{song.id}").text

    response = logged_in.post(f"/songs/{song.id}/delete", data={"csrf_token": csrf_token(page)})

    assert response.status_code == 302
    assert Song.objects.count() == 0
    assert get_database()["songs.files"].count_documents({}) == 0
    assert get_database()["songs.chunks"].count_documents({}) == 0


def test_delete_without_csrf_is_refused(app, logged_in, member):
    song = SongFactory(owner=member, title="Safe")

    response = logged_in.post(f"/songs/{song.id}/delete")

    assert response.status_code == 400
    assert Song.objects.count() == 1


def test_create_and_show_an_album(app, logged_in, member):
    page = logged_in.get("/albums/").text
    logged_in.post(
        "/albums/",
        data={
            "title": "Blue Train",
            "artist": "John Coltrane",
            "year": "1957",
            "csrf_token": csrf_token(page),
        },
    )
    album = Album.objects.get(title="Blue Train")
    SongFactory(owner=member, title="Moment's Notice", album=album)

    shown = logged_in.get(f"/albums/{album.id}").text

    assert "John Coltrane" in shown
    assert "Moment&#39;s Notice" in shown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Please give the album a title."),
        ({"title": "ok", "year": "nineteen"}, "must be a year such as 1999"),
        ({"title": "ok", "year": "99999"}, "must be a year such as 1999"),
    ],
)
def test_bad_album_values_are_refused(logged_in, data, message):
    page = logged_in.get("/albums/").text

    response = logged_in.post("/albums/", data={**data, "csrf_token": csrf_token(page)})

    assert response.status_code == 422
    assert message in response.text
    assert Album.objects.count() == 0


def test_renaming_an_album_updates_song_search(app, logged_in, member):
    album = AlbumFactory(owner=member, title="Working Title")
    SongFactory(owner=member, title="Track", album=album)
    page = logged_in.get(f"/albums/{album.id}/edit").text

    logged_in.post(
        f"/albums/{album.id}/edit",
        data={"title": "Final Name", "artist": "", "year": "", "csrf_token": csrf_token(page)},
    )

    assert titles(logged_in.get("/songs?q=final").text) == ["Track"]
    assert titles(logged_in.get("/songs?q=working").text) == []


@pytest.mark.parametrize("choice", ["keep", "delete"])
def test_deleting_an_album_keeps_or_deletes_its_songs(app, logged_in, member, choice):
    album = AlbumFactory(owner=member, title="Gone")
    SongFactory(owner=member, title="Inside", album=album)
    page = logged_in.get(f"/albums/{album.id}").text

    response = logged_in.post(
        f"/albums/{album.id}/delete",
        data={"songs": choice, "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )

    assert response.request.path == "/albums/"
    assert "Album “Gone” deleted" in response.text
    assert Album.objects.count() == 0
    if choice == "keep":
        song = Song.objects.get(title="Inside")
        assert song.album is None
        assert titles(logged_in.get("/songs?q=inside").text) == ["Inside"]
        assert titles(logged_in.get("/songs?q=gone").text) == []
    else:
        assert "deleted with 1 song" in response.text
        assert Song.objects.count() == 0
        assert get_database()["songs.chunks"].count_documents({}) == 0


def test_another_members_album_is_404(app, logged_in):
    theirs = AlbumFactory(owner=UserFactory(), title="Private")

    assert logged_in.get(f"/albums/{theirs.id}").status_code == 404
    assert logged_in.get(f"/albums/{theirs.id}/edit").status_code == 404


@pytest.mark.parametrize(
    "extra", ["_method=DELETE", "endpoint=x", "_scheme=javascript", "_external=1", "foo=bar"]
)
def test_page_links_carry_only_the_listing_arguments(app, logged_in, member, extra):
    with app.app_context():
        for number in range(26):
            SongFactory(owner=member, title=f"Song {number:02d}", content=b"x")

    first = logged_in.get(f"/songs?sort=title&q=song&{extra}")
    assert first.status_code == 200
    next_url = re.search(r'rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = logged_in.get(next_url)

    assert second.status_code == 200
    assert next_url.startswith("/songs?")
    assert "sort=title" in next_url
    assert "q=song" in next_url
    assert extra.split("=")[0] not in next_url
    first_page = re.search(r'href="([^"]+)">« First page', second.text).group(1)
    assert extra.split("=")[0] not in first_page


def test_admin_song_page_links_carry_only_the_filter_arguments(app, client, member):
    admin = UserFactory(username="boss", admin=True)
    for number in range(51):
        SongFactory(owner=member, title=f"Song {number:02d}", content=b"x")
    log_in_client(client, admin)

    first = client.get("/admin/songs?owner=mia&_method=DELETE")
    assert first.status_code == 200
    next_url = re.search(r'rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = client.get(next_url + "&_method=DELETE")

    assert second.status_code == 200
    assert "owner=mia" in next_url
    assert "_method" not in next_url


@pytest.mark.parametrize(("sort", "direction"), [("title", 1), ("title", -1), ("date", None)])
def test_a_search_s_pages_walk_its_matches_once_in_order(app, member, sort, direction):
    """Page by page past each cursor, a search lists what its one page of 20 lists, in
    that order (ties of one title included); songs not matching never appear."""
    with app.app_context():
        for number in range(8):
            SongFactory(owner=member, title=f"Blue {number % 3}", status="ready")
        SongFactory(owner=member, title="Green", status="ready")
        query = SongQuery(owner=member, text="blue", sort=sort, direction=direction, limit=3)
        expected = [row.song.id for row in list_songs(replace(query, limit=20)).rows]
        seen, cursor = [], None
        while True:
            page = list_songs(replace(query, cursor=cursor))
            seen += [row.song.id for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break

    assert len(expected) == 8
    assert seen == expected
