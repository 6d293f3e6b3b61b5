"""The library page with 10,000 songs: the real app against a bare Flask + pymongo route.

    .venv/bin/python -m bench.library_page --songs 10000 --requests 200

One member gets ``--songs`` songs (bulk-inserted in the shape app/library/models.py
defines, indexes created by MongoEngine first; ready songs with an 800-point waveform
and one album in two). Then GET /songs, first page and a page 50 "next" links deep,
through the real web server (wsgi.py, eventlet) with a logged-in session. Baseline in
the same run on the same MongoDB: a bare Flask app (werkzeug's threaded server, in its
own process) doing the same database work (the count of the member's songs the page
shows, then the same find: filter, keyset cursor, sort, limit) and rendering a table
with the same columns. Median latency and requests/s, sequential and with 4
client threads; ratio of requests/s to the baseline (target: at least 0.5x).
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

# The app's own cursor format, so the app and the bare route serve the same pages.
from app.library.queries import _decode_cursor, _encode_cursor
from bench.harness import bench_run, log_in, median, percentile, print_table, ratio, verdict

TARGET = 0.5
DEEP_PAGES = 50
PAGE_SIZE = 25


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


def bare_app(mongodb_uri: str, owner_id: str):
    """The same database work as GET /songs (the member's total, then one page in date
    order, newest first), without the framework around it: no session, no login, no
    MongoEngine, no CSRF, no layout."""
    from bson import ObjectId
    from flask import Flask, render_template_string, request
    from pymongo import MongoClient

    app = Flask("bare_library")
    database = MongoClient(
        mongodb_uri, tz_aware=True, uuidRepresentation="standard"
    ).get_default_database()
    owner = ObjectId(owner_id)

    @app.get("/songs")
    def songs():
        filters: list[dict] = [{"owner": owner}]
        total = database.songs.count_documents({"$and": filters})
        if request.args.get("after"):
            created_at, song_id = _decode_cursor(request.args["after"])
            filters.append(
                {
                    "$or": [
                        {"created_at": {"$lt": created_at}},
                        {"created_at": created_at, "_id": {"$lt": song_id}},
                        {"created_at": None},
                    ]
                }
            )
        found = list(
            database.songs.find(
                {"$and": filters}, sort=[("created_at", -1), ("_id", -1)], limit=PAGE_SIZE + 1
            )
        )
        next_cursor = None
        if len(found) > PAGE_SIZE:
            found = found[:PAGE_SIZE]
            next_cursor = _encode_cursor(found[-1]["created_at"], found[-1]["_id"])
        album_ids = list({song["album"] for song in found if song.get("album")})
        albums = {
            album["_id"]: album for album in database.albums.find({"_id": {"$in": album_ids}})
        }
        return render_template_string(
            BARE_PAGE, songs=found, albums=albums, next_cursor=next_cursor, total=total
        )

    return app


def serve_bare(port: int, mongodb_uri: str, owner_id: str) -> None:
    from werkzeug.serving import make_server

    make_server("127.0.0.1", port, bare_app(mongodb_uri, owner_id), threaded=True).serve_forever()


def start_bare(run, owner_id: str) -> str:
    from app.config import PROJECT_ROOT
    from app.processes import free_port, spawn, wait_until_ready

    port = free_port()
    log_path = run.logs / "bare.log"
    command = [sys.executable, "-m", "bench.library_page", "--serve-bare", str(port)]
    command += ["--mongodb-uri", run.settings["MONGODB_URI"], "--owner", owner_id]
    process = run.keep(spawn(command, log_path=log_path, cwd=PROJECT_ROOT))
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/songs", timeout=2).ok
        except requests.RequestException:
            return False

    wait_until_ready(process, answers, what="bare Flask app", timeout=60, log_path=log_path)
    return url


# --- the data -----------------------------------------------------------------------


def insert_library(run, owner, count: int, waveform_points: int) -> None:
    """``count`` ready songs for ``owner``, one in two in one of 20 albums; each document
    built from a validated Song so it has exactly the model's shape."""
    from bson import Binary, ObjectId

    from app.database import get_database
    from app.library.models import Album, Song, pack_peaks

    with run.app.app_context():
        Song.ensure_indexes()
        Album.ensure_indexes()
        albums = [
            Album(title=f"Album {number}", artist="Bench", owner=owner).save()
            for number in range(20)
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
        newest = datetime.now(UTC)
        songs = get_database()["songs"]
        batch = []
        for number in range(count):
            album = albums[number % 40] if number % 40 < 20 else None
            title = f"Song {number:05d} of the bench"
            document = {
                **template,
                "_id": ObjectId(),
                "title": title,
                "title_key": title.lower(),
                "search_words": ["song", f"{number:05d}", "of", "the", "bench"],
                "rating": number % 5 + 1,
                "file_id": ObjectId(),
                "original_filename": f"song-{number:05d}.mp3",
                "duration": 120.0 + number % 180,
                "waveform": Binary(
                    pack_peaks([(number + point) % 100 / 100 for point in range(waveform_points)])
                ),
                "created_at": newest - timedelta(seconds=60 * number),
                "updated_at": newest,
            }
            if album is not None:
                document["album"] = album.id
                document["search_words"] += ["album", str(number % 40), "bench"]
            else:
                document.pop("album", None)
            batch.append(document)
            if len(batch) == 1000:
                songs.insert_many(batch)
                batch = []
        if batch:
            songs.insert_many(batch)


# --- the client ---------------------------------------------------------------------


def song_ids_in(page: str) -> list[str]:
    return re.findall(r'<tr data-song-id="([0-9a-f]{24})"', page)


def deep_cursor(run, owner, pages: int) -> tuple[str, str]:
    """The ``after`` cursor of the page ``pages`` "next" links in, built from the row
    that ends the page before it (following the links would cost ``pages`` slow pages),
    and the id of the song that must open that page."""
    from app.database import get_database

    with run.app.app_context():
        rows = list(
            get_database()["songs"].find(
                {"owner": owner.id},
                {"created_at": 1},
                sort=[("created_at", -1), ("_id", -1)],
                skip=pages * PAGE_SIZE - 1,
                limit=2,
            )
        )
    return _encode_cursor(rows[0]["created_at"], rows[0]["_id"]), str(rows[1]["_id"])


def check_page(name: str, page: str, first_id: str | None) -> None:
    """Both servers must answer the same rows, or the comparison means nothing."""
    ids = song_ids_in(page)
    if len(ids) != PAGE_SIZE or (first_id and ids[0] != first_id):
        raise RuntimeError(f"{name}: {len(ids)} rows, first {ids[:1]}, expected {first_id}")


@dataclass
class Run:
    """One measured run: latencies of the requests made and how long it took."""

    latencies: list[float]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def latency(self) -> str:
        """Median / p95 latency in ms."""
        p50, p95 = median(self.latencies), percentile(self.latencies, 0.95)
        return f"{p50 * 1000:.0f} / {p95 * 1000:.0f}"


def measure(
    url: str, sessions: list[requests.Session], most: int, budget: float, warm_up: int
) -> Run:
    """GETs of ``url`` from one thread per session, after ``warm_up`` each: ``most``
    requests in all, or fewer if ``budget`` seconds run out first."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    share = most // len(sessions)

    def client(http: requests.Session, count: int, until: float) -> None:
        for _ in range(count):
            if time.monotonic() > until:
                return
            started = time.perf_counter()
            answer = http.get(url, timeout=120)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if answer.status_code != 200:
                    failures.append(str(answer.status_code))

    for http in sessions:
        client(http, warm_up, float("inf"))
    latencies.clear()
    started = time.perf_counter()
    deadline = time.monotonic() + budget
    threads = [threading.Thread(target=client, args=(http, share, deadline)) for http in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return Run(latencies, elapsed)


def database_floor(run, owner, cursor: str, repeats: int) -> dict[str, float]:
    """What the page's database work costs by itself, timed from this process."""
    from app.database import get_database

    with run.app.app_context():
        songs = get_database()["songs"]
        created_at, song_id = _decode_cursor(cursor)
        newest_first = [("created_at", -1), ("_id", -1)]
        first_filter = {"$and": [{"owner": owner.id}]}
        deep_filter = {
            "$and": [
                {"owner": owner.id},
                {
                    "$or": [
                        {"created_at": {"$lt": created_at}},
                        {"created_at": created_at, "_id": {"$lt": song_id}},
                        {"created_at": None},
                    ]
                },
            ]
        }
        calls = {
            "count of the member's songs (the page's total)": lambda: songs.count_documents(
                first_filter
            ),
            "find, first page (26 documents)": lambda: list(
                songs.find(first_filter, sort=newest_first, limit=PAGE_SIZE + 1)
            ),
            "find, deep page (26 documents)": lambda: list(
                songs.find(deep_filter, sort=newest_first, limit=PAGE_SIZE + 1)
            ),
            "find one song by _id": lambda: songs.find_one({"_id": song_id}),
        }
        timings = {}
        for name, call in calls.items():
            call()
            seconds = []
            for _ in range(repeats):
                started = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - started)
            timings[name] = median(seconds)
        return timings


