"""Socket.IO event handlers: who may connect, and the rooms they join."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from flask_socketio import SocketIO, join_room

from app.realtime.notify import user_room
from app.realtime.sessions import (
    UNIQUIFIER_KEY,
    account_is_current,
    current_session_id,
    session_room,
)


def on_connect(auth: dict | None = None) -> bool:
    """Accept only signed-in users; put each socket in its user's room and its login's.

    The rooms are joined before the account is read again: a change that ends the
    account's sockets is stored before it is announced, so either the announcement
    finds this socket in its rooms or the second read sees the change.
    """
    if not current_user.is_authenticated:
        return False
    user = current_user._get_current_object()
    join_room(user_room(str(user.id)))
    session_id = current_session_id()
    if session_id:
        join_room(session_room(session_id))
    server = current_app.extensions["socketio"].server
    server.save_session(request.sid, {UNIQUIFIER_KEY: user.fs_uniquifier})
    return account_is_current(user.fs_uniquifier)


def register(socketio: SocketIO) -> None:
    socketio.on_event("connect", on_connect)
