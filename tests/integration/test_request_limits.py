"""Request bodies are bounded: MAX_REQUEST_KB everywhere but the endpoints that stream an
upload (which enforce MAX_UPLOAD_MB themselves). A larger body is answered 413 before it
is read, whoever sends it, so no request makes the web process hold a large body."""

from __future__ import annotations

import io
import select
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.library.models import Song
from tests.factories import MP3, TEST_PASSWORD, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.library import post_multipart
from tests.logins import log_in_client

API = "/api/v1"
LIMIT_KB = 16
OVER_THE_LIMIT = b'{"title": "' + b"x" * (LIMIT_KB * 1024) + b'"}'


@pytest.fixture
def small_app(make_app):
    """An app that accepts request bodies of at most 16 KiB (uploads excepted)."""
    return make_app(MAX_REQUEST_KB=LIMIT_KB)


def test_the_default_limit_is_one_mebibyte(app):
    assert app.config["MAX_REQUEST_KB"] == 1024
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_an_anonymous_body_past_the_limit_is_413_before_anything_else(small_app):
    client = small_app.test_client()

    for method, path in [("POST", f"{API}/auth/token"), ("PATCH", f"{API}/songs/{'0' * 24}")]:
        response = client.open(
            path, method=method, data=OVER_THE_LIMIT, content_type="application/json"
        )

        assert response.status_code == 413, (path, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert f"{LIMIT_KB} KiB" in response.get_json()["detail"]


def test_a_form_past_the_limit_gets_the_413_page(small_app):
    response = small_app.test_client().post(
        "/login", data={"email": "x" * (LIMIT_KB * 1024), "password": "secret"}
    )

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert f"{LIMIT_KB} KiB" in response.text


def test_a_member_past_the_limit_gets_413_and_nothing_changes(small_app):
    member = UserFactory()
    client = small_app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    with small_app.app_context():
        song = SongFactory(owner=member, title="Kept")

    response = client.patch(
        f"{API}/songs/{song.id}",
        data=OVER_THE_LIMIT,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 413
    with small_app.app_context():
        assert Song.objects.get(id=song.id).title == "Kept"


def test_the_upload_endpoints_take_files_larger_than_the_request_limit(small_app):
    member = UserFactory()
    client = small_app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    file = {"title": "Big", "file": (io.BytesIO(MP3.read_bytes()), "big.mp3")}
    assert MP3.stat().st_size > LIMIT_KB * 1024

    created = post_multipart(client, "/songs", dict(file), headers=headers)
    assert created.status_code == 201, created.text
    song_id = created.get_json()["id"]
    replaced = post_multipart(
        client,
        f"/songs/{song_id}/replace",
        {"file": (io.BytesIO(MP3.read_bytes()), "again.mp3")},
        headers,
    )
    assert replaced.status_code == 200, replaced.text
    bearer = client.post(
        f"{API}/auth/token", json={"identity": member.username, "password": TEST_PASSWORD}
    ).get_json()["token"]
    through_api = post_multipart(
        small_app.test_client(),
        f"{API}/songs",
        {"file": (io.BytesIO(MP3.read_bytes()), "api.mp3")},
        {"Authorization": f"Bearer {bearer}"},
    )
    assert through_api.status_code == 201, through_api.text


# --- the real server --------------------------------------------------------------------

BODY_BYTES = 64 * 1024 * 1024
PIECE = b"x" * 65536


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def send_until_answered(url: str, method: str, path: str, headers: dict[str, str]):
    """Send ``BODY_BYTES`` of JSON a piece at a time, stopping as soon as the server
    answers. Returns the status and how many body bytes had been sent by then."""
    address = urlsplit(url)
    head = [f"{method} {path} HTTP/1.1", f"Host: {address.netloc}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head += ["Content-Type: application/json", f"Content-Length: {BODY_BYTES}", "", ""]
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall("\r\n".join(head).encode())
        sent = 0
        while sent < BODY_BYTES:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                break
            if writable:
                try:
                    sent += sock.send(PIECE[: BODY_BYTES - sent])
                except (BrokenPipeError, ConnectionResetError):
                    break
        answer = b""
        while b"\r\n" not in answer:
            received = sock.recv(4096)
            if not received:
                break
            answer += received
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    return status, sent


def test_the_server_answers_413_before_reading_a_large_body(app, live_server, login):
    """Anonymous and logged in: the answer comes while most of the body is still unsent,
    and the web process does not grow by the body's size."""
    http = login(UserFactory())
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    pid = live_server.process.pid
    before = resident_bytes(pid)

    anonymous = send_until_answered(live_server.url, "POST", f"{API}/auth/token", {})
    member = send_until_answered(
        live_server.url, "PATCH", f"{API}/songs/{'0' * 24}", {"Cookie": cookie}
    )

    for status, sent in (anonymous, member):
        assert status == 413
        assert sent < BODY_BYTES / 2
    assert resident_bytes(pid) - before < BODY_BYTES / 4
