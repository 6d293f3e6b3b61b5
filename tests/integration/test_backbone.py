"""signal -> Celery task in a real worker -> Redis message queue -> the user's socket."""

from __future__ import annotations

import queue
import re
import time

import pytest
import socketio

from app.signals import demo_ping

pytestmark = pytest.mark.usefixtures("worker")

WAIT_SECONDS = 15


def collect(client: socketio.Client, event: str) -> queue.Queue:
    received: queue.Queue = queue.Queue()
    client.on(event, received.put)
    return received


def test_signal_reaches_the_users_socket_through_a_real_worker(
    app, make_user, login, socket_client
):
    alice = make_user()
    pongs = collect(socket_client(login(alice)), "demo.pong")

    sent_at = time.time()
    demo_ping.send(app, user_id=str(alice.id), sent_at=sent_at)

    payload = pongs.get(timeout=WAIT_SECONDS)
    assert payload["sent_at"] == sent_at
    assert payload["worker"]


def test_pong_goes_only_to_the_user_who_caused_it(app, make_user, login, socket_client):
    alice, bob = make_user(), make_user()
    alice_pongs = collect(socket_client(login(alice)), "demo.pong")
    bob_pongs = collect(socket_client(login(bob)), "demo.pong")

    demo_ping.send(app, user_id=str(alice.id), sent_at=1.0)
    demo_ping.send(app, user_id=str(bob.id), sent_at=2.0)

    assert alice_pongs.get(timeout=WAIT_SECONDS)["sent_at"] == 1.0
    assert bob_pongs.get(timeout=WAIT_SECONDS)["sent_at"] == 2.0
    with pytest.raises(queue.Empty):
        alice_pongs.get(timeout=1)


def test_every_socket_of_the_user_receives(app, make_user, login, socket_client):
    alice = make_user()
    first = collect(socket_client(login(alice)), "demo.pong")
    second = collect(socket_client(login(alice)), "demo.pong")

    demo_ping.send(app, user_id=str(alice.id), sent_at=3.0)

    assert first.get(timeout=WAIT_SECONDS)["sent_at"] == 3.0
    assert second.get(timeout=WAIT_SECONDS)["sent_at"] == 3.0


def test_anonymous_socket_is_refused(socket_client):
    with pytest.raises(socketio.exceptions.ConnectionError):
        socket_client()


def test_ping_over_http_answers_on_the_socket(live_server, make_user, login, socket_client):
    alice = make_user()
    http = login(alice)
    pongs = collect(socket_client(http), "demo.pong")
    page = http.get(f"{live_server.url}/", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    response = http.post(
        f"{live_server.url}/demo/ping",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        timeout=10,
    )

    assert response.status_code == 202
    assert pongs.get(timeout=WAIT_SECONDS)["worker"]


def test_ping_without_csrf_token_is_refused(live_server, make_user, login):
    http = login(make_user())

    response = http.post(
        f"{live_server.url}/demo/ping", headers={"Accept": "application/json"}, timeout=10
    )

    assert response.status_code == 400
    assert "CSRF" in response.text


def test_ping_while_logged_out_is_refused(live_server):
    response = requests_post_json(f"{live_server.url}/demo/ping")

    assert response.status_code == 401


def requests_post_json(url: str):
    import requests

    return requests.post(url, headers={"Accept": "application/json"}, timeout=10)
