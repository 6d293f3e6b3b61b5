"""Mail has a queue and a worker of its own: an activation mail goes out while uploads
keep every processing slot busy, with the workers split as ``make run`` and docker compose
split them (one consuming the processing queue, one the mail queue)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from app.config import MAIL_QUEUE, PROCESSING_QUEUE
from app.library.models import Song
from app.processes import stop
from tests.factories import UserFactory
from tests.fixtures.hostile_audio import flac_of_silence
from tests.helpers import csrf_token, wait_for_mail
from tests.library import upload
from tests.logins import log_in_client
from tests.servers import redis_database, start_worker

BUSY_WAIT_SECONDS = 60


@pytest.fixture(scope="module")
def split_settings(settings):
    """A broker database of its own, so only the workers below take these tasks."""
    return {**settings, "REDIS_URL": redis_database(settings["REDIS_URL"], 4)}


@pytest.fixture(scope="module")
def split_workers(split_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("split-workers")
    processing = start_worker(
        split_settings, folder / "processing.log", "processing", queues=[PROCESSING_QUEUE]
    )
    mail = start_worker(split_settings, folder / "mail.log", "mail", queues=[MAIL_QUEUE])
    yield
    stop(mail)
    os.killpg(processing.pid, signal.SIGKILL)  # busy for a while yet: no need to wait
    processing.wait()


@pytest.mark.usefixtures("split_workers")
def test_an_activation_mail_goes_out_while_uploads_fill_every_processing_slot(
    make_app, split_settings
):
    member = make_app(**split_settings).test_client()
    token = csrf_token(log_in_client(member, UserFactory()).text)
    song_ids = [
        upload(
            member, token, None, content=flac_of_silence(2 * 3600), filename=f"{n}.flac"
        ).get_json()["id"]
        for n in range(4)
    ]
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    while Song.objects(id__in=song_ids, status="processing").count() < 2:
        assert time.monotonic() < deadline, "the uploads never filled both processing slots"
        time.sleep(0.05)

    visitor = make_app(**split_settings).test_client()
    form = csrf_token(visitor.get("/register").text)
    password = "blue-velvet-harmonica-42"
    response = visitor.post(
        "/register",
        data={
            "username": "newcomer",
            "first_name": "New",
            "last_name": "Comer",
            "email": "newcomer@example.org",
            "password": password,
            "password_confirm": password,
            "csrf_token": form,
        },
    )
    assert response.status_code in (200, 302), response.text

    [mail] = wait_for_mail(split_settings["INSTANCE_PATH"], "newcomer@example.org")
    assert "/confirm" in mail.text
    still_waiting = Song.objects(id__in=song_ids, status__in=["queued", "processing"])
    # Behind the uploads in one queue, the mail would wait for two of them to finish.
    assert still_waiting.count() >= 3
