"""The main pages at 1,000, 10,000 and 100,000 songs: do they stay flat as a library grows?

    .venv/bin/python -m bench.library_page --sizes 1000,10000,100000 --requests 100

For each size, one member gets that many songs, bulk-inserted in the shape
app/library/models.py defines (ready songs with an 800-point waveform, one in two in one
of 20 albums, five whose title has a rare word), with their positions and counters as the
services would have set them. Then, through the real web server (wsgi.py, eventlet) with
a logged-in session and one request at a time: the library's first page, its page 40
(39 "next" links in), an album page, a search matching five songs, the home page, and the
library by rating (first page and page 40), by title (first page and page 40) and by
duration (first page: each duration is shared by one song in 180). Each gives p50/p95
latency and requests/s; the 100k/1k ratio of the p50 shows the growth. Then, for each
``--users`` size, an admin's pages: the user list newest first and by username (first
page and a page halfway through) and the album list.

Baseline in the same run, on the same MongoDB: a bare Flask app (werkzeug's threaded
server, in its own process) that does the library page's database work (the counter, the
page of songs by position, their albums) with pymongo and renders the same columns
without layout, session or MongoEngine. The ratio of requests/s shows what the framework
around the queries costs.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

from app.library.queries import _encode_cursor
from bench.harness import (
    bench_run,
    log_in,
    median,
    percentile,
    print_table,
    ratio,
)

DEEP_PAGES = 39  # "Next" links followed: the page measured is page 40
PAGE_SIZE = 25
ALBUMS = 20
RARE_WORD = "zephyr"
RARE_SONGS = 5
#: Goals: p50 under this at 1,000 and 10,000 songs, and 100k no more than GROWTH x 1k.
P50_GOAL_MS = 30
GROWTH_GOAL = 2.0


# --- the baseline: a bare Flask + pymongo app ---------------------------------------

BARE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Songs</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main><h1>Your songs</h1><p>{{ total }} songs</p>
<table class="table"><thead><tr><th>Title</th><th>Album</th><th>Rating</th><th>Duration</th>
<th>Status</th><th>File Name</th><th>Uploaded</th><th></th></tr></thead><tbody>
{% for song in songs %}{% set album = albums.get(song.album) %}
<tr data-song-id="{{ song._id }}">
<td><a href="/songs/{{ song._id }}">{{ song.title }}</a></td>
<td>{% if album %}<a href="/albums/{{ album._id }}">{{ album.title }}</a>{% else %}&ndash;{% endif %}</td>
<td>{% if song.rating %}<span class="stars" title="{{ song.rating }} of 5">{{ "★" * song.rating }}{{ "☆" * (5 - song.rating) }}</span>{% else %}&ndash;{% endif %}</td>
<td>{% if song.duration is not none %}{{ "%d:%02d" | format(song.duration // 60, song.duration % 60) }}{% else %}&ndash;{% endif %}</td>
<td><span class="status status-{{ song.status }}" data-status-for="{{ song._id }}" title="{{ song.status_reason }}">{{ song.status }}</span></td>
<td class="filename">{{ song.original_filename }}</td>
<td><time datetime="{{ song.created_at.isoformat() }}">{{ song.created_at.strftime("%Y-%m-%d %H:%M") }}</time></td>
<td><a href="/songs/{{ song._id }}/download">Download</a></td>
</tr>{% endfor %}
</tbody></table>
<nav class="pager">{% if next_cursor %}<a rel="next" href="/songs?after={{ next_cursor }}">Next page »</a>{% endif %}</nav>
</main></body></html>
"""  # noqa: E501 - one template line per table cell


