"""Signal receivers: each one only hands work on, to a Celery task or to the sockets.

The app factory connects them (``connect_receivers`` in app/__init__.py).
"""

from __future__ import annotations

import logging

from flask import Flask
from kombu.exceptions import OperationalError

from app import realtime
from app.accounts.models import User
from app.i18n.selection import request_language
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
        process_song.delay(song_id, request_language())
    except OperationalError as error:
        logger.warning("song %s stays queued: broker unreachable (%s)", song_id, error)


def start_socket_session(sender: Flask, *, user: User, **extra: object) -> None:
    """A login is a session of its own: its sockets end with it (Flask-Login's
    ``user_logged_in``)."""
    realtime.start_session()


def keep_socket_session(sender: Flask, *, user: User, **extra: object) -> None:
    """A remember-me cookie brought a login back into a new session: it gets an id too
    (``user_loaded_from_cookie``)."""
    realtime.start_session(keep_existing=True)


def end_socket_session(sender: Flask, *, user: User, **extra: object) -> None:
    """A logout closes that session's sockets, not the user's other sessions'
    (``user_logged_out``)."""
    realtime.end_session()


def end_account_sockets(sender: Flask, *, user_id: str) -> None:
    """Close every open socket of an account whose sessions ended, on every web process
    (``sessions_ended``)."""
    realtime.end_user_sockets(user_id)


def end_sockets_after_new_password(sender: Flask, *, user: User, **extra: object) -> None:
    """A new password ends every session of the account (Flask-Security gives it a new
    ``fs_uniquifier``), so its sockets are closed too (``password_changed``,
    ``password_reset``)."""
    realtime.end_user_sockets(str(user.id))
