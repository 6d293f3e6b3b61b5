"""Live status over Socket.IO: the owner's every tab hears queued -> processing -> ready,
and a notification; nobody else hears anything."""

from __future__ import annotations

import queue
import re

import pytest
import requests
import socketio

from tests.factories import SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.logins import log_in_api

pytestmark = pytest.mark.usefixtures("worker")

WAIT_SECONDS = 20


def listen(client: socketio.Client, *events: str) -> queue.Queue:
    heard: queue.Queue = queue.Queue()
    for event in events:
        client.on(event, lambda payload, event=event: heard.put((event, payload)))
    return heard


def upload_live(live_server, http, path):
    page = http.get(f"{live_server.url}/songs/upload", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    with path.open("rb") as audio:
        response = http.post(
            f"{live_server.url}/songs",
            data={"title": path.stem},
            files={"file": (path.name, audio, "audio/mpeg")},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
            timeout=30,
        )
    assert response.status_code == 201, response.text
    return response.json()


def statuses_until_final(heard: queue.Queue, song_id: str) -> list[str]:
    seen = []
    while not seen or seen[-1] not in ("ready", "failed"):
        event, payload = heard.get(timeout=WAIT_SECONDS)
        if event == "song.status" and payload["id"] == song_id:
            seen.append(payload["status"])
    return seen


def test_every_tab_of_the_owner_hears_each_status_in_order(live_server, app, login, socket_client):
    owner, stranger = UserFactory(), UserFactory()
    http = login(owner)
    tabs = [listen(socket_client(http), "song.status", "notification.new") for _ in range(2)]
    strangers_tab = listen(socket_client(login(stranger)), "song.status", "notification.new")

    song = upload_live(live_server, http, audio_file("tone-523hz-5s.ogg"))

    for heard in tabs:
        assert statuses_until_final(heard, song["id"]) == ["queued", "processing", "ready"]
        event, note = heard.get(timeout=WAIT_SECONDS)
        assert event == "notification.new"
        assert note["text"] == "“tone-523hz-5s” is ready to play."
        assert note["link"] == f"/songs/{song['id']}"
        assert note["unread"] == 1
    with pytest.raises(queue.Empty):
        strangers_tab.get(timeout=1)


def test_a_failed_song_says_why_live(app, live_server, login, socket_client):
    from app.library.models import Song
    from tasks.uploads import process_song

    owner = UserFactory()
    http = login(owner)
    heard = listen(socket_client(http), "song.status")
    song = upload_live(live_server, http, audio_file("tone-440hz-5s.mp3"))
    statuses_until_final(heard, song["id"])
    Song.objects(id=song["id"]).update(set__sha256="0" * 64, set__status="queued")
    with app.app_context():
        process_song.delay(song["id"])

    final = None
    while final is None or final["status"] not in ("failed",):
        _event, final = heard.get(timeout=WAIT_SECONDS)
    assert final["reason"].startswith("The stored file is damaged")


def test_a_song_whose_worker_died_is_heard_queued_again(app, login, socket_client):
    from datetime import timedelta

    from app.library.models import utcnow
    from tasks.uploads import requeue_stuck_songs

    owner = UserFactory()
    heard = listen(socket_client(login(owner)), "song.status")
    with app.app_context():
        song = SongFactory(
            owner=owner,
            title="Abandoned",
            status="processing",
            lease_until=utcnow() - timedelta(seconds=1),
        )

        assert requeue_stuck_songs() == 1

    assert statuses_until_final(heard, str(song.id)) == ["queued", "processing", "ready"]


def test_a_song_whose_worker_died_too_often_is_heard_failed_saying_why(app, login, socket_client):
    from datetime import timedelta

    from app.library.models import Song, utcnow
    from tasks.uploads import requeue_stuck_songs

    owner = UserFactory()
    heard = listen(socket_client(login(owner)), "song.status", "notification.new")
    with app.app_context():
        song = SongFactory(
            owner=owner,
            title="Cursed",
            status="processing",
            lease_until=utcnow() - timedelta(seconds=1),
        )
        Song.objects(id=song.id).update(set__attempts=app.config["PROCESSING_MAX_ATTEMPTS"])

        assert requeue_stuck_songs() == 0

    event, payload = heard.get(timeout=WAIT_SECONDS)
    assert (event, payload["status"]) == ("song.status", "failed")
    assert payload["reason"].startswith("Processing started 3 times without finishing")
    event, note = heard.get(timeout=WAIT_SECONDS)
    assert event == "notification.new"
    assert note["text"] == f"“Cursed” could not be processed: {payload['reason']}"


def test_a_page_that_reconnects_asks_for_the_current_state(live_server, app, login):
    owner = UserFactory()
    http = login(owner)
    song = upload_live(live_server, http, audio_file("tone-659hz-5s.flac"))

    response = http.get(
        f"{live_server.url}/songs/status",
        params={"ids": f"{song['id']},not-an-id,{'0' * 24}"},
        headers={"Accept": "application/json"},
        timeout=10,
    )

    [state] = response.json()["songs"]
    assert state["id"] == song["id"]
    assert state["status"] in ("queued", "processing", "ready")


def test_notifications_survive_a_reload_and_can_be_marked_read(
    live_server, app, login, socket_client
):
    owner = UserFactory()
    http = login(owner)
    heard = listen(socket_client(http), "notification.new")
    upload_live(live_server, http, audio_file("tone-784hz-3s.wav"))
    heard.get(timeout=WAIT_SECONDS)

    page = http.get(f"{live_server.url}/", timeout=10).text
    assert re.search(r'data-testid="unread-count"\s*>1<', page)
    listing = http.get(
        f"{live_server.url}/notifications/", headers={"Accept": "application/json"}, timeout=10
    ).json()
    assert listing["unread"] == 1
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    http.post(
        f"{live_server.url}/notifications/read-all",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        timeout=10,
    )
    assert (
        http.get(
            f"{live_server.url}/notifications/", headers={"Accept": "application/json"}, timeout=10
        ).json()["unread"]
        == 0
    )


def test_an_api_upload_shows_up_live_like_a_page_upload(live_server, app, login, socket_client):
    owner = UserFactory()
    tab = listen(socket_client(login(owner)), "song.status")
    token = log_in_api(requests, owner, url=live_server.url)
    path = audio_file("tone-880hz-5s.m4a")

    with path.open("rb") as audio:
        response = requests.post(
            f"{live_server.url}/api/v1/songs",
            files={"file": (path.name, audio, "audio/mp4")},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    assert response.status_code == 201, response.text
    song_id = response.json()["id"]
    assert statuses_until_final(tab, song_id) == ["queued", "processing", "ready"]
    listed = requests.get(
        f"{live_server.url}/api/v1/songs",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert [song["id"] for song in listed["items"]] == [song_id]