def bare_app(mongodb_uri: str):
    """The library page's database work (the member's counter, one page of songs by
    position, newest first, and their albums), without the framework around it: no
    session, no login, no MongoEngine, no CSRF, no layout. ``?owner=`` names the member."""
    from bson import ObjectId
    from flask import Flask, render_template_string, request
    from pymongo import MongoClient

    from app.library.counters import library_key
    from app.library.queries import _decode_cursor
    from app.paging import LAST, page

    app = Flask("bare_library")
    database = MongoClient(
        mongodb_uri, tz_aware=True, uuidRepresentation="standard"
    ).get_default_database()

    @app.get("/songs")
    def songs():
        owner = ObjectId(request.args["owner"])
        counter = database.counters.find_one({"_id": library_key(owner)}) or {}
        last = counter.get(LAST, 0)
        before = _decode_cursor(request.args["after"])[0] if "after" in request.args else last + 1
        found = page(
            database.songs, {"owner": owner}, "seq", before=before, last=last, limit=PAGE_SIZE + 1
        )
        next_cursor = None
        if len(found) > PAGE_SIZE:
            found = found[:PAGE_SIZE]
            next_cursor = _encode_cursor(found[-1]["seq"], found[-1]["_id"])
        album_ids = list({song["album"] for song in found if song.get("album")})
        albums = {
            album["_id"]: album for album in database.albums.find({"_id": {"$in": album_ids}})
        }
        return render_template_string(
            BARE_PAGE, songs=found, albums=albums, next_cursor=next_cursor, total=counter["songs"]
        )

    return app


def serve_bare(port: int, mongodb_uri: str) -> None:
    from werkzeug.serving import make_server

    make_server("127.0.0.1", port, bare_app(mongodb_uri), threaded=True).serve_forever()


def start_bare(run) -> str:
    from app.config import PROJECT_ROOT
    from app.processes import free_port, spawn, wait_until_ready

    port = free_port()
    log_path = run.logs / "bare.log"
    command = [sys.executable, "-m", "bench.library_page", "--serve-bare", str(port)]
    command += ["--mongodb-uri", run.settings["MONGODB_URI"]]
    process = run.keep(spawn(command, log_path=log_path, cwd=PROJECT_ROOT))
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/", timeout=2).status_code == 404
        except requests.RequestException:
            return False

    wait_until_ready(process, answers, what="bare Flask app", timeout=60, log_path=log_path)
    return url


# --- the data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Library:
    """A member's seeded library and the URLs of the pages to measure."""

    username: str
    owner_id: str
    songs: int
    pages: dict[str, str]
    deep_first_id: str


