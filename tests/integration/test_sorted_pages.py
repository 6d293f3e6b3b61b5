"""Library sorts other than upload order: the pages walk every song once in the order
asked, both query shapes (SecantusDB's windows, MongoDB's natural form) give the same
pages, the counts they use follow every change, and a page reads about a page of songs."""

from __future__ import annotations

import random

import pytest

from app import paging, value_windows
from app.database import get_database
from app.library import counters, services
from app.library.albums import create_album
from app.library.models import Song
from app.library.queries import SongQuery, list_songs
from tests.explained import RECORDER, explain
from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_client

STATUSES = ("ready", "ready", "ready", "failed", "queued")
#: Titles with ties, long shared prefixes, digits, punctuation, case and accents.
TITLES = ("Song {}", "Song {}", "Untitled", "Été {}", "a cappella {}", "10 {}", "Zebra", "{}!")


@pytest.fixture
def library(app):
    """A member's 80 songs and another member's 20: ratings from none to 5, a third in an
    album, mixed statuses, titles and durations with ties (queued songs have no duration
    yet); then songs renamed, ratings changed, songs moved between albums, some deleted,
    the way members do."""
    rng = random.Random(11)
    with app.app_context():
        member, other = UserFactory(), UserFactory()
        albums = [create_album(member, title=f"Album {n}") for n in range(2)]
        songs = []
        for number in range(100):
            owner = member if number < 80 else other
            status = rng.choice(STATUSES)
            songs.append(
                SongFactory(
                    owner=owner,
                    title=rng.choice(TITLES).format(number),
                    duration=None
                    if status == "queued"
                    else rng.choice((180.0, 61.5, number * 7.25)),
                    rating=rng.choice((None, 1, 2, 3, 4, 5, 5)),
                    album=albums[number % 2] if owner == member and number % 3 == 0 else None,
                    status=status,
                )
            )
        for song in rng.sample(songs[:80], 25):
            services.update_song(
                song,
                title=rng.choice((song.title, rng.choice(TITLES).format(rng.randrange(1000)))),
                rating=rng.choice((None, 1, 2, 3, 4, 5)),
                album=rng.choice((None, *albums)),
            )
        for song in rng.sample(songs, 15):
            services.delete_song(song)
    return member, albums


def expected_order(scope: dict, *, direction: int) -> list:
    """The order the rating sort promises, from every song of ``scope``: rating (none
    below 1), then upload position the same way round."""
    field = "album_seq" if "album" in scope else "seq" if "owner" in scope else "all_seq"
    docs = list(Song._get_collection().find(scope))
    docs.sort(key=lambda doc: (doc.get("rating") or 0, doc[field]), reverse=direction == -1)
    return [doc["_id"] for doc in docs]


def walk(query: SongQuery) -> tuple[list, set[int]]:
    seen, totals, cursor = [], set(), None
    while True:
        page = list_songs(
            SongQuery(
                owner=query.owner,
                album=query.album,
                status=query.status,
                sort=query.sort,
                direction=query.direction,
                cursor=cursor,
                limit=query.limit,
            )
        )
        seen += [row.song.id for row in page.rows]
        totals.add(page.total)
        cursor = page.next_cursor
        if cursor is None:
            return seen, totals


def scope_of(library, scope: str, album_index: int = 0) -> tuple:
    """(owner, album, filters, position field, counter key) of a named scope; "album" is
    the member's album number ``album_index``."""
    member, albums = library
    if scope == "album":
        album = albums[album_index]
        where, field, key = {"album": album.id}, "album_seq", counters.album_key(album.id)
        return member, album, where, field, key
    if scope == "member":
        return member, None, {"owner": member.id}, "seq", counters.library_key(member.id)
    return None, None, {}, "all_seq", counters.EVERYONE


#: (scope, status, direction) cases the walks cover; one library serves them all.
RATING_CASES = [
    (scope, status, direction)
    for scope in ("member", "album", "everyone")
    for status in (None, "ready", "failed")
    for direction in (-1, 1)
]


