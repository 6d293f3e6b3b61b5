"""No file holds processing hostage, on a real worker: files that decode to far more than
their size or header suggests end ``failed`` with the reason, or ``ready`` with their real
duration, in bounded time; a song that takes longer than the time limit fails saying so,
and the worker goes on with the next one; a song whose processing keeps being cut short is
given up on after PROCESSING_MAX_ATTEMPTS.

The workers here have broker databases of their own, so only they take these uploads, and
a low MAX_AUDIO_SECONDS so that reaching it is quick.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app.library.models import Song, utcnow
from app.library.pipeline import finish_processing, queue_song, start_processing, stuck_songs
from app.notifications.models import Notification
from app.processes import stop
from tests.factories import MP3, SongFactory, UserFactory
from tests.fixtures import mp3_frames_for
from tests.fixtures.hostile_audio import (
    flac_claiming_samples,
    flac_of_silence,
    mp3_of_tiny_frames,
    wav_claiming_bytes,
)
from tests.helpers import csrf_token
from tests.library import upload
from tests.logins import log_in_client
from tests.servers import redis_database, start_worker

# Each file here takes a worker about a second; this leaves room for a loaded machine.
WAIT_SECONDS = 90
TOO_LONG = "This file holds more than 10 minutes of audio, the longest a song may be."


@pytest.fixture(scope="module")
def bounded_settings(settings):
    return {
        **settings,
        "MAX_AUDIO_SECONDS": 600,
        "REDIS_URL": redis_database(settings["REDIS_URL"], 2),
    }


@pytest.fixture(scope="module")
def bounded_worker(bounded_settings, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("bounded-worker") / "worker.log"
    process = start_worker(bounded_settings, log_path, name="bounded")
    yield
    stop(process)


@pytest.fixture(scope="module")
def hurried_settings(settings):
    return {
        **settings,
        "PROCESSING_TIME_LIMIT_SECONDS": 2,
        "REDIS_URL": redis_database(settings["REDIS_URL"], 3),
    }


@pytest.fixture(scope="module")
def hurried_worker(hurried_settings, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("hurried-worker") / "worker.log"
    process = start_worker(hurried_settings, log_path, name="hurried")
    yield
    stop(process)


def uploader(make_app, settings: dict):
    """Upload ``content`` as a member, through an app on ``settings``; returns the id."""
    client = make_app(**settings).test_client()
    token = csrf_token(log_in_client(client, UserFactory()).text)

    def send(content: bytes, filename: str) -> str:
        response = upload(client, token, None, content=content, filename=filename)
        assert response.status_code == 201, response.text
        return response.get_json()["id"]

    return send


def wait_for_final(*song_ids: str) -> list[Song]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        songs = [Song.objects.get(id=song_id) for song_id in song_ids]
        if all(song.status in ("ready", "failed") for song in songs):
            return songs
        time.sleep(0.1)
    raise AssertionError(f"{[(s.title, s.status) for s in songs]} after {WAIT_SECONDS} s")


@pytest.mark.usefixtures("bounded_worker")
def test_files_decoding_to_more_than_the_limit_fail_and_leave_the_worker_free(
    make_app, bounded_settings
):
    send = uploader(make_app, bounded_settings)
    started = time.monotonic()

    silence = send(flac_of_silence(6 * 3600), "six-hours-of-silence.flac")
    tiny_frames = send(mp3_of_tiny_frames(40 * 60), "forty-minutes-of-tiny-frames.mp3")
    tune = send(MP3.read_bytes(), "tune.mp3")
    songs = wait_for_final(silence, tiny_frames, tune)

    assert time.monotonic() - started < WAIT_SECONDS
    assert [(song.status, song.status_reason) for song in songs] == [
        ("failed", TOO_LONG),
        ("failed", TOO_LONG),
        ("ready", ""),
    ]
    assert Notification.objects(text__contains=TOO_LONG).count() == 2


@pytest.mark.usefixtures("bounded_worker")
def test_headers_that_lie_about_the_length_give_the_real_duration(make_app, bounded_settings):
    send = uploader(make_app, bounded_settings)

    flac = send(flac_claiming_samples(2**36 - 1), "claims-eighteen-days.flac")
    wav = send(wav_claiming_bytes(0xFFFFFF00), "claims-four-gigabytes.wav")
    tiny_frames = send(mp3_of_tiny_frames(5 * 60), "five-minutes-of-tiny-frames.mp3")
    songs = wait_for_final(flac, wav, tiny_frames)

    assert [song.status for song in songs] == ["ready", "ready", "ready"]
    assert [round(song.duration) for song in songs] == [5, 3, 300]
    assert [len(song.peaks) for song in songs] == [800, 800, 800]


@pytest.mark.usefixtures("hurried_worker")
def test_a_song_past_the_time_limit_fails_saying_so_and_the_next_one_is_processed(
    make_app, hurried_settings
):
    send = uploader(make_app, hurried_settings)

    slow = send(mp3_frames_for(20 * 60), "twenty-minutes.mp3")  # a few seconds' work
    quick = send(MP3.read_bytes(), "five-seconds.mp3")
    slow_song, quick_song = wait_for_final(slow, quick)

    assert slow_song.status == "failed"
    assert slow_song.status_reason == (
        "Processing this file took longer than 2 seconds, the most a song may take, "
        "so it was stopped."
    )
    assert slow_song.attempts == 1
    assert quick_song.status == "ready"


# Attempts: a song whose processing keeps dying with its worker is given up on.

GIVEN_UP = (
    "Processing started 3 times without finishing (its worker stopped or failed each "
    "time), so it is not tried again."
)


def test_each_claim_counts_an_attempt_and_queuing_again_starts_over(app):
    with app.app_context():
        song = SongFactory(owner=UserFactory(), title="Counted")

        claimed = start_processing(str(song.id))
        assert claimed.attempts == 1
        assert finish_processing(claimed) == "ready"

        queued_again = queue_song(Song.objects.get(id=song.id))
        assert queued_again.attempts == 0


def test_the_sweep_fails_a_song_out_of_attempts_and_queues_the_others(app):
    owner = UserFactory()
    expired = utcnow() - timedelta(seconds=1)
    with app.app_context():
        worn_out = SongFactory(
            owner=owner, title="Worn out", status="processing", lease_until=expired
        )
        Song.objects(id=worn_out.id).update(set__attempts=3)
        once = SongFactory(owner=owner, title="Once", status="processing", lease_until=expired)
        Song.objects(id=once.id).update(set__attempts=1)

        assert stuck_songs() == [str(once.id)]

    worn_out.reload()
    assert (worn_out.status, worn_out.status_reason) == ("failed", GIVEN_UP)
    assert Song.objects.get(id=once.id).status == "queued"
    assert Notification.objects(user=owner, text__contains=GIVEN_UP).count() == 1


def test_a_task_for_a_song_out_of_attempts_fails_it_instead_of_processing(app):
    with app.app_context():
        song = SongFactory(owner=UserFactory(), title="Redelivered")
        Song.objects(id=song.id).update(set__attempts=3)

        assert start_processing(str(song.id)) is None

    assert Song.objects.get(id=song.id).status_reason == GIVEN_UP


def test_a_song_stored_before_attempts_were_counted_is_claimed(app):
    with app.app_context():
        song = SongFactory(owner=UserFactory(), title="Older")
        Song._get_collection().update_one({"_id": song.id}, {"$unset": {"attempts": ""}})

        claimed = start_processing(str(song.id))

    assert claimed is not None
    assert claimed.attempts == 1
