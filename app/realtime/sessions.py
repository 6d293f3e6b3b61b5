"""Sockets follow the account: which login each socket belongs to, and ending them.

Every socket joins ``user:<id>``, and ``session:<id>`` for the login it was opened by: a
random id kept in the Flask session from login (or a remember-me cookie bringing a
session back) to logout. Ending sockets is an :data:`~app.realtime.manager.END_SOCKETS`
emit to one of those rooms: it goes through the Redis message queue, so every web process
closes the ones it holds, whichever process (web, CLI) made the change.
"""

from __future__ import annotations

import secrets

from flask import current_app, session

from app.accounts.models import User
from app.realtime.manager import END_SOCKETS
from app.realtime.notify import user_room

#: Where the Flask session keeps its login's id.
SESSION_ID_KEY = "socket_session_id"
#: Where each socket's own (python-socketio) session keeps the ``fs_uniquifier`` its
#: account had when it connected.
UNIQUIFIER_KEY = "fs_uniquifier"


def session_room(session_id: str) -> str:
    """The room every socket of one login joins."""
    return f"session:{session_id}"


def start_session(*, keep_existing: bool = False) -> None:
    """Give the current Flask session a new login id; with ``keep_existing``, only if it
    has none."""
    if keep_existing and session.get(SESSION_ID_KEY):
        return
    session[SESSION_ID_KEY] = secrets.token_urlsafe(16)


def current_session_id() -> str | None:
    return session.get(SESSION_ID_KEY)


def end_session() -> None:
    """Close the sockets of the current login, wherever they are, and forget its id;
    the user's other logins keep theirs."""
    session_id = session.pop(SESSION_ID_KEY, None)
    if session_id:
        _end_sockets_in(session_room(session_id))


def end_session_sockets(session_id: str) -> None:
    """Close every socket of one login, on every web process: it was signed out from
    another session."""
    _end_sockets_in(session_room(session_id))


def end_user_sockets(user_id: str) -> None:
    """Close every socket of ``user_id``, on every web process. Call it once the change
    that ends them (deactivation, a new ``fs_uniquifier``, deletion) is stored."""
    _end_sockets_in(user_room(str(user_id)))


def _end_sockets_in(room: str) -> None:
    current_app.extensions["socketio"].emit(END_SOCKETS, to=room)


def account_is_current(uniquifier: str) -> bool:
    """Whether an active account still has this ``fs_uniquifier``: one that was
    deactivated, deleted or signed out everywhere since has not."""
    return uniquifier in current_uniquifiers({uniquifier})


def current_uniquifiers(uniquifiers: set[str]) -> set[str]:
    """Those of ``uniquifiers`` that an active account still has."""
    found = User.objects(fs_uniquifier__in=list(uniquifiers), active=True)
    return set(found.scalar("fs_uniquifier"))