def test_rating_pages_walk_every_song_once_in_order(app, library):
    for scope, status, direction in RATING_CASES:
        case = (scope, status, direction)
        with app.app_context():
            owner, album, filters, _, _ = scope_of(library, scope)
            if status:
                filters["status"] = status

            seen, totals = walk(
                SongQuery(
                    owner=owner,
                    album=album,
                    status=status,
                    sort="rating",
                    direction=direction,
                    limit=4,
                )
            )

            assert seen == expected_order(filters, direction=direction), case
        assert totals == {len(seen)}, case
        assert seen, case  # every case has songs to order


def test_windowed_and_natural_rating_pages_agree(app, library):
    cases = [
        (scope, status, descending)
        for scope in ("member", "album", "everyone")
        for status in (None, "ready")
        for descending in (True, False)
    ]
    for scope, status, descending in cases:
        with app.app_context():
            pages = rating_pages_both_ways(library, scope, status, descending)

        assert pages[True] == pages[False], (scope, status, descending)
        assert len(pages[True]) > 2, (scope, status, descending)


def rating_pages_both_ways(library, scope: str, status, descending: bool) -> dict:
    """The pages of a rating walk in limit-3 steps, windowed (True) and natural (False)."""
    _, _, where, field, key = scope_of(library, scope, album_index=1)
    if status:
        where["status"] = status
    counts = counters.counts_of(key)
    ratings = counters.RATINGS[::-1] if descending else counters.RATINGS
    groups = [(rating, counts.by_rating[rating]) for rating in ratings]
    pages = {}
    for windows in (True, False):
        start, walked = None, []
        while True:
            found = paging.grouped_page(
                Song._get_collection(),
                where,
                "rating",
                groups,
                field,
                descending=descending,
                start=start,
                last=counts.last_position,
                limit=3,
                windows=windows,
            )
            if not found:
                break
            walked.append([doc["_id"] for doc in found])
            start = (found[-1].get("rating"), found[-1][field])
        pages[windows] = walked
    return pages


@pytest.mark.parametrize(("sort", "field"), [("title", "title_key"), ("duration", "duration")])
def test_value_pages_walk_every_song_once_in_order(app, library, sort, field):
    cases = [
        (scope, status, direction)
        for scope in ("member", "album", "everyone")
        for status in (None, "ready", "queued")
        for direction in (-1, 1)
    ]
    for scope, status, direction in cases:
        case = (scope, status, direction)
        with app.app_context():
            owner, album, where, _, _ = scope_of(library, scope)
            if status:
                where["status"] = status
            docs = list(Song._get_collection().find(where))
            docs.sort(key=lambda doc: value_windows.order_key(doc, field), reverse=direction == -1)

            seen, totals = walk(
                SongQuery(
                    owner=owner, album=album, status=status, sort=sort, direction=direction, limit=3
                )
            )

        assert seen == [doc["_id"] for doc in docs], case
        assert totals == {len(seen)}, case
        assert seen, case  # every case has songs to order


@pytest.mark.parametrize("field", ["title_key", "duration"])
def test_windowed_and_natural_value_pages_agree(app, library, field):
    """Page by page, whether the first window is sized from a sample or from nothing
    (the windows then find the songs by growing)."""
    cases = [
        (scope, descending, status, sampled)
        for scope in ("member", "album", "everyone")
        for descending in (True, False)
        for status, sampled in ((None, True), ("ready", True), (None, False))
    ]
    for scope, descending, status, sampled in cases:
        with app.app_context():
            pages = value_pages_both_ways(library, field, scope, status, descending, sampled)

        assert pages[True] == pages[False], (scope, descending, status, sampled)
        assert len(pages[True]) > 2, (scope, descending, status, sampled)


