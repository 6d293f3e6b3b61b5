"""The backbone with real processes: an upload -> the ``song_queued`` signal -> a Celery
task in a real worker -> its status emitted through the Redis message queue -> the owner's
python-socketio client on the real web server.

``processing`` and ``ready`` are emitted by the worker process, so hearing them on a
socket of the web server proves the way through Redis.
"""

from __future__ import annotations

import queue

import pytest
import requests
import socketio

from app.library.pipeline import queue_song
from tests.factories import SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.helpers import csrf_token

pytestmark = pytest.mark.usefixtures("worker")

WAIT_SECONDS = 20
MP3 = audio_file("tone-440hz-5s.mp3")


def listen(client: socketio.Client) -> queue.Queue:
    """Every ``song.status`` payload the socket receives, in order."""
    heard: queue.Queue = queue.Queue()
    client.on("song.status", heard.put)
    return heard


def heard_until_final(heard: queue.Queue, song_id: str) -> list[dict]:
    """What the socket heard, up to ``song_id`` being ready or failed."""
    payloads = []
    while not payloads or not (
        payloads[-1]["id"] == song_id and payloads[-1]["status"] in ("ready", "failed")
    ):
        payloads.append(heard.get(timeout=WAIT_SECONDS))
    return payloads


def statuses(payloads: list[dict]) -> list[str]:
    return [payload["status"] for payload in payloads]


def post_upload(live_server, http, headers: dict | None = None):
    with MP3.open("rb") as audio:
        return http.post(
            f"{live_server.url}/songs",
            data={"title": "Backbone"},
            files={"file": (MP3.name, audio, "audio/mpeg")},
            headers={"Accept": "application/json", **(headers or {})},
            timeout=30,
        )


def upload(live_server, http) -> str:
    token = csrf_token(http.get(f"{live_server.url}/songs/upload", timeout=10).text)
    response = post_upload(live_server, http, {"X-CSRFToken": token})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_an_upload_reaches_the_owners_socket_through_a_real_worker(
    live_server, app, login, socket_client
):
    alice = UserFactory()
    http = login(alice)
    heard = listen(socket_client(http))

    song_id = upload(live_server, http)

    payloads = heard_until_final(heard, song_id)
    assert statuses(payloads) == ["queued", "processing", "ready"]
    assert {payload["id"] for payload in payloads} == {song_id}
    assert payloads[-1]["progress"] == 100
    assert payloads[-1]["title"] == "Backbone"
    assert payloads[-1]["duration"] == pytest.approx(5.0, abs=0.05)


def test_a_song_queued_by_another_process_reaches_the_socket(app, login, socket_client):
    """The test process is neither the web server nor the worker: its push and its
    signal reach them only through Redis."""
    alice = UserFactory()
    heard = listen(socket_client(login(alice)))
    with app.app_context():
        song = SongFactory(owner=alice, title="Queued here")

        queue_song(song)

    assert statuses(heard_until_final(heard, str(song.id))) == ["queued", "processing", "ready"]


def test_the_status_goes_only_to_the_owner(live_server, app, login, socket_client):
    alice, bob = UserFactory(), UserFactory()
    alice_http, bob_http = login(alice), login(bob)
    alice_heard = listen(socket_client(alice_http))
    bob_heard = listen(socket_client(bob_http))

    alice_song = upload(live_server, alice_http)
    bob_song = upload(live_server, bob_http)

    alice_payloads = heard_until_final(alice_heard, alice_song)
    bob_payloads = heard_until_final(bob_heard, bob_song)
    assert {payload["id"] for payload in alice_payloads} == {alice_song}
    assert {payload["id"] for payload in bob_payloads} == {bob_song}
    with pytest.raises(queue.Empty):
        alice_heard.get(timeout=1)


def test_every_socket_of_the_owner_receives(live_server, app, login, socket_client):
    alice = UserFactory()
    http = login(alice)
    first, second = listen(socket_client(http)), listen(socket_client(http))

    song_id = upload(live_server, http)

    assert statuses(heard_until_final(first, song_id)) == ["queued", "processing", "ready"]
    assert statuses(heard_until_final(second, song_id)) == ["queued", "processing", "ready"]


def test_anonymous_socket_is_refused(socket_client):
    with pytest.raises(socketio.exceptions.ConnectionError):
        socket_client()


def test_an_upload_without_csrf_token_is_refused_and_nothing_is_heard(
    live_server, app, login, socket_client
):
    http = login(UserFactory())
    heard = listen(socket_client(http))

    response = post_upload(live_server, http)

    assert response.status_code == 400
    assert "CSRF" in response.text
    with pytest.raises(queue.Empty):
        heard.get(timeout=1)


def test_an_upload_while_logged_out_is_refused(live_server):
    with requests.Session() as http:
        response = post_upload(live_server, http)

    assert response.status_code == 401
