"""The load run of bench/load.py while the worker is killed and restarted and Redis is
restarted. Every song must still end ``ready`` with the right bytes, and no request may
get a 5xx other than an honest 503.

    .venv/bin/python -m bench.faults --members 10 --seconds 30
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from bench.load import run


def disturb(processes: dict) -> None:
    """Kill the worker (and its pool) mid-load and let its supervisor start it again;
    then restart Redis."""
    from app.embedded import start_redis

    supervisor = processes["worker"]
    time.sleep(3)
    print("fault: killing the worker", flush=True)
    starts = supervisor.starts
    os.killpg(supervisor.process.pid, signal.SIGKILL)
    while supervisor.starts == starts or not supervisor.ready.is_set():
        time.sleep(0.1)
    print("fault: worker restarted", flush=True)
    time.sleep(3)
    port = int(processes["redis_url"].rsplit(":", 1)[1].split("/")[0])
    redis_pid = _redis_pid(port)
    print("fault: stopping Redis", flush=True)
    os.kill(redis_pid, signal.SIGTERM)
    time.sleep(2)
    restarted = start_redis(
        processes["logs"] / "redis2", log_path=processes["logs"] / "redis2.log", port=port
    )
    print("fault: Redis restarted", flush=True)
    # Children die with the thread that started them (PR_SET_PDEATHSIG): stay until the
    # load is over.
    processes["done"].wait()
    restarted.stop()


def _redis_pid(port: int) -> int:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            # redis-server retitles itself "redis-server 127.0.0.1:<port>"
            if command and b"redis-server" in command[0] and f":{port}".encode() in command[0]:
                return int(entry)
    raise RuntimeError(f"no redis-server on port {port}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30, help="how long uploads go on")
    args = parser.parse_args(argv)
    return 0 if run(args.members, args.seconds, disturb=disturb) else 1


if __name__ == "__main__":
    sys.exit(main())
