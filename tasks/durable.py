"""Options shared by the tasks that must finish even when a worker dies or a server blinks."""

from __future__ import annotations

from typing import Any

from pymongo.errors import AutoReconnect, ConnectionFailure
from redis.exceptions import ConnectionError as RedisConnectionError

#: Errors that a retry may cure: MongoDB or Redis briefly out of reach.
TRANSIENT_ERRORS = (AutoReconnect, ConnectionFailure, RedisConnectionError)

#: Acknowledged only once done, handed out again if the worker is lost, and retried with
#: backoff on a transient error; the tasks themselves are safe to run twice.
DURABLE: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 8,
}
