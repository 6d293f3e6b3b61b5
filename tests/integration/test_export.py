"""Export my data: a worker writes the zip into GridFS, the page hears its progress, the
owner downloads it until it expires, then beat removes it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import re
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from bson import Binary, ObjectId

from app.database import get_database
from app.exports.archive import write_archive
from app.exports.models import Export
from app.storage import EXPORTS_BUCKET, open_file, open_writer
from tests.factories import MP3, AlbumFactory, SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.helpers import csrf_token, start_export, wait_for_export
from tests.logins import log_in_client

pytestmark = pytest.mark.usefixtures("worker")

OGG = audio_file("tone-523hz-5s.ogg")
WAIT_SECONDS = 30


def _stored(file_id: ObjectId) -> tuple[int, int]:
    """How many file documents and chunks the archive ``file_id`` has in GridFS."""
    database = get_database()
    return (
        database[f"{EXPORTS_BUCKET}.files"].count_documents({"_id": file_id}),
        database[f"{EXPORTS_BUCKET}.chunks"].count_documents({"files_id": file_id}),
    )


def _expire(export_id: str) -> None:
    """Let the export's time run out."""
    Export.objects(id=export_id).update_one(
        set__expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )


def test_a_member_exports_their_data_and_downloads_it(app, client):
    owner = UserFactory(username="ann", email="ann@example.org", first_name="Ann")
    album = AlbumFactory(owner=owner, title="Tones", artist="Oscillator")
    SongFactory(owner=owner, title="A", album=album, original_filename="song.mp3")
    SongFactory(owner=owner, title="B", original_filename="song.mp3")
    SongFactory(owner=owner, title="C", original_filename="Song.MP3")
    SongFactory(owner=owner, title="D", original_filename="tone.ogg", content=OGG.read_bytes())
    SongFactory(title="Someone else's", original_filename="other.mp3")
    log_in_client(client, owner)

    export_id = start_export(client)
    export = wait_for_export(export_id)
    page = client.get("/account")
    response = client.get(f"/account/exports/{export_id}")

    assert f'href="/account/exports/{export_id}"' in page.text
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert export.filename == f"encore-ann-{today}.zip"
    assert f'filename="encore-ann-{today}.zip"' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "account.json",
        "albums.json",
        "songs.json",
        "audio/song.mp3",
        "audio/song (2).mp3",
        "audio/Song (3).MP3",
        "audio/tone.ogg",
    ]
    assert archive.read("audio/song (2).mp3") == MP3.read_bytes()
    assert archive.read("audio/tone.ogg") == OGG.read_bytes()
    account = json.loads(archive.read("account.json"))
    assert account["username"] == "ann"
    assert account["email"] == "ann@example.org"
    assert account["first_name"] == "Ann"
    assert "password" not in account
    assert "fs_uniquifier" not in account
    [exported_album] = json.loads(archive.read("albums.json"))
    assert exported_album["title"] == "Tones"
    assert exported_album["artist"] == "Oscillator"
    songs = json.loads(archive.read("songs.json"))
    assert [(song["title"], song["file"]) for song in songs] == [
        ("A", "audio/song.mp3"),
        ("B", "audio/song (2).mp3"),
        ("C", "audio/Song (3).MP3"),
        ("D", "audio/tone.ogg"),
    ]
    assert songs[0]["album_title"] == "Tones"
    assert songs[3]["original_filename"] == "tone.ogg"
    files, chunks = _stored(export.file_id)
    assert files == 1
    assert chunks >= 1


def test_the_page_hears_the_progress_and_the_link_live(app, live_server, login, socket_client):
    owner = UserFactory()
    for number in range(3):
        SongFactory(owner=owner, title=f"Song {number}")
    http = login(owner)
    heard: queue.Queue = queue.Queue()
    tab = socket_client(http)
    for event in ("export.progress", "export.ready"):
        tab.on(event, lambda payload, event=event: heard.put((event, payload)))
    page = http.get(f"{live_server.url}/account", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    started = http.post(
        f"{live_server.url}/account/exports",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        timeout=10,
    )

    assert started.status_code == 202, started.text
    export_id = started.json()["id"]
    events = []
    while not events or events[-1][0] != "export.ready":
        events.append(heard.get(timeout=WAIT_SECONDS))
    assert {payload["id"] for _, payload in events} == {export_id}
    progress = [payload["progress"] for event, payload in events if event == "export.progress"]
    assert progress == sorted(progress)
    assert progress[-1] > 0
    ready = events[-1][1]
    assert ready["state"] == "ready"
    assert ready["url"] == f"/account/exports/{export_id}"
    download = http.get(f"{live_server.url}{ready['url']}", timeout=10)
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(download.content)).namelist()[:3] == [
        "account.json",
        "albums.json",
        "songs.json",
    ]


def test_an_empty_library_exports_the_account_alone(app, client):
    owner = UserFactory(username="newbie")
    log_in_client(client, owner)

    export = wait_for_export(start_export(client))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/account/exports/{export.id}").data))

    assert archive.namelist() == ["account.json", "albums.json", "songs.json"]
    assert json.loads(archive.read("songs.json")) == []


