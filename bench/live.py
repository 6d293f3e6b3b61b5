"""Live status figures: how soon ``ready`` reaches the browser, and one broadcast to many.

    .venv/bin/python -m bench.live --uploads 50 --clients 1000

1. Latency from "upload complete" (the 201 answer) to ``ready`` received by the owner's
   python-socketio client, for the 5-second MP3, over sequential uploads: median and p95.
   Baseline in the same run, from the same uploads: the 201 answer to ``processing``
   received, the same path (signal -> Celery -> worker -> Redis -> Socket.IO) before any
   audio is read, which is the floor.
2. ``--clients`` idle Socket.IO clients of one member on one web process; the time for one
   event, emitted through the Redis queue as the worker does, to reach all of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

from bench.harness import PASSWORD, bench_settings, log_in, percentile
from bench.harness import SHORT_MP3 as FIXTURE


def connect(url: str, http: requests.Session) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)
    return client


def upload_latencies(url: str, http, token: str, uploads: int) -> tuple[list[float], list[float]]:
    """For each upload, seconds from its 201 answer to ``processing`` and to ``ready``
    received on the owner's socket."""
    arrivals: dict[tuple[str, str], float] = {}
    arrived = threading.Condition()
    client = connect(url, http)

    def on_status(payload):
        if payload["status"] in ("processing", "ready"):
            with arrived:
                arrivals[payload["status"], payload["id"]] = time.perf_counter()
                arrived.notify_all()

    client.on("song.status", on_status)
    content = FIXTURE.read_bytes()
    claimed, ready = [], []
    for _ in range(uploads):
        response = http.post(
            f"{url}/songs",
            files={"file": ("tone.mp3", content, "audio/mpeg")},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        done = time.perf_counter()
        song_id = response.json()["id"]
        with arrived:
            arrived.wait_for(lambda song_id=song_id: ("ready", song_id) in arrivals, timeout=30)
        claimed.append(arrivals["processing", song_id] - done)
        ready.append(arrivals["ready", song_id] - done)
    client.disconnect()
    return claimed, ready


def broadcast(url: str, http, settings: dict, user_id: str, clients: int) -> tuple[float, float]:
    """Connect ``clients`` sockets; return (seconds to connect them, seconds for one event
    to reach them all)."""
    from flask_socketio import SocketIO

    received = threading.Semaphore(0)
    sockets = []
    started = time.perf_counter()
    for _ in range(clients):
        client = connect(url, http)
        client.on("bench.broadcast", lambda _payload: received.release())
        sockets.append(client)
    connected = time.perf_counter() - started
    emitter = SocketIO(
        message_queue=settings["REDIS_URL"], channel="encore-socketio", async_mode="threading"
    )
    time.sleep(1)
    sent = time.perf_counter()
    emitter.emit("bench.broadcast", {"n": 1}, to=f"user:{user_id}")
    for _ in range(clients):
        if not received.acquire(timeout=60):
            break
    reached = time.perf_counter() - sent
    for client in sockets:
        client.disconnect()
    return connected, reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--clients", type=int, default=1000)
    args = parser.parse_args(argv)

    from app import create_app
    from app.accounts.services import create_user, ensure_roles
    from tests.servers import private_servers, start_live_server, start_worker

    with tempfile.TemporaryDirectory() as workdir, private_servers(Path(workdir)) as servers:
        settings = bench_settings(servers, workdir)
        app = create_app(settings)
        with app.app_context():
            ensure_roles()
            user = create_user(
                username="listener",
                first_name="L",
                last_name="B",
                email="listener@example.org",
                password=PASSWORD,
                roles=["Public"],
            )
        logs = Path(workdir) / "logs"
        worker = start_worker(settings, logs / "worker.log", "live")
        server = start_live_server(settings, logs / "web.log")
        try:
            http, token = log_in(server.url, "listener")
            floor, latencies = upload_latencies(server.url, http, token, args.uploads)
            connected, reached = broadcast(server.url, http, settings, str(user.id), args.clients)
        finally:
            server.stop()
            from app.processes import stop

            stop(worker)
    print(f"\nupload complete -> ready on the socket ({args.uploads} uploads of 5 s MP3):")
    print(
        f"  median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
    )
    print(f"baseline, upload complete -> processing on the socket (same {args.uploads}):")
    print(
        f"  median {statistics.median(floor) * 1000:.1f} ms, "
        f"p95 {percentile(floor, 0.95) * 1000:.1f} ms"
    )
    print(
        f"  ratio of medians: {statistics.median(latencies) / statistics.median(floor):.1f}x "
        "(the difference is the processing itself)"
    )
    print(
        f"{args.clients} idle clients: connected in {connected:.1f} s; "
        f"one broadcast reached all in {reached * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
