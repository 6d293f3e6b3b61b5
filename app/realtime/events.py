"""Socket.IO event handlers: who may connect, and the room they join."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import SocketIO, join_room

from app.realtime.notify import user_room


def on_connect(auth: dict | None = None) -> bool:
    """Accept only signed-in users (session cookie); put them in their own room."""
    if not current_user.is_authenticated:
        return False
    join_room(user_room(str(current_user.id)))
    return True


def register(socketio: SocketIO) -> None:
    socketio.on_event("connect", on_connect)
