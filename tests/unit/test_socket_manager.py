"""The web processes' client manager (app/realtime/manager.py): an END_SOCKETS emit,
heard from any process, disconnects the sockets this process holds in the room, and is
never delivered to them; every other emit is delivered as before."""

from __future__ import annotations

import pytest
import socketio

from app.realtime.manager import END_SOCKETS, SocketManager


class RecordingServer(socketio.Server):
    """A python-socketio server on a SocketManager that is never connected to Redis
    (nothing here publishes); it records what it would disconnect and send instead."""

    def __init__(self) -> None:
        manager = SocketManager("redis://127.0.0.1:1/0", channel="unit")
        super().__init__(client_manager=manager, async_mode="threading")
        self.disconnected: list[tuple[str, bool]] = []
        self.sent: list[str] = []

    def disconnect(self, sid, namespace=None, ignore_queue=False) -> None:
        self.disconnected.append((sid, ignore_queue))

    def _send_eio_packet(self, eio_sid, eio_pkt) -> None:
        self.sent.append(eio_sid)


@pytest.fixture
def server() -> RecordingServer:
    return RecordingServer()


def socket_in(server: RecordingServer, eio_sid: str, *rooms: str) -> str:
    sid = server.manager.connect(eio_sid, "/")
    for room in rooms:
        server.manager.enter_room(sid, "/", room)
    return sid


def heard(server: RecordingServer, event: str, room: str | None) -> None:
    """A message on the queue from another process, as the listener hands it over."""
    message = {"method": "emit", "event": event, "data": [None], "namespace": "/", "room": room}
    server.manager._handle_emit({**message, "host_id": "another-process"})


def test_an_ending_disconnects_the_room_s_sockets_here_and_sends_them_nothing(server):
    alice_1 = socket_in(server, "e1", "user:alice", "session:a1")
    alice_2 = socket_in(server, "e2", "user:alice", "session:a2")
    socket_in(server, "e3", "user:bob")

    heard(server, END_SOCKETS, "user:alice")

    assert sorted(server.disconnected) == sorted([(alice_1, True), (alice_2, True)])
    assert server.sent == []


def test_a_session_s_ending_leaves_the_user_s_other_sessions(server):
    socket_in(server, "e1", "user:alice", "session:a1")
    socket_in(server, "e2", "user:alice", "session:a2")

    heard(server, END_SOCKETS, "session:a1")

    assert [sid for sid, _ in server.disconnected] == [server.manager.sid_from_eio_sid("e1", "/")]


def test_an_ending_addressed_to_no_room_ends_nothing(server):
    socket_in(server, "e1", "user:alice")

    heard(server, END_SOCKETS, None)

    assert server.disconnected == []
    assert server.sent == []


def test_other_events_are_delivered_as_before(server):
    socket_in(server, "e1", "user:alice")

    heard(server, "song.status", "user:alice")

    assert server.sent == ["e1"]
    assert server.disconnected == []
