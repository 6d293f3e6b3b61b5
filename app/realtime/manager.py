"""The web processes' Socket.IO client manager: Redis, plus closing a room's sockets.

python-socketio carries emits, one socket's ``disconnect`` and ``close_room`` (which only
empties a room, leaving its sockets connected) between processes, but nothing that closes
every socket in a room. :data:`END_SOCKETS` fills that gap with the message every process
already shares: it is emitted to a room like any event, from any process (a web process,
the CLI, a worker's write-only emitter), and each web process, instead of sending it on,
disconnects the sockets it holds in that room.
"""

from __future__ import annotations

from typing import Any

import socketio

#: The event that closes a room's sockets; never delivered to a client.
END_SOCKETS = "encore:end-sockets"


class SocketManager(socketio.RedisManager):
    """``socketio.RedisManager`` that acts on :data:`END_SOCKETS` itself.

    ``_handle_emit`` is where python-socketio's pub/sub manager delivers an emit, both
    the ones this process makes and the ones it hears from the others.
    """

    def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == END_SOCKETS:
            self.end_local_sockets(message.get("room"), message.get("namespace") or "/")
        else:
            super()._handle_emit(message)

    def end_local_sockets(self, room: str | None, namespace: str = "/") -> int:
        """Disconnect the sockets in ``room`` that this process holds; returns how many.
        Without a room, nothing (never everyone). A socket still in its connect handler
        is left to that handler, which checks its account after joining its rooms."""
        if room is None:
            return 0
        sids = [
            sid
            for sid, _ in self.get_participants(namespace, room)
            if self.is_connected(sid, namespace)
        ]
        for sid in sids:
            self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        return len(sids)
