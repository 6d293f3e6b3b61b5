"""Streaming and downloading: HTTP Range byte for byte, ETags, names, and privacy."""

from __future__ import annotations

import pytest

from tests.factories import SongFactory, UserFactory
from tests.library import LONG_MP3
from tests.logins import log_in_client

LONG_BYTES = LONG_MP3.read_bytes()
SIZE = len(LONG_BYTES)


@pytest.fixture
def owner(app):
    return UserFactory()


@pytest.fixture
def song(app, owner):
    return SongFactory(
        owner=owner, title="Four minutes", content=LONG_BYTES, original_filename="e4.mp3"
    )


@pytest.fixture
def stream_url(client, owner, song):
    log_in_client(client, owner)
    return f"/songs/{song.id}/stream"


def get(client, url, **headers):
    return client.get(url, headers=headers)


def test_whole_file_with_range_support_and_etag(client, stream_url, song):
    response = get(client, stream_url)

    assert response.status_code == 200
    assert response.data == LONG_BYTES
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["ETag"] == f'"{song.sha256}"'
    assert response.headers["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=1000-1999", 1000, 2000),
        ("bytes=3000000-", 3000000, SIZE),
        ("bytes=-500", SIZE - 500, SIZE),
        (f"bytes=100-{SIZE + 10_000}", 100, SIZE),  # end past the file: clamped
        (f"bytes=-{SIZE * 2}", 0, SIZE),  # suffix longer than the file: all of it
        (f"bytes={SIZE - 1}-{SIZE - 1}", SIZE - 1, SIZE),
    ],
)
def test_single_ranges_are_served_byte_for_byte(client, stream_url, header, start, stop):
    response = get(client, stream_url, Range=header)

    assert response.status_code == 206
    assert response.data == LONG_BYTES[start:stop]
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert response.headers["Content-Length"] == str(stop - start)


def test_seeking_to_three_and_a_half_minutes(client, stream_url):
    offset = int(SIZE * 210 / 240)  # constant bit rate: bytes are proportional

    response = get(client, stream_url, Range=f"bytes={offset}-")

    assert response.status_code == 206
    assert response.data == LONG_BYTES[offset:]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}"])
def test_range_past_the_end_is_416(client, stream_url, header):
    response = get(client, stream_url, Range=header)

    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"
    assert response.data == b""


@pytest.mark.parametrize(
    "header",
    ["bytes=abc", "bytes=500-100", "bytes=0-1,5-6", "items=0-5", "bytes", "bytes=--5"],
)
def test_malformed_reversed_multi_and_foreign_ranges_get_the_whole_file(client, stream_url, header):
    response = get(client, stream_url, Range=header)

    assert response.status_code == 200
    assert len(response.data) == SIZE


def test_matching_etag_is_304(client, stream_url, song):
    response = get(client, stream_url, **{"If-None-Match": f'"{song.sha256}"'})

    assert response.status_code == 304
    assert response.data == b""


def test_if_range_with_another_etag_sends_the_whole_file(client, stream_url, song):
    changed = get(client, stream_url, Range="bytes=0-9", **{"If-Range": '"other"'})
    same = get(client, stream_url, Range="bytes=0-9", **{"If-Range": f'"{song.sha256}"'})

    assert changed.status_code == 200
    assert same.status_code == 206


def test_head_has_headers_and_no_body(client, stream_url):
    response = client.head(stream_url)

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.data == b""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("e4.mp3", "attachment; filename=\"e4.mp3\"; filename*=UTF-8''e4.mp3"),
        (
            "Ünïcødé 🎵.mp3",
            'attachment; filename="Unicde .mp3"; '
            "filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%F0%9F%8E%B5.mp3",
        ),
        (
            'say "hi"\\.mp3',
            "attachment; filename=\"say _hi__.mp3\"; filename*=UTF-8''say%20%22hi%22%5C.mp3",
        ),
    ],
)
def test_download_keeps_the_original_name_safely(app, client, owner, name, expected):
    song = SongFactory(owner=owner, original_filename=name)
    log_in_client(client, owner)

    response = client.get(f"/songs/{song.id}/download")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == expected


@pytest.mark.parametrize("path", ["", "/stream", "/download", "/edit", "/delete", "/replace"])
def test_another_members_song_is_404(app, client, song, path):
    log_in_client(client, UserFactory())
    token = client.get("/songs/upload").text.split('name="csrf-token" content="')[1].split('"')[0]

    if path in ("/delete", "/replace"):
        response = client.post(
            f"/songs/{song.id}{path}",
            headers={"X-CSRFToken": token, "Accept": "application/json"},
            data={"csrf_token": token},
        )
    else:
        response = client.get(f"/songs/{song.id}{path}")

    assert response.status_code == 404


def test_an_admin_may_stream_anyones_song(app, client, song):
    admin = UserFactory(admin=True)
    log_in_client(client, admin)

    assert client.get(f"/songs/{song.id}/stream").status_code == 200


def test_logged_out_stream_is_refused(client, song):
    response = client.get(f"/songs/{song.id}/stream", headers={"Accept": "application/json"})

    assert response.status_code == 401


@pytest.mark.parametrize("song_id", ["not-an-id", "0" * 24])
def test_unknown_song_is_404(client, owner, song_id):
    log_in_client(client, owner)

    assert client.get(f"/songs/{song_id}/stream").status_code == 404
