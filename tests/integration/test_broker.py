"""The broker connection of a worker that loses Redis while tasks are unacknowledged.

Replays, step by step, what Celery's consumer does when Redis goes away (see
tasks/broker.py): a task channel with an unacknowledged message and a BRPOP in flight, a
remote-control channel with an auto-delete fanout queue, Redis stopped, then
``connection.collect()`` and ``connection.close()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress

import pytest
from kombu import Connection, Exchange, Queue
from kombu.transport import redis as kombu_redis

from app.embedded import start_redis
from tasks.broker import _kombu_close, patch_redis_channel_close


@pytest.fixture
def broker_lost(tmp_path) -> Iterator[Callable[[], tuple[Connection, kombu_redis.Channel]]]:
    """A connection, and its task channel, in the state Celery's consumer finds them when
    Redis has just gone."""
    servers = []

    def lose() -> tuple[Connection, kombu_redis.Channel]:
        server = start_redis(tmp_path / "redis", log_path=tmp_path / "redis.log")
        servers.append(server)
        connection = Connection(server.url, transport_options={"socket_connect_timeout": 1})
        tasks = connection.default_channel
        queue = Queue("songs", Exchange("songs"), "songs")
        with connection.Producer() as producer:
            producer.publish(
                {"song": 1}, exchange=queue.exchange, routing_key="songs", declare=[queue]
            )
        connection.Consumer(queue, channel=tasks, callbacks=[lambda body, message: None]).consume()
        connection.drain_events(timeout=5)
        control = connection.channel()
        broadcast = Queue("control", Exchange("control", type="fanout"), auto_delete=True)
        connection.Consumer(broadcast, channel=control, no_ack=True).consume()
        tasks._brpop_start()  # the event loop's BRPOP, waiting for the next task
        assert len(tasks.qos._delivered) == 1  # one task unacknowledged
        server.stop()
        return connection, tasks

    yield lose
    for server in servers:
        server.stop()


def collect_and_close(connection: Connection) -> None:
    """What ``Consumer.on_connection_error_after_connected`` does with the broken
    connection, errors ignored the way it ignores them."""
    with suppress(Exception):  # Celery swallows every error of collect()
        connection.collect(socket_timeout=1)
    # ignore_errors(): a connection error is expected, anything else stops the worker
    with suppress(*connection.connection_errors):
        connection.close()


def test_a_worker_connection_closes_cleanly_when_redis_is_gone(broker_lost):
    patch_redis_channel_close()
    connection, tasks = broker_lost()

    collect_and_close(connection)

    assert tasks.closed
    assert connection._closed


def test_stock_kombu_still_needs_the_patch(broker_lost, monkeypatch):
    """If this starts failing, kombu fixed the bug: drop tasks/broker.py."""
    monkeypatch.setattr(kombu_redis.Channel, "close", _kombu_close)
    connection, _tasks = broker_lost()

    with pytest.raises(AttributeError, match="hostname"):
        collect_and_close(connection)
