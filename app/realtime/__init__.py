"""Live updates over Socket.IO, carried between processes by the Redis message queue.

This package is the only code that emits: everything else calls :func:`notify`.
"""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from app.realtime.notify import notify, user_room

__all__ = ["init_realtime", "notify", "user_room"]


def init_realtime(app: Flask, *, worker: bool = False) -> SocketIO:
    """Create this app's SocketIO and store it as ``app.extensions["socketio"]``.

    The web app gets a full server; a worker (``worker=True``) gets a write-only emitter
    that publishes to the same Redis queue the web processes listen on.
    """
    options = {
        "message_queue": app.config["REDIS_URL"],
        "channel": app.config["SOCKETIO_CHANNEL"],
    }
    if worker:
        # Write-only: no app, and threading so eventlet is never imported in a worker.
        socketio = SocketIO(async_mode="threading", **options)
        app.extensions["socketio"] = socketio
        return socketio
    socketio = SocketIO(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=[],  # same origin only
        **options,
    )
    from app.realtime import events

    events.register(socketio)
    return socketio
