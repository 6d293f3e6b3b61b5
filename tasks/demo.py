"""The backbone's round trip: a task that answers on the user's socket room."""

from __future__ import annotations

import socket

from celery import shared_task

from app.realtime import notify


@shared_task(name="demo.send_pong")
def send_pong(user_id: str, sent_at: float) -> None:
    """Emit ``demo.pong`` to ``user_id``'s sockets through the Redis message queue."""
    notify(user_id, "demo.pong", {"sent_at": sent_at, "worker": socket.gethostname()})
