"""Signal receivers: each one only hands work to a Celery task."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from app.mail.message import MailMessage

logger = logging.getLogger(__name__)


def enqueue_demo_pong(sender: Flask, *, user_id: str, sent_at: float) -> None:
    """Queue the demo round trip: the worker answers on the user's socket room."""
    from tasks.demo import send_pong

    send_pong.delay(user_id, sent_at)


def enqueue_mail(sender: Flask, *, message: MailMessage) -> None:
    """Queue delivery of a rendered mail; the worker sends it and retries if needed."""
    from tasks.mail import send_mail

    send_mail.delay(message.to_dict())


def enqueue_processing(sender: Flask, *, song_id: str, **_: object) -> None:
    """Queue processing of a stored song. If the broker is unreachable the song simply
    stays ``queued``: the periodic sweep queues it again once Redis is back."""
    from tasks.uploads import process_song

    try:
        process_song.delay(song_id)
    except OperationalError as error:
        logger.warning("song %s stays queued: broker unreachable (%s)", song_id, error)


def push_song_status(sender: Flask, *, owner_id: str, status: dict, **_: object) -> None:
    """Tell the owner's open pages that the song is queued."""
    from app.realtime import notify

    try:
        notify(owner_id, "song.status", status)
    except RedisError as error:
        logger.warning("song %s: status not pushed, Redis unreachable (%s)", status["id"], error)
