"""notify(): push one event to one user's open sockets, from any process."""

from __future__ import annotations

from typing import Any

from flask import current_app


def user_room(user_id: str) -> str:
    """The room every socket of one user joins."""
    return f"user:{user_id}"


def notify(user_id: str, event: str, payload: dict[str, Any]) -> None:
    """Emit ``event`` with ``payload`` to every socket of ``user_id``.

    Works in the web process and in a Celery worker alike: the emit goes through the
    Redis message queue to whichever web process holds the user's sockets.
    """
    socketio = current_app.extensions["socketio"]
    socketio.emit(event, payload, to=user_room(str(user_id)))
