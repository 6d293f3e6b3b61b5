"""One fix to kombu's Redis transport, so that a worker outlives a Redis restart.

The bug (kombu 5.7.0, the version pinned): when Redis goes away, Celery's consumer first
``collect()``s the broken connection and then ``close()``s it. Closing a channel that has a
BRPOP in flight starts by reading that command's reply; on a dead connection the read
raises ``ConnectionError``, so ``Channel.close()`` stops before it marks the channel closed.
kombu ignores connection errors while closing, goes on, and detaches the transport from
the connection (``transport.client = None``), yet keeps the half-closed channel as the
connection's default channel. ``close()`` then closes that channel again: this time it gets
through, and handing its unacknowledged tasks back to Redis builds a new connection pool
from ``transport.client``, which is None: ``AttributeError: 'NoneType' object has no
attribute 'hostname'``. That is not a connection error, so it escapes Celery's reconnect
logic and the worker exits ("Unrecoverable error"). It happens when Redis drops while
tasks are unacknowledged (acks_late), the worker waits for more (a BRPOP in flight), and
the remote-control channel notices the loss before the task channel does: at about one
Redis restart in two under a light load.

The fix: a BRPOP reply lost with its connection is nothing to read. Closing the channel
goes on as usual, with the transport still attached: the unacknowledged tasks are handed
back if Redis answers, and if it does not, that is the connection error kombu already
ignores (Redis keeps them in its unacked index and kombu restores them later; processing
is idempotent and the sweep re-queues songs whose task was lost). Applied once, by
:func:`tasks.celery_init_app`; ``tests/integration/test_broker.py`` replays the sequence.
"""

from __future__ import annotations

from contextlib import suppress
from queue import Empty

from kombu.transport import redis as kombu_redis

_kombu_close = kombu_redis.Channel.close


def _close(channel: kombu_redis.Channel) -> None:
    if channel._in_poll:
        # The reply of the BRPOP in flight: a message (delivered as kombu does), nothing,
        # or, on a dead connection, an error that must not stop the close.
        with suppress(Empty, *channel.connection_errors):
            channel._brpop_read()
    _kombu_close(channel)


def patch_redis_channel_close() -> None:
    """Make kombu's Redis ``Channel.close()`` finish when its connection is gone.
    Safe to call more than once."""
    kombu_redis.Channel.close = _close
