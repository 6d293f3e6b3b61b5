"""Load run: N simulated members log in, upload, wait for ``ready`` over Socket.IO, list
and download, against a real web server, worker, MongoDB and Redis started here.

    .venv/bin/python -m bench.load --members 20 --seconds 30

Prints requests/s, p50/p95 per step, errors (must be 0) and whether every uploaded song
ended ``ready`` with the right sha256 (nothing lost). bench/faults.py runs the same load
while killing the worker and restarting Redis.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

import requests
import socketio

from bench.harness import PASSWORD, SHORT_MP3, bench_settings, percentile
from tests.helpers import csrf_token

FIXTURE = SHORT_MP3
READY_TIMEOUT = 120.0


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    uploaded: dict[str, str] = field(default_factory=dict)  # song id -> sha256 sent
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, step: str, call: Callable[[], requests.Response]) -> requests.Response:
        started = time.perf_counter()
        response = call()
        with self.lock:
            self.timings[step].append(time.perf_counter() - started)
            self.statuses[response.status_code] += 1
        return response

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class WorkerSupervisor(threading.Thread):
    """Runs the Celery worker (with beat) and starts it again whenever it exits, as
    ``make run`` and docker compose's restart policy do. Lives in its own thread, since
    children die with the thread that started them (PR_SET_PDEATHSIG)."""

    def __init__(self, settings: dict, logs: Path) -> None:
        super().__init__(daemon=True)
        self.settings, self.logs = settings, logs
        self.process: Popen | None = None
        self.starts = 0
        self.exits: list[int] = []
        self.ready = threading.Event()
        self._done = threading.Event()

    def run(self) -> None:
        from app.processes import ProcessError, stop
        from tests.servers import start_worker

        while not self._done.is_set():
            self.starts += 1
            name = f"load{self.starts}"
            try:
                self.process = start_worker(
                    self.settings, self.logs / f"{name}.log", name, with_beat=True
                )
            except ProcessError as error:
                print(f"worker did not start ({error}); trying again", flush=True)
                continue
            self.ready.set()
            while not self._done.is_set() and self.process.poll() is None:
                self._done.wait(0.2)
            if self.process.poll() is not None and not self._done.is_set():
                self.ready.clear()
                self.exits.append(self.process.returncode)
                print(f"worker exited ({self.process.returncode}); starting it again", flush=True)
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            stop(self.process)

    def stop(self) -> None:
        self._done.set()
        self.join()


class Member:
    """One simulated person with a browser session and an open socket."""

    def __init__(self, url: str, username: str, results: Results) -> None:
        self.url, self.username, self.results = url, username, results
        self.http = requests.Session()
        self.events: queue.Queue = queue.Queue()
        self.socket = socketio.Client(reconnection=True)
        self.socket.on("song.status", self.events.put)
        self.token = ""

    def login(self) -> None:
        page = self.results.timed("login page", lambda: self.http.get(f"{self.url}/login"))
        self.results.timed(
            "login",
            lambda: self.http.post(
                f"{self.url}/login",
                data={
                    "email": self.username,
                    "password": PASSWORD,
                    "csrf_token": csrf_token(page.text),
                },
            ),
        )
        self.token = csrf_token(self.http.get(f"{self.url}/songs/upload").text)
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.socket.connect(self.url, headers={"Cookie": cookie}, transports=["websocket"])

    def current_status(self, song_id: str) -> str:
        response = self.http.get(
            f"{self.url}/songs/status",
            params={"ids": song_id},
            headers={"Accept": "application/json"},
        )
        songs = response.json()["songs"] if response.ok else []
        return songs[0]["status"] if songs else "unknown"

    def wait_ready(self, song_id: str) -> str:
        """Wait for the socket to say ready; after a quiet spell (a Redis restart can drop
        an event) ask for the current state, as the page does after a reconnect."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                payload = self.events.get(timeout=3)
            except queue.Empty:
                status = self.current_status(song_id)
            else:
                if payload["id"] != song_id:
                    continue
                status = payload["status"]
            if status in ("ready", "failed"):
                return status
        return "timeout"

    def round(self, content: bytes, digest: str) -> None:
        response = self.results.timed(
            "upload",
            lambda: self.http.post(
                f"{self.url}/songs",
                files={"file": ("tone.mp3", content, "audio/mpeg")},
                data={"title": f"{self.username} load"},
                headers={"X-CSRFToken": self.token, "Accept": "application/json"},
            ),
        )
        if response.status_code != 201:
            self.results.error(f"upload answered {response.status_code}: {response.text[:200]}")
            return
        song_id = response.json()["id"]
        with self.results.lock:
            self.results.uploaded[song_id] = digest
        started = time.perf_counter()
        status = self.wait_ready(song_id)
        with self.results.lock:
            self.results.timings["upload -> ready"].append(time.perf_counter() - started)
        if status != "ready":
            self.results.error(f"song {song_id} ended {status}")
        self.results.timed("list", lambda: self.http.get(f"{self.url}/songs"))
        download = self.results.timed(
            "download", lambda: self.http.get(f"{self.url}/songs/{song_id}/download")
        )
        if hashlib.sha256(download.content).hexdigest() != digest:
            self.results.error(f"song {song_id} downloaded with the wrong bytes")

    def close(self) -> None:
        self.socket.disconnect()
        self.http.close()


