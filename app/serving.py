"""The web process's listening socket, tuned for answers that leave at once."""

from __future__ import annotations

import socket


def without_nagle(listener: socket.socket) -> socket.socket:
    """Turn Nagle's algorithm off on ``listener``; the connections it accepts inherit it.

    With it on, an answer written in several pieces (headers, then a page larger than
    one TCP segment) waits for the client's delayed ACK: some 40 ms added to every such
    request on a kept-alive connection.
    """
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener
