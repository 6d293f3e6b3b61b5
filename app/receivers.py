"""Signal receivers: each one only hands work on, to a Celery task or to the sockets.

The app factory connects them (``connect_receivers`` in app/__init__.py).
"""

from __future__ import annotations

import logging

from flask import Flask
from kombu.exceptions import OperationalError

from app import realtime
from app.accounts import lockout
from app.accounts import sessions as login_records
from app.accounts.models import User
from app.accounts.services import send_email_changed_notice
from app.config import N_
from app.exports.services import give_up_export
from app.i18n.selection import request_language
from app.mail.message import MailMessage
from tasks.accounts import delete_account
from tasks.exports import build as build_export
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


def enqueue_export(sender: Flask, *, export_id: str) -> None:
    """Queue the making of a member's export. If the broker is unreachable the export is
    marked failed at once, so the member can start another."""
    try:
        build_export.delay(export_id)
    except OperationalError as error:
        logger.warning("export %s not queued: broker unreachable (%s)", export_id, error)
        give_up_export(export_id, N_("It could not be queued. Please try again in a moment."))


def enqueue_account_deletion(sender: Flask, *, user_id: str) -> None:
    """Queue the deletion of an account its owner asked to delete. If the broker is
    unreachable the account stays deactivated and the hourly sweep queues it later."""
    try:
        delete_account.delay(user_id)
    except OperationalError as error:
        logger.warning("deletion of %s waits: broker unreachable (%s)", user_id, error)


def record_login(sender: Flask, *, user: User, **extra: object) -> None:
    """A sign-in, however it was made, is listed among the account's sessions
    (Flask-Security's ``user_authenticated``, sent once the login has its id)."""
    login_records.record_session(user)


def start_socket_session(sender: Flask, *, user: User, **extra: object) -> None:
    """A login is a session of its own: its sockets end with it (Flask-Login's
    ``user_logged_in``)."""
    realtime.start_session()


def keep_socket_session(sender: Flask, *, user: User, **extra: object) -> None:
    """A remember-me cookie brought a login back into a new session: it gets an id too
    (``user_loaded_from_cookie``)."""
    realtime.start_session(keep_existing=True)
    login_records.record_session(user)


def end_socket_session(sender: Flask, *, user: User, **extra: object) -> None:
    """A logout closes that session's sockets, not the user's other sessions'
    (``user_logged_out``); its record goes first, while the session still knows its id."""
    login_records.forget_current()
    realtime.end_session()


def end_account_sockets(sender: Flask, *, user_id: str) -> None:
    """Close every open socket of an account whose sessions ended, on every web process
    (``sessions_ended``)."""
    realtime.end_user_sockets(user_id)


def forget_account_logins(sender: Flask, *, user_id: str) -> None:
    """An account signed out everywhere has no session or token left to list
    (``sessions_ended``)."""
    login_records.forget_all(user_id)


def end_signed_out_session(sender: Flask, *, session_id: str) -> None:
    """Close the sockets of a session signed out from another one, on every web process
    (``session_signed_out``)."""
    realtime.end_session_sockets(session_id)


def end_sockets_after_new_password(sender: Flask, *, user: User, **extra: object) -> None:
    """A new password ends every session of the account (Flask-Security gives it a new
    ``fs_uniquifier``), so its sockets are closed too (``password_changed``,
    ``password_reset``)."""
    realtime.end_user_sockets(str(user.id))


def forget_logins_after_new_password(sender: Flask, *, user: User, **extra: object) -> None:
    """A new password ended the account's other sessions and its tokens: they are listed
    no more (``password_changed``, ``password_reset``)."""
    login_records.forget_all_but_current(user)


def tell_old_address(sender: Flask, *, user: User, old_email: str, **extra: object) -> None:
    """A new email address was confirmed: queue a notice to the old one
    (Flask-Security's ``change_email_confirmed``)."""
    send_email_changed_notice(user, old_email)


def unlock_after_password_reset(sender: Flask, *, user: User, **extra: object) -> None:
    """Whoever completed a password reset controls the account's mail: its lockout ends
    (``password_reset``)."""
    lockout.clear_user(user)