def report(
    results: Results, elapsed: float, final: dict[str, tuple[str, str]], exits: list[int]
) -> bool:
    requests_made = sum(results.statuses.values())
    print(f"\n{requests_made} requests in {elapsed:.1f} s: {requests_made / elapsed:.1f} req/s")
    print(f"{'step':<18}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}")
    for step, values in results.timings.items():
        print(
            f"{step:<18}{len(values):>7}{statistics.median(values) * 1000:>10.1f}"
            f"{percentile(values, 0.95) * 1000:>10.1f}"
        )
    print("status codes:", dict(sorted(results.statuses.items())))
    lost = [
        song_id
        for song_id, digest in results.uploaded.items()
        if final.get(song_id) != ("ready", digest)
    ]
    print(
        f"songs uploaded: {len(results.uploaded)}, ready with the right sha256: "
        f"{len(results.uploaded) - len(lost)}, lost or wrong: {len(lost)}"
    )
    print(f"worker exits (each followed by a restart): {len(exits)} {exits or ''}")
    print(f"errors: {len(results.errors)}")
    for message in results.errors[:10]:
        print("  ", message)
    return not results.errors and not lost


def run(members: int, seconds: float, disturb: Callable[[dict], None] | None = None) -> bool:
    """Start everything, run the load (calling ``disturb`` in a thread), report."""
    from app import create_app
    from app.library.models import Song
    from tests.servers import private_servers, start_live_server

    content = FIXTURE.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    with tempfile.TemporaryDirectory() as workdir, private_servers(Path(workdir)) as servers:
        settings = bench_settings(
            servers,
            workdir,
            STUCK_SONG_SECONDS=5,
            PROCESSING_LEASE_SECONDS=5,
            SWEEP_INTERVAL_SECONDS=2,
        )
        app = create_app(settings)
        with app.app_context():
            from app.accounts.services import create_user, ensure_roles

            ensure_roles()
            for number in range(members):
                create_user(
                    username=f"load{number}",
                    first_name="Load",
                    last_name=str(number),
                    email=f"load{number}@example.org",
                    password=PASSWORD,
                    roles=["Public"],
                )
        logs = Path(workdir) / "logs"
        supervisor = WorkerSupervisor(settings, logs)
        supervisor.start()
        supervisor.ready.wait()
        processes = {
            "worker": supervisor,
            "redis_url": servers.redis_url,
            "logs": logs,
            "done": threading.Event(),
        }
        server = start_live_server(settings, logs / "web.log")
        results = Results()
        people = [Member(server.url, f"load{n}", results) for n in range(members)]
        started = time.perf_counter()
        try:
            for person in people:
                person.login()
            if disturb:
                threading.Thread(target=disturb, args=(processes,), daemon=True).start()
            end = time.monotonic() + seconds

            def keep_going(person: Member) -> None:
                while time.monotonic() < end:
                    person.round(content, digest)

            threads = [threading.Thread(target=keep_going, args=(p,)) for p in people]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            with app.app_context():
                final = {
                    str(song.id): (song.status, song.sha256)
                    for song in Song.objects(id__in=list(results.uploaded))
                }
        finally:
            for person in people:
                person.close()
            server.stop()
            supervisor.stop()
            processes["done"].set()
            if os.environ.get("BENCH_KEEP_LOGS"):
                import shutil

                shutil.copytree(logs, os.environ["BENCH_KEEP_LOGS"], dirs_exist_ok=True)
        return report(results, elapsed, final, supervisor.exits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="how long uploads go on")
    args = parser.parse_args(argv)
    return 0 if run(args.members, args.seconds) else 1


if __name__ == "__main__":
    sys.exit(main())
