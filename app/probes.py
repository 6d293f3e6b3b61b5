"""One-shot pings of MongoDB and Redis with short timeouts, for readiness and health."""

from __future__ import annotations

import pymongo
import redis
from pymongo.errors import PyMongoError


def mongodb_problem(url: str, timeout: float) -> str | None:
    """None when a MongoDB server answers ``ping`` at ``url``, else the name of the error.

    A client of its own, so the wait is bounded by ``timeout``, not by the app's
    longer server-selection timeout.
    """
    milliseconds = int(timeout * 1000)
    client = pymongo.MongoClient(
        url, serverSelectionTimeoutMS=milliseconds, connectTimeoutMS=milliseconds
    )
    try:
        client.admin.command("ping")
    except PyMongoError as error:
        return error.__class__.__name__
    finally:
        client.close()
    return None


def redis_problem(url: str, timeout: float) -> str | None:
    """None when a Redis server answers ``PING`` at ``url``, else the name of the error."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as error:
        return error.__class__.__name__
    finally:
        client.close()
    return None
