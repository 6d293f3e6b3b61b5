"""The storage layer behind real Flask routes: ranges byte for byte, conditional GET,
HEAD, names, and a multipart upload read from the WSGI input stream."""

from __future__ import annotations

import hashlib
import inspect

import pytest
from bson import ObjectId
from flask import Blueprint, jsonify, request

from app.database import get_database
from app.storage import (
    FieldPart,
    MultipartReader,
    StoredFile,
    file_response,
    store_stream,
)
from app.storage.gridfs import open_range
from app.web_security import accepts_large_body
from tests.fixtures import audio_file

UPLOAD_LIMIT = 8 * 1024 * 1024  # the test route streams larger bodies than MAX_REQUEST_KB

AUDIO = audio_file("tone-440hz-4min.mp3").read_bytes()
SIZE = len(AUDIO)
GRID_CHUNK = 255 * 1024


def store(content: bytes = AUDIO, **fields) -> StoredFile:
    return store_stream(
        [content],
        original_filename=fields.get("original_filename", "Café 🎵.mp3"),
        content_type=fields.get("content_type", "audio/mpeg"),
        max_bytes=len(content),
    )


@pytest.fixture
def files(app) -> dict[str, StoredFile]:
    """Stored files the test routes serve, by id; the routes are registered on ``app``."""
    served: dict[str, StoredFile] = {}
    routes = Blueprint("storage_test", __name__)

    @routes.route("/storage-test/<file_id>/<mode>", methods=["GET", "HEAD"])
    def serve(file_id: str, mode: str):
        stored = served.get(file_id)
        return file_response(
            ObjectId(file_id),
            sha256=stored.sha256 if stored else "0" * 64,
            content_type=stored.content_type if stored else "audio/mpeg",
            filename=stored.original_filename if stored else "gone.mp3",
            attachment=mode == "download",
        )

    @routes.post("/storage-test/upload")
    @accepts_large_body(lambda: UPLOAD_LIMIT)
    def upload():
        """Parts read from the request stream, each file stored as it arrives: the way
        app.library.receiving reads an upload."""
        fields, files = {}, {}
        for part in MultipartReader(request.stream, request.content_type).parts():
            if isinstance(part, FieldPart):
                fields[part.name] = part.value
                continue
            files[part.name] = store_stream(
                part.chunks,
                original_filename=part.filename,
                content_type=part.content_type,
                max_bytes=UPLOAD_LIMIT,
            )
        return jsonify(
            fields=fields,
            files={name: str(stored.file_id) for name, stored in files.items()},
            form_parsed=request.__dict__.get("form") is not None,
        )

    app.register_blueprint(routes)
    with app.app_context():
        yield served


@pytest.fixture
def song(files) -> StoredFile:
    stored = store()
    files[str(stored.file_id)] = stored
    return stored


@pytest.fixture
def url(song) -> str:
    return f"/storage-test/{song.file_id}/stream"


def test_the_whole_file_with_its_headers(client, url, song):
    response = client.get(url)

    assert response.status_code == 200
    assert response.data == AUDIO
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] == f'"{song.sha256}"'
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"Cafe .mp3\"; filename*=UTF-8''Caf%C3%A9%20%F0%9F%8E%B5.mp3"
    )
    assert "Content-Range" not in response.headers


def test_download_is_an_attachment(client, song):
    response = client.get(f"/storage-test/{song.file_id}/download")

    assert response.headers["Content-Disposition"].startswith('attachment; filename="Cafe .mp3"')


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=0-99", 0, 99),
        (f"bytes={GRID_CHUNK - 5}-{GRID_CHUNK + 5}", GRID_CHUNK - 5, GRID_CHUNK + 5),
        ("bytes=3000000-", 3000000, SIZE - 1),
        ("bytes=-500", SIZE - 500, SIZE - 1),
        (f"bytes=-{SIZE * 2}", 0, SIZE - 1),
        (f"bytes=100-{SIZE + 10_000}", 100, SIZE - 1),
        (f"bytes={SIZE - 1}-{SIZE - 1}", SIZE - 1, SIZE - 1),
    ],
)
def test_one_range_is_206_byte_for_byte(client, url, header, start, end):
    response = client.get(url, headers={"Range": header})

    assert response.status_code == 206
    assert response.data == AUDIO[start : end + 1]
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response.headers["Content-Length"] == str(end - start + 1)


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}"])
def test_a_range_past_the_end_is_416(client, url, header):
    response = client.get(url, headers={"Range": header})

    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"
    assert response.data == b""