def insert_library(run, username: str, count: int, waveform_points: int) -> Library:
    """A member with ``count`` ready songs, inserted in batches of 1,000 documents built
    from a validated Song, with the positions and counters the services keep."""
    from bson import Binary, ObjectId

    from app import paging
    from app.database import get_database
    from app.library import counters
    from app.library.albums import create_album
    from app.library.models import Album, Song, pack_peaks

    owner = run.member(username)
    with run.app.app_context():
        Song.ensure_indexes()
        Album.ensure_indexes()
        albums = [
            create_album(owner, title=f"Album {number}", artist="Bench") for number in range(ALBUMS)
        ]
        model = Song(
            title="Template",
            rating=3,
            owner=owner,
            file_id=ObjectId(),
            storage_name="00000000-0000-4000-8000-000000000000",
            original_filename="template.mp3",
            content_type="audio/mpeg",
            format="mp3",
            size=5_761_641,
            sha256="0" * 64,
            duration=240.0,
            bitrate=192_000,
            sample_rate=44_100,
            channels=2,
            tags={"artist": "Bench"},
            waveform=pack_peaks([0.5] * waveform_points),
            status="ready",
        )
        model.clean()
        model.validate()
        template = model.to_mongo().to_dict()
        database = get_database()
        everyone = counters.counts_of(counters.EVERYONE).last_position
        oldest = datetime.now(UTC) - timedelta(seconds=count)
        rare = {count * (number + 1) // (RARE_SONGS + 1) for number in range(RARE_SONGS)}
        album_sizes = [0] * ALBUMS
        album_ratings = [Counter() for _ in range(ALBUMS)]
        batch = []
        for number in range(count):
            album_index = number % (2 * ALBUMS)
            title = f"Song {number:06d} of the bench" + (f" {RARE_WORD}" if number in rare else "")
            document = {
                **template,
                "_id": ObjectId(),
                "title": title,
                "title_key": title.lower(),
                "rating": number % 5 + 1,
                "file_id": ObjectId(),
                "original_filename": f"song-{number:06d}.mp3",
                "duration": 120.0 + number % 180,
                "waveform": Binary(
                    pack_peaks([(number + point) % 100 / 100 for point in range(waveform_points)])
                ),
                "seq": number + 1,
                "all_seq": everyone + number + 1,
                "created_at": oldest + timedelta(seconds=number),
                "updated_at": oldest + timedelta(seconds=number),
            }
            words = title.lower().split()
            if album_index < ALBUMS:
                album_sizes[album_index] += 1
                album_ratings[album_index][f"ratings.{document['rating']}"] += 1
                document["album"] = albums[album_index].id
                document["album_seq"] = album_sizes[album_index]
                words += ["album", str(album_index), "bench"]
            else:
                document.pop("album", None)
            document["search_words"] = list(dict.fromkeys(words))
            batch.append(document)
            if len(batch) == 1000:
                database["songs"].insert_many(batch)
                batch = []
        if batch:
            database["songs"].insert_many(batch)
        counts = {"songs": count, "status.ready": count}
        counts.update(Counter(f"ratings.{number % 5 + 1}" for number in range(count)))
        paging.counters().update_one(
            {"_id": counters.library_key(owner.id)},
            {"$set": {**counts, paging.LAST: count}},
            upsert=True,
        )
        paging.counters().update_one(
            {"_id": counters.EVERYONE},
            {"$inc": counts, "$set": {paging.LAST: everyone + count}},
            upsert=True,
        )
        for album, size, ratings in zip(albums, album_sizes, album_ratings, strict=True):
            paging.counters().update_one(
                {"_id": counters.album_key(album.id)},
                {"$set": {"songs": size, **ratings, paging.LAST: size}},
                upsert=True,
            )
        deep_last = database["songs"].find_one(
            {"owner": owner.id, "seq": count - DEEP_PAGES * PAGE_SIZE + 1}
        )
        deep_first = database["songs"].find_one(
            {"owner": owner.id, "seq": count - DEEP_PAGES * PAGE_SIZE}
        )
        # By rating, best first, a rating's songs newest first: (rating, seq) descending.
        by_rating = sorted(range(count), key=lambda n: (n % 5 + 1, n + 1), reverse=True)
        rated_last = database["songs"].find_one(
            {"owner": owner.id, "seq": by_rating[DEEP_PAGES * PAGE_SIZE - 1] + 1}
        )
        # By title: the zero-padded numbers in order.
        titled_last = database["songs"].find_one({"owner": owner.id, "seq": DEEP_PAGES * PAGE_SIZE})
    cursor = _encode_cursor(deep_last["seq"], deep_last["_id"])
    titled = _encode_cursor(titled_last["title_key"], titled_last["_id"])
    rated = _encode_cursor([rated_last["rating"], rated_last["seq"]], rated_last["_id"])
    return Library(
        username=username,
        owner_id=str(owner.id),
        songs=count,
        pages={
            "library, first page": "/songs",
            f"library, page {DEEP_PAGES + 1}": f"/songs?after={cursor}",
            "album page": f"/albums/{albums[0].id}",
            "search, 5 matches": f"/songs?q={RARE_WORD}",
            "home": "/",
            "by rating, first page": "/songs?sort=rating",
            f"by rating, page {DEEP_PAGES + 1}": f"/songs?sort=rating&after={rated}",
            "by title, first page": "/songs?sort=title",
            f"by title, page {DEEP_PAGES + 1}": f"/songs?sort=title&after={titled}",
            "by duration, first page": "/songs?sort=duration",
        },
        deep_first_id=str(deep_first["_id"]),
    )


def insert_users(run, count: int) -> None:
    """``count`` more member accounts, inserted in batches with their positions and the
    accounts' counter moved on, as the datastore would have done one by one."""
    import uuid

    from app import paging
    from app.accounts.datastore import USERS, role_count_name
    from app.accounts.models import PUBLIC_ROLE, Role, User
    from app.accounts.ranks import rerank_accounts
    from app.accounts.search_words import words_of

    with run.app.app_context():
        public = Role.objects.get(name=PUBLIC_ROLE)
        users = User._get_collection()
        last = paging.read_counters(USERS)[USERS].get(paging.LAST, 0)
        now = datetime.now(UTC)
        batch = []
        for number in range(count):
            tag = uuid.uuid4().hex
            batch.append(
                {
                    "username": f"m{tag[:12]}",
                    "email": f"m{tag[:12]}@example.org",
                    "first_name": "Bench",
                    "last_name": str(number),
                    "password": "not-a-hash",
                    "active": True,
                    "fs_uniquifier": tag,
                    "roles": [public.id],
                    "created_at": now,
                    "confirmed_at": now,
                    "seq": last + number + 1,
                }
            )
            batch[-1]["search_words"] = words_of(batch[-1])
            if len(batch) == 1000:
                users.insert_many(batch)
                batch = []
        if batch:
            users.insert_many(batch)
        paging.counters().update_one(
            {"_id": USERS},
            {
                "$inc": {
                    "users": count,
                    "active": count,
                    "worded": count,
                    role_count_name(public.id): count,
                },
                "$set": {paging.LAST: last + count},
            },
        )
        rerank_accounts(users)  # as registering one by one would have ranked them


# --- the client ---------------------------------------------------------------------


def song_ids_in(page: str) -> list[str]:
    return re.findall(r'<tr data-song-id="([0-9a-f]{24})"', page)


def check_pages(url: str, http: requests.Session, library: Library) -> None:
    """Each page must show what it should, or its timing means nothing."""
    expected_rows = {
        "library, first page": PAGE_SIZE,
        f"library, page {DEEP_PAGES + 1}": PAGE_SIZE,
        "album page": PAGE_SIZE,
        "search, 5 matches": RARE_SONGS,
        "by rating, first page": PAGE_SIZE,
        f"by rating, page {DEEP_PAGES + 1}": PAGE_SIZE,
        "by title, first page": PAGE_SIZE,
        f"by title, page {DEEP_PAGES + 1}": PAGE_SIZE,
        "by duration, first page": PAGE_SIZE,
    }
    for name, path in library.pages.items():
        answer = http.get(f"{url}{path}", timeout=120)
        ids = song_ids_in(answer.text)
        if answer.status_code != 200 or len(ids) != expected_rows.get(name, 0):
            raise RuntimeError(f"{name}: {answer.status_code}, {len(ids)} rows")
        if name.startswith("library, page") and ids[0] != library.deep_first_id:
            raise RuntimeError(f"{name}: starts with {ids[0]}, not {library.deep_first_id}")


@dataclass
class Run:
    """One measured run: the latencies of its requests and how long it took."""

    latencies: list[float]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p50_ms(self) -> float:
        return median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies, 0.95) * 1000