def main(argv: list[str] | None = None) -> int:
    from app.library.analysis import WAVEFORM_POINTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="most requests per run")
    parser.add_argument("--seconds", type=float, default=15, help="longest a run may take")
    parser.add_argument("--threads", type=int, default=4, help="client threads, concurrent runs")
    parser.add_argument("--waveform-points", type=int, default=WAVEFORM_POINTS)
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--mongodb-uri", help=argparse.SUPPRESS)
    parser.add_argument("--owner", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare(args.serve_bare, args.mongodb_uri, args.owner)
        return 0

    results: dict[tuple[str, str, int], Run] = {}
    sizes: dict[tuple[str, str], int] = {}
    with bench_run() as run:
        owner = run.member()
        started = time.perf_counter()
        insert_library(run, owner, args.songs, args.waveform_points)
        print(f"inserted {args.songs} songs in {time.perf_counter() - started:.1f} s", flush=True)
        server = run.web_server()
        bare_url = start_bare(run, str(owner.id))
        sessions = [log_in(server.url, "bench")[0] for _ in range(args.threads)]
        bare_sessions = [requests.Session() for _ in range(args.threads)]
        cursor, deep_first_id = deep_cursor(run, owner, DEEP_PAGES)
        pages = {
            "first page": ("/songs", None),
            f"page {DEEP_PAGES + 1}": (f"/songs?after={cursor}", deep_first_id),
        }
        for page, (path, first_id) in pages.items():
            for name, http, url in (
                ("app", sessions[0], server.url),
                ("bare", bare_sessions[0], bare_url),
            ):
                answer = http.get(f"{url}{path}", timeout=120)
                check_page(f"{name} {page}", answer.text, first_id)
                sizes[name, page] = len(answer.content)
        for page, (path, _) in pages.items():
            for threads in (1, args.threads):
                for name, url, clients in (
                    ("app", server.url, sessions),
                    ("bare", bare_url, bare_sessions),
                ):
                    results[name, page, threads] = measure(
                        f"{url}{path}", clients[:threads], args.requests, args.seconds, warm_up=2
                    )
                print(f"measured {page} with {threads} client thread(s)", flush=True)
        floor = database_floor(run, owner, cursor, repeats=5)

    rows = []
    for page in pages:
        for threads in (1, args.threads):
            ours, bare = results["app", page, threads], results["bare", page, threads]
            rows.append(
                [
                    f"{page}, {threads} client{'s' if threads > 1 else ''}",
                    ours.latency,
                    f"{ours.rate:.2f}",
                    len(ours.latencies),
                    bare.latency,
                    f"{bare.rate:.2f}",
                    len(bare.latencies),
                    ratio(ours.rate, bare.rate),
                    verdict(ours.rate / bare.rate, TARGET),
                ]
            )
    print_table(
        f"GET /songs, {args.songs} songs of one member: app vs bare Flask + pymongo "
        f"(target: app >= {TARGET}x the bare route's requests/s)",
        [
            "page, clients",
            "app ms p50/p95",
            "app req/s",
            "n",
            "bare ms p50/p95",
            "bare req/s",
            "n",
            "ratio",
            "verdict",
        ],
        rows,
    )
    print_table(
        "response size (bytes)",
        ["page", "app", "bare"],
        [[page, sizes["app", page], sizes["bare", page]] for page in pages],
    )
    print_table(
        "the database work alone, from this process (median of 5)",
        ["query", "ms"],
        [[name, f"{seconds * 1000:.1f}"] for name, seconds in floor.items()],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