@pytest.mark.parametrize(
    "header", ["bytes=abc", "bytes=500-100", "bytes=0-1,5-6", "items=0-5", "bytes=-0"]
)
def test_ranges_we_ignore_get_the_whole_file(client, url, header):
    response = client.get(url, headers={"Range": header})

    assert response.status_code == 200
    assert response.data == AUDIO


@pytest.mark.parametrize("value", ["{etag}", "W/{etag}", '"x", {etag}', "*"])
def test_a_matching_if_none_match_is_304(client, url, song, value):
    tag = f'"{song.sha256}"'

    response = client.get(url, headers={"If-None-Match": value.format(etag=tag)})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == tag


def test_if_range_decides_between_the_range_and_the_whole_file(client, url, song):
    same = client.get(url, headers={"Range": "bytes=0-9", "If-Range": f'"{song.sha256}"'})
    changed = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})

    assert (same.status_code, same.data) == (206, AUDIO[:10])
    assert (changed.status_code, changed.data) == (200, AUDIO)


def test_head_has_the_headers_and_no_body(client, url, song):
    response = client.head(url, headers={"Range": "bytes=0-9"})

    assert response.status_code == 200  # Range is defined for GET only (RFC 9110 §14.2)
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["ETag"] == f'"{song.sha256}"'
    assert response.data == b""


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_missing_file_is_404_before_any_byte(client, files, method):
    response = getattr(client, method)(f"/storage-test/{ObjectId()}/stream")

    assert response.status_code == 404


def test_the_body_is_a_generator_passed_through(app, song):
    with app.test_request_context(headers={"Range": "bytes=10-"}):
        response = file_response(
            song.file_id,
            sha256=song.sha256,
            content_type="audio/mpeg",
            filename="a.mp3",
            attachment=False,
        )

    assert response.direct_passthrough
    assert inspect.isgenerator(response.response)
    assert b"".join(response.response) == AUDIO[10:]


@pytest.mark.parametrize(
    ("content_type", "served_as", "disposition"),
    [
        ("audio/ogg; codecs=opus", "audio/ogg", "inline"),
        ("text/html", "text/html", "attachment"),  # never rendered from our origin
        ("image/svg+xml", "image/svg+xml", "attachment"),
        ("not a type", "application/octet-stream", "attachment"),
    ],
)
def test_only_media_types_play_inline(client, files, content_type, served_as, disposition):
    stored = store(b"<script>alert(1)</script>", content_type=content_type)
    files[str(stored.file_id)] = stored

    response = client.get(f"/storage-test/{stored.file_id}/stream")

    assert response.mimetype == served_as
    assert response.headers["Content-Disposition"].split(";")[0] == disposition


def test_a_multipart_upload_is_read_from_the_stream_not_parsed_by_werkzeug(client, files):
    boundary = "encore-http-test"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\n'
            "Tøne\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="tøne.mp3"\r\n'
            "Content-Type: audio/mpeg\r\n\r\n"
        ).encode()
        + AUDIO
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = client.post(
        "/storage-test/upload",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    assert response.status_code == 200, response.text
    answer = response.get_json()
    assert answer["fields"] == {"title": "Tøne"}
    assert answer["form_parsed"] is False
    file_id = ObjectId(answer["files"]["file"])
    assert hashlib.sha256(b"".join(open_range(file_id, 0, SIZE))).hexdigest() == (
        hashlib.sha256(AUDIO).hexdigest()
    )
    document = get_database()["songs.files"].find_one({"_id": file_id})
    assert document["metadata"]["original_filename"] == "tøne.mp3"


def test_a_malformed_upload_is_a_clear_400_and_stores_nothing(client, files):
    response = client.post(
        "/storage-test/upload",
        data=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nID3',
        content_type="multipart/form-data; boundary=b",
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.get_json()["detail"] == "The upload ended before it was complete."
    assert get_database()["songs.chunks"].count_documents({}) == 0
