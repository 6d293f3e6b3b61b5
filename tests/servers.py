"""Private servers and processes for the test session: MongoDB, Redis, worker, web."""

from __future__ import annotations

import os
import sys
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import requests
from celery import Celery
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from app.config import (
    MAIL_QUEUE,
    PROCESSING_QUEUE,
    PROJECT_ROOT,
    celery_settings,
    defaults_for,
    environment_text,
)
from app.embedded import start_mongodb, start_redis
from app.processes import ProcessError, free_port, spawn, stop, wait_until_ready


@dataclass(frozen=True)
class ServerUrls:
    mongodb_uri: str
    redis_url: str


def with_database(uri: str, database: str) -> str:
    """``uri`` with its database name replaced, options kept."""
    head, _, options = uri.partition("?")
    scheme, _, rest = head.partition("://")
    hosts = rest.split("/", 1)[0]
    return f"{scheme}://{hosts}/{database}" + (f"?{options}" if options else "")


def redis_database(url: str, number: int) -> str:
    """``url`` pointing at Redis database ``number``."""
    head, _, options = url.partition("?")
    scheme, _, rest = head.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/{number}" + (f"?{options}" if options else "")


@contextmanager
def private_servers(workdir: Path) -> Iterator[ServerUrls]:
    """MongoDB and Redis for one test session.

    MONGODB_URI / REDIS_URL in the environment name real servers to use instead; the
    tests then use a database of their own on that MongoDB and drop it at the end.
    """
    started = []
    try:
        given_mongodb = os.environ.get("MONGODB_URI")
        if given_mongodb:
            mongodb_uri = with_database(given_mongodb, f"encore_test_{uuid.uuid4().hex[:8]}")
        else:
            mongodb = start_mongodb(
                workdir / "mongo", log_path=workdir / "logs" / "mongodb.log", database="encore_test"
            )
            started.append(mongodb)
            mongodb_uri = mongodb.url
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            redis_server = start_redis(workdir / "redis", log_path=workdir / "logs" / "redis.log")
            started.append(redis_server)
            redis_url = redis_server.url
        yield ServerUrls(mongodb_uri, redis_url)
    finally:
        for server in reversed(started):
            server.stop()


def process_env(settings: Mapping[str, object]) -> dict[str, str]:
    """The environment for a child process that should use the test settings."""
    env = dict(os.environ)
    env.update({name: environment_text(value) for name, value in settings.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def answering_workers(redis_url: str, timeout: float = 0.5) -> set[str]:
    """The names (``name@host``) of the workers that answer a ping; none while the broker
    itself is down."""
    celery = Celery(set_as_current=False)
    celery.config_from_object(celery_settings({**defaults_for("testing"), "REDIS_URL": redis_url}))
    try:
        return {name for reply in celery.control.ping(timeout=timeout) for name in reply}
    except (OperationalError, RedisError, OSError):
        return set()
    finally:
        celery.close()


def start_worker(
    settings: Mapping[str, object],
    log_path: Path,
    name: str,
    *,
    with_beat: bool = False,
    queues: Sequence[str] = (PROCESSING_QUEUE, MAIL_QUEUE),
) -> Popen:
    """A real Celery worker process (prefork, two children) on the test broker, consuming
    ``queues`` (by default all of them: processing and mail); with ``with_beat`` it also
    runs the periodic sweep (Celery beat inside the worker)."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "celery_worker",
        "worker",
        "--loglevel",
        "INFO",
        "--queues",
        ",".join(queues),
        "--concurrency",
        "2",
        "--hostname",
        f"{name}@%h",
        "--without-mingle",
        "--without-gossip",
    ]
    if with_beat:
        command += ["--beat", "--schedule", str(log_path.with_suffix(".schedule"))]
    process = spawn(command, log_path=log_path, env=process_env(settings), cwd=PROJECT_ROOT)
    wait_until_ready(
        process,
        # This worker, not any other of the session.
        lambda: any(
            answering.startswith(f"{name}@")
            for answering in answering_workers(str(settings["REDIS_URL"]))
        ),
        what="Celery worker",
        timeout=60,
        log_path=log_path,
    )
    return process


@dataclass
class LiveServer:
    url: str
    process: Popen
    log_path: Path

    def stop(self) -> None:
        stop(self.process)


def start_live_server(
    settings: Mapping[str, object], log_path: Path, *, scheme: str = "http"
) -> LiveServer:
    """The real web entry point (wsgi.py: eventlet + Flask-SocketIO) on a free port."""
    port = free_port()
    env = process_env({**settings, "WEB_PORT": port})
    process = spawn([sys.executable, "wsgi.py"], log_path=log_path, env=env, cwd=PROJECT_ROOT)
    url = f"{scheme}://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a self-signed test certificate
                requests.get(f"{url}/", timeout=1, verify=False)  # noqa: S501 - readiness only
        except requests.RequestException:
            return False
        return True

    wait_until_ready(process, answers, what="web server", timeout=60, log_path=log_path)
    return LiveServer(url, process, log_path)


__all__ = ["LiveServer", "ProcessError", "ServerUrls", "private_servers", "start_live_server"]
