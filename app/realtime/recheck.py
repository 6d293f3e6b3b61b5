"""The safety net: each web process re-checks the accounts of the sockets it holds.

An account's sockets are closed the moment it is deactivated, deleted or signed out
everywhere (:func:`app.realtime.sessions.end_user_sockets`). That message travels through
Redis, which does not keep it for a process that is not listening at that moment (Redis
restarting, say). So every ``SOCKET_RECHECK_SECONDS`` each web process also closes its
sockets whose account no longer has the ``fs_uniquifier`` it connected with, or is
inactive: a socket never outlives its session by more than that.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_socketio import SocketIO

from app.realtime.sessions import UNIQUIFIER_KEY, current_uniquifiers

logger = logging.getLogger(__name__)
NAMESPACE = "/"


def end_sockets_of_ended_accounts(socketio: SocketIO) -> int:
    """Close this process's sockets whose session is no longer valid; returns how many.
    Needs an app context (it reads the accounts)."""
    server = socketio.server
    held: dict[str, str | None] = {}
    for sid, _ in server.manager.get_participants(NAMESPACE, None):
        if not server.manager.is_connected(sid, NAMESPACE):
            continue  # still in its connect handler, which checks for itself
        try:
            held[sid] = server.get_session(sid, namespace=NAMESPACE).get(UNIQUIFIER_KEY)
        except KeyError:
            continue  # gone meanwhile
    if not held:
        return 0
    current = current_uniquifiers({uniquifier for uniquifier in held.values() if uniquifier})
    ended = [sid for sid, uniquifier in held.items() if uniquifier not in current]
    for sid in ended:
        server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
    return len(ended)


def recheck_sockets_forever(app: Flask) -> None:
    socketio = app.extensions["socketio"]
    interval = app.config["SOCKET_RECHECK_SECONDS"]
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                ended = end_sockets_of_ended_accounts(socketio)
        except Exception:
            # MongoDB unreachable, most likely: the sockets are checked again next time.
            logger.exception("could not re-check the open sockets' accounts")
            continue
        if ended:
            logger.info("closed %d socket(s) whose session had ended", ended)


def start_socket_recheck(app: Flask) -> None:
    """Re-check this web process's sockets every SOCKET_RECHECK_SECONDS, in the
    background, for as long as the process runs."""
    app.extensions["socketio"].start_background_task(recheck_sockets_forever, app)
