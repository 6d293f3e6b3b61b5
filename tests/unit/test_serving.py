"""The web server's listening socket sends answers without waiting (no Nagle delay)."""

from __future__ import annotations

import socket

from app.serving import without_nagle


def test_accepted_connections_have_nagle_off():
    listener = without_nagle(socket.create_server(("127.0.0.1", 0)))
    with listener, socket.create_connection(listener.getsockname()):
        accepted, _ = listener.accept()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    plain = socket.create_server(("127.0.0.1", 0))
    with plain:
        assert plain.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