def test_another_members_export_is_not_found(app, client):
    owner = UserFactory()
    SongFactory(owner=owner)
    log_in_client(client, owner)
    export_id = start_export(client)
    wait_for_export(export_id)
    stranger = app.test_client()
    log_in_client(stranger, UserFactory())

    page = stranger.get(f"/account/exports/{export_id}")
    problem = stranger.get(f"/account/exports/{export_id}", headers={"Accept": "application/json"})

    assert page.status_code == 404
    assert '<p class="lead">No such export of your data.</p>' in page.text
    assert problem.status_code == 404
    assert problem.get_json()["detail"] == "No such export of your data."
    assert stranger.get("/account/exports/not-an-id").status_code == 404


def test_an_expired_export_is_gone_and_beat_removes_it(app, client):
    owner = UserFactory()
    SongFactory(owner=owner)
    log_in_client(client, owner)
    export = wait_for_export(start_export(client))
    assert _stored(export.file_id)[0] == 1
    _expire(export.id)

    page = client.get(f"/account/exports/{export.id}")
    problem = client.get(f"/account/exports/{export.id}", headers={"Accept": "application/json"})

    assert page.status_code == 410
    assert "This export has expired" in page.text
    assert problem.status_code == 410
    assert problem.get_json()["title"] == "Gone"

    app.extensions["celery"].send_task("exports.remove_expired")
    deadline = time.monotonic() + WAIT_SECONDS
    while Export.objects(id=export.id).first() is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Export.objects(id=export.id).first() is None
    assert _stored(export.file_id) == (0, 0)
    assert client.get(f"/account/exports/{export.id}").status_code == 404


def test_a_second_export_waits_for_the_first(app, client):
    owner = UserFactory()
    log_in_client(client, owner)
    Export(owner=owner, state="building", expires_at=datetime.now(UTC) + timedelta(hours=1)).save()
    token = csrf_token(client.get("/account").text)

    problem = client.post(
        "/account/exports", headers={"X-CSRFToken": token, "Accept": "application/json"}
    )
    page = client.post("/account/exports", data={"csrf_token": token}, follow_redirects=True)

    assert problem.status_code == 409
    assert "being made already" in problem.get_json()["detail"]
    assert "being made already" in page.text
    assert Export.objects(owner=owner).count() == 1


def test_an_export_not_ready_yet_says_so(app, client):
    owner = UserFactory()
    log_in_client(client, owner)
    export = Export(
        owner=owner, state="queued", expires_at=datetime.now(UTC) + timedelta(hours=1)
    ).save()

    page = client.get(f"/account/exports/{export.id}")

    assert page.status_code == 409
    assert "not ready yet" in page.text


def test_starting_an_export_needs_the_csrf_token(app, client):
    owner = UserFactory()
    log_in_client(client, owner)

    refused = client.post("/account/exports", headers={"Accept": "application/json"})

    assert refused.status_code == 400
    assert Export.objects(owner=owner).count() == 0


def test_an_export_cut_short_by_a_dead_worker_starts_over_cleanly(app):
    owner = UserFactory()
    SongFactory(owner=owner)
    # What a worker killed while writing leaves: the export building, with chunks of
    # its archive and no file document.
    partial = ObjectId()
    get_database()[f"{EXPORTS_BUCKET}.chunks"].insert_many(
        [{"files_id": partial, "n": n, "data": Binary(b"x" * 1024)} for n in range(3)]
    )
    export = Export(
        owner=owner,
        state="building",
        progress=40,
        file_id=partial,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    ).save()

    app.extensions["celery"].send_task("exports.build", args=[str(export.id)])
    export = wait_for_export(export.id)

    assert _stored(partial) == (0, 0)
    assert export.file_id != partial
    assert _stored(export.file_id)[0] == 1
    assert export.progress == 100


def test_an_export_lost_for_an_hour_no_longer_blocks_a_new_one(app, client):
    owner = UserFactory()
    log_in_client(client, owner)
    lost = Export(
        owner=owner,
        state="building",
        created_at=datetime.now(UTC) - timedelta(hours=2),
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    ).save()

    export = wait_for_export(start_export(client))

    assert export.id != lost.id
    lost.reload()
    assert lost.state == "failed"
    assert "took too long" in lost.reason


def test_the_archive_is_written_without_holding_a_song_in_memory(app):
    mib = 1024 * 1024
    content = os.urandom(mib) * 24
    owner = UserFactory()
    song = SongFactory(owner=owner, content=content, original_filename="big.mp3")
    file_id = ObjectId()

    with app.app_context():
        tracemalloc.start()
        try:
            with open_writer(
                file_id,
                original_filename="x.zip",
                content_type="application/zip",
                bucket=EXPORTS_BUCKET,
            ) as out:
                write_archive(out, owner, [], [song], lambda done, total: None)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        with open_file(file_id, bucket=EXPORTS_BUCKET) as stored:
            archive = zipfile.ZipFile(stored)
            info = archive.getinfo("audio/big.mp3")
            with archive.open(info) as entry:
                digest = hashlib.sha256()
                for piece in iter(lambda: entry.read(mib), b""):
                    digest.update(piece)

    assert peak < 6 * mib, f"writing the archive peaked at {peak / mib:.1f} MiB"
    assert info.file_size == len(content)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest()
