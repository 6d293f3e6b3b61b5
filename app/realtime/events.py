"""Socket.IO event handlers: who may connect, and which rooms they join."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import SocketIO, join_room

from app.realtime.notify import ADMINS_ROOM, user_room


def on_connect(auth: dict | None = None) -> bool:
    """Accept only signed-in users (session cookie); put them in their rooms."""
    if not current_user.is_authenticated:
        return False
    join_room(user_room(str(current_user.id)))
    if current_user.has_role("Admin"):
        join_room(ADMINS_ROOM)
    return True


def register(socketio: SocketIO) -> None:
    socketio.on_event("connect", on_connect)
