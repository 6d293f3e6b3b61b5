"""Signal receivers: each one only hands work to a Celery task.

The app factory connects them (``connect_receivers`` in app/__init__.py).
"""

from __future__ import annotations

import logging

from flask import Flask
from kombu.exceptions import OperationalError

from app.mail.message import MailMessage
from tasks.mail import send_mail
from tasks.uploads import process_song

logger = logging.getLogger(__name__)


def enqueue_mail(sender: Flask, *, message: MailMessage) -> None:
    """Queue delivery of a rendered mail; the worker sends it and retries if needed."""
    send_mail.delay(message.to_dict())


def enqueue_processing(sender: Flask, *, song_id: str) -> None:
    """Queue processing of a queued song. If the broker is unreachable the song simply
    stays ``queued``: the periodic sweep queues it again once Redis is back."""
    try:
        process_song.delay(song_id)
    except OperationalError as error:
        logger.warning("song %s stays queued: broker unreachable (%s)", song_id, error)