def value_pages_both_ways(
    library, field: str, scope: str, status, descending: bool, sampled: bool
) -> dict:
    """The pages of a value walk in limit-2 steps, windowed (True) and natural (False)."""
    axis = value_windows.STRINGS if field == "title_key" else value_windows.NUMBERS
    _, _, where, position_field, key = scope_of(library, scope)
    counts = counters.counts_of(key)
    collection = Song._get_collection()
    sample = paging.position_sample(
        collection, where, position_field, last=counts.last_position, size=8, projection=[field]
    )
    if status:
        where["status"] = status
    pages = {}
    for windows in (True, False):
        start, walked = None, []
        while True:
            found = value_windows.value_page(
                collection,
                where,
                field,
                axis,
                descending=descending,
                start=start,
                limit=2,
                count=counts.songs,
                sample=lambda: [doc.get(field) for doc in sample] if sampled else [],
                nullable=field == "duration",
                windows=windows,
            )
            if not found:
                break
            walked.append([doc["_id"] for doc in found])
            start = (found[-1].get(field), found[-1]["_id"])
        pages[windows] = walked
    return pages


def test_a_value_cursor_of_the_wrong_kind_is_refused(app, library, client):
    member, _ = library
    log_in_client(client, member)
    cursor = next_page(client.get("/songs?sort=title").text).split("after=", 1)[1]

    response = client.get(f"/songs?sort=duration&after={cursor}")

    assert response.status_code == 422
    assert "is not a cursor this listing gave out" in response.text


def test_rating_and_album_counts_follow_every_change(app, library):
    member, albums = library
    with app.app_context():
        create_album(member, title="Spare")
        services.delete_album(albums[1], delete_songs=False)
        assert counters.counts_of(counters.library_key(member.id)).albums == 2

        assert counters.repair_counters() == 0


def test_a_cursor_from_another_listing_is_refused(app, library, client):
    member, _ = library
    log_in_client(client, member)
    cursor = next_page(client.get("/songs").text).split("after=", 1)[1]

    response = client.get(f"/songs?sort=rating&after={cursor}")

    assert response.status_code == 422
    assert "is not a cursor this listing gave out" in response.text


#: Every order a page can be asked in, with and without a status.
SORTED_URLS = (
    "/songs",
    "/songs?sort=rating",
    "/songs?sort=rating&order=asc",
    "/songs?sort=rating&status=failed",
    "/songs?sort=title",
    "/songs?sort=title&order=desc",
    "/songs?sort=title&status=failed",
    "/songs?sort=duration",
    "/songs?sort=duration&order=desc&status=ready",
)


@pytest.mark.parametrize("admin", [False, True], ids=["member", "admin"])
def test_a_sorted_page_reads_about_a_page_of_songs(app, client, admin):
    """300 songs: in every order, a page of 25, the first or two pages in, examines at
    most a few pages' worth of songs, never the rest of the library, and no query scans
    (an admin's listing is everyone's songs)."""
    owner = UserFactory(admin=admin)
    with app.app_context():
        album = create_album(owner, title="Live")
        for number in range(300):
            SongFactory(
                owner=owner,
                title=f"Song {number}",
                duration=None if number % 10 == 0 else number * 1.5,
                rating=number % 5 + 1 if number % 7 else None,
                album=album if number % 3 == 0 else None,
                status="failed" if number % 3 == 1 else "ready",
            )
    log_in_client(client, owner)
    for url in SORTED_URLS:
        for _ in range(3):
            client.get(url)  # warm: indexes, engine check
            with RECORDER.recording() as finds:
                response = client.get(url)
            assert response.status_code == 200
            with app.app_context():
                examined = explain(get_database(), finds)
            songs = [find for find in examined if find.collection == "songs"]
            assert songs, url
            assert [find.filter for find in songs if find.scans] == [], url
            assert sum(find.documents for find in songs) <= 4 * 26, url
            url = next_page(response.text)


def next_page(html: str) -> str:
    link = html.split('<a rel="next" href="', 1)[1].split('"', 1)[0]
    return link.replace("&amp;", "&")