def measure(url: str, http: requests.Session, most: int, budget: float) -> Run:
    """Sequential GETs of ``url``: ``most`` of them, or fewer if ``budget`` seconds run out."""
    for _ in range(3):  # warm up
        http.get(url, timeout=120)
    latencies = []
    started = time.perf_counter()
    deadline = time.monotonic() + budget
    while len(latencies) < most and time.monotonic() < deadline:
        begun = time.perf_counter()
        answer = http.get(url, timeout=120)
        latencies.append(time.perf_counter() - begun)
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}")
    return Run(latencies, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    from app.library.analysis import WAVEFORM_POINTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="songs, comma-separated")
    parser.add_argument("--requests", type=int, default=100, help="most requests per page")
    parser.add_argument("--seconds", type=float, default=10, help="longest one page may take")
    parser.add_argument("--users", default="1000,10000", help="accounts, comma-separated")
    parser.add_argument("--waveform-points", type=int, default=WAVEFORM_POINTS)
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--mongodb-uri", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare(args.serve_bare, args.mongodb_uri)
        return 0

    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[tuple[int, str], Run] = {}
    bare: dict[tuple[int, str], Run] = {}
    with bench_run() as run:
        server = run.web_server()
        bare_url = start_bare(run)
        plain = requests.Session()
        for size in sizes:
            started = time.perf_counter()
            library = insert_library(run, f"bench{size}", size, args.waveform_points)
            took = time.perf_counter() - started
            print(f"inserted {size} songs in {took:.1f} s", flush=True)
            http, _ = log_in(server.url, library.username)
            check_pages(server.url, http, library)
            for name, path in library.pages.items():
                results[size, name] = measure(
                    f"{server.url}{path}", http, args.requests, args.seconds
                )
                if name.startswith("library"):
                    joiner = "&" if "?" in path else "?"
                    bare_path = f"{path}{joiner}owner={library.owner_id}"
                    bare[size, name] = measure(
                        f"{bare_url}{bare_path}", plain, args.requests, args.seconds
                    )
            print(f"measured the pages at {size} songs", flush=True)
        user_sizes = [int(size) for size in args.users.split(",") if size]
        admin_lists: dict[tuple[int, str], Run] = {}
        if user_sizes:
            from app.accounts.services import set_roles

            admin = run.member("benchadmin")
            with run.app.app_context():
                set_roles(admin, ["Admin"])
            http, _ = log_in(server.url, "benchadmin")
            from app.accounts.datastore import USERS
            from app.paging import read_counters

            for size in user_sizes:
                with run.app.app_context():
                    have = read_counters(USERS)[USERS].get("users", 0)
                insert_users(run, size - have)
                deep = size // 50 // 2  # a page halfway through the list
                for name, path in {
                    "users, newest first, page 1": "/admin/users",
                    f"users, newest first, page {deep}": f"/admin/users?page={deep}",
                    "users by username, page 1": "/admin/users?sort=username",
                    f"users by username, page {deep}": f"/admin/users?sort=username&page={deep}",
                    "albums, page 1": "/admin/albums",
                }.items():
                    admin_lists[size, name] = measure(
                        f"{server.url}{path}", http, args.requests, args.seconds
                    )
                print(f"measured the admin's lists at {size} accounts", flush=True)

    names = list(library.pages)
    rows = []
    for size in sizes:
        for name in names:
            ours = results[size, name]
            baseline = bare.get((size, name))
            rows.append(
                [
                    f"{size:,}",
                    name,
                    f"{ours.p50_ms:.1f} / {ours.p95_ms:.1f}",
                    f"{ours.rate:.1f}",
                    f"{baseline.p50_ms:.1f}" if baseline else "",
                    ratio(ours.rate, baseline.rate) if baseline else "",
                    "yes" if ours.p50_ms < P50_GOAL_MS else "NO",
                ]
            )
    print_table(
        f"one member's pages, sequential requests (goal: p50 < {P50_GOAL_MS} ms)",
        ["songs", "page", "p50 / p95 ms", "req/s", "bare p50 ms", "req/s vs bare", "< goal"],
        rows,
    )
    if admin_lists:
        print_table(
            f"the admin's pages (goal: p50 < {P50_GOAL_MS} ms)",
            ["accounts", "page", "p50 / p95 ms", "req/s", "< goal"],
            [
                [
                    f"{size:,}",
                    name,
                    f"{run_.p50_ms:.1f} / {run_.p95_ms:.1f}",
                    f"{run_.rate:.1f}",
                    "yes" if run_.p50_ms < P50_GOAL_MS else "NO",
                ]
                for (size, name), run_ in admin_lists.items()
            ],
        )
    if len(sizes) > 1:
        smallest, largest = sizes[0], sizes[-1]
        growth = [
            [
                name,
                f"{results[smallest, name].p50_ms:.1f}",
                f"{results[largest, name].p50_ms:.1f}",
                f"{results[largest, name].p50_ms / results[smallest, name].p50_ms:.2f}x",
                "yes"
                if results[largest, name].p50_ms <= GROWTH_GOAL * results[smallest, name].p50_ms
                else "NO",
            ]
            for name in names
        ]
        print_table(
            f"growth from {smallest:,} to {largest:,} songs (goal: at most {GROWTH_GOAL}x)",
            ["page", f"p50 at {smallest:,}", f"p50 at {largest:,}", "growth", "within goal"],
            growth,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
