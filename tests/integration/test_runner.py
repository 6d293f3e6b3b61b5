"""`make run`'s runner: everything up, worker restarted, clean stop, data kept."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pymongo
import pytest
import requests

from app.config import MAIL_QUEUE, PROCESSING_QUEUE, PROJECT_ROOT
from app.processes import free_port, pid_alive, spawn, stop

STARTUP_SECONDS = 90


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = set(), [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


class RunningApp:
    def __init__(self, instance: Path, log_path: Path) -> None:
        self.port = free_port()
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"MONGODB_URI", "REDIS_URL"}
        }
        env.update(ENCORE_ENV="development", INSTANCE_PATH=str(instance), WEB_PORT=str(self.port))
        self.instance = instance
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = spawn(
            [sys.executable, "-m", "app.runner"], env=env, log_path=log_path, cwd=PROJECT_ROOT
        )

    def health(self) -> dict | None:
        try:
            response = requests.get(f"{self.url}/healthz", timeout=5)
        except requests.RequestException:
            return None
        return response.json() if response.status_code == 200 else None

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the runner exited"
            health = self.health()
            if health is not None:
                return health
            time.sleep(0.5)
        pytest.fail(f"{self.url}/healthz did not report everything up in {timeout} s")

    def state(self) -> dict:
        return json.loads((self.instance / "embedded.json").read_text())

    def worker_pid(self, queue: str = PROCESSING_QUEUE, timeout: float = 30) -> int:
        """The main process of the runner's Celery worker consuming ``queue``, waiting
        while there is none: /healthz is up once any one worker answers, and the runner
        starts (or restarts) each worker on its own."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the runner exited"
            pid = self._worker_pid(queue)
            if pid is not None:
                return pid
            time.sleep(0.2)
        raise AssertionError(f"no worker process consuming {queue} found in {timeout} s")

    def _worker_pid(self, queue: str) -> int | None:
        for pid in descendants(self.process.pid):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if (
                b"worker" in command
                and b"--queues" in command
                and command[command.index(b"--queues") + 1] == queue.encode()
                and self._is_child(pid)
            ):
                return pid
        return None

    def _is_child(self, pid: int) -> bool:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(stat[1]) == self.process.pid


@pytest.fixture
def start_app(tmp_path):
    started: list[RunningApp] = []

    def start() -> RunningApp:
        running = RunningApp(tmp_path / "instance", tmp_path / f"runner-{len(started)}.log")
        started.append(running)
        return running

    yield start
    for running in started:
        stop(running.process, timeout=30)


def test_runner_serves_everything_stops_cleanly_and_keeps_data(start_app):
    first = start_app()
    health = first.wait_healthy()
    assert health["status"] == "ok"
    mongodb_uri = first.state()["mongodb"]["url"]
    with pymongo.MongoClient(mongodb_uri) as client:
        client.get_default_database()["kept"].insert_one({"song": "still here"})
    children = descendants(first.process.pid)
    assert len(children) >= 4  # mongodb, redis, web, worker (and its pool)
    assert first.worker_pid(PROCESSING_QUEUE) != first.worker_pid(MAIL_QUEUE)

    first.process.send_signal(signal.SIGTERM)

    assert first.process.wait(timeout=60) == 0
    output = first.log_path.read_text()
    assert "Encore is running at" in output
    assert "Deprecat" not in output
    assert "deprecated" not in output
    assert not [pid for pid in children if pid_alive(pid)]
    assert not (first.instance / "embedded.json").exists()

    second = start_app()
    second.wait_healthy()
    with pymongo.MongoClient(second.state()["mongodb"]["url"]) as client:
        assert client.get_default_database()["kept"].find_one({"song": "still here"})


def test_runner_brings_a_killed_worker_back(start_app):
    running = start_app()
    running.wait_healthy()
    killed = running.worker_pid()

    os.kill(killed, signal.SIGKILL)

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if running.worker_pid() != killed and running.health():
                break
        except AssertionError:
            pass
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not come back")
