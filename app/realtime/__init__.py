"""Live updates over Socket.IO, carried between processes by the Redis message queue.

This package is the only code that emits: everything else calls :func:`notify`, or ends
sockets with :func:`end_user_sockets` and :func:`end_session`.
"""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from app.realtime.manager import SocketManager
from app.realtime.notify import notify, user_room
from app.realtime.origins import origin_checker
from app.realtime.sessions import (
    end_session,
    end_session_sockets,
    end_user_sockets,
    start_session,
)

__all__ = [
    "end_session",
    "end_session_sockets",
    "end_user_sockets",
    "init_realtime",
    "notify",
    "start_session",
    "user_room",
]


def init_realtime(app: Flask, *, worker: bool = False) -> SocketIO:
    """Create this app's SocketIO and store it as ``app.extensions["socketio"]``.

    The web app gets a full server; a worker (``worker=True``) gets a write-only emitter
    that publishes to the same Redis queue the web processes listen on.
    """
    if worker:
        # Write-only: no app, and threading so eventlet is never imported in a worker.
        socketio = SocketIO(
            async_mode="threading",
            message_queue=app.config["REDIS_URL"],
            channel=app.config["SOCKETIO_CHANNEL"],
        )
        app.extensions["socketio"] = socketio
        return socketio
    socketio = SocketIO(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # Pages of this site only: EXTERNAL_URL's origin, or the trusted host the
        # handshake is addressed to (app/realtime/origins.py).
        cors_allowed_origins=origin_checker(app.config),
        client_manager=SocketManager(
            app.config["REDIS_URL"], channel=app.config["SOCKETIO_CHANNEL"]
        ),
    )
    from app.realtime import events

    events.register(socketio)
    return socketio
