"""``make run``: the whole app from one terminal.

Starts (or reuses) the embedded MongoDB and Redis unless MONGODB_URI / REDIS_URL are set,
then the web server, two Celery workers (one processing uploads, one sending mail, so no
upload can delay a mail) and Celery beat, restarts any that dies, and on Ctrl-C or SIGTERM
stops everything it started. Children are tied to this process, so even a SIGKILL here
leaves no orphans.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

from app.config import MAIL_QUEUE, PROCESSING_QUEUE, PROJECT_ROOT, child_environment, load_config
from app.embedded import EmbeddedServers, attach_or_start
from app.processes import spawn, stop

RESTART_DELAY_SECONDS = 2.0


@dataclass
class Child:
    """A supervised program: restarted when it exits while we are running."""

    name: str
    command: list[str]
    process: Popen | None = None
    restarts: int = field(default=0)

    def start(self, env: dict[str, str]) -> None:
        self.process = spawn(self.command, env=env, cwd=PROJECT_ROOT)
        print(f"encore: started {self.name} (pid {self.process.pid})", flush=True)

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()


def children(python: str, instance_path: Path) -> list[Child]:
    celery = [python, "-m", "celery", "-A", "celery_worker"]
    worker = [*celery, "worker", "--loglevel", "INFO"]
    schedule = str(instance_path / "celerybeat-schedule")
    return [
        Child("web", [python, "wsgi.py"]),
        Child("worker", [*worker, "--queues", PROCESSING_QUEUE, "--concurrency", "2"]),
        Child(
            "mail-worker",
            [*worker, "--queues", MAIL_QUEUE, "--concurrency", "1", "--hostname", "mail@%h"],
        ),
        Child("beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", schedule]),
    ]


class Runner:
    def __init__(self) -> None:
        self.settings = load_config()
        self.instance_path = Path(self.settings["INSTANCE_PATH"])
        self.servers: EmbeddedServers | None = None
        self.children = children(sys.executable, self.instance_path)
        self.stopping = False

    def child_env(self) -> dict[str, str]:
        return {**child_environment(self.settings), "PYTHONUNBUFFERED": "1"}

    def start(self) -> None:
        if not (self.settings["MONGODB_URI"] and self.settings["REDIS_URL"]):
            self.servers = attach_or_start(self.instance_path)
            self.settings["MONGODB_URI"] = self.settings["MONGODB_URI"] or self.servers.mongodb.url
            self.settings["REDIS_URL"] = self.settings["REDIS_URL"] or self.servers.redis.url
        env = self.child_env()
        for child in self.children:
            child.start(env)
        self.print_banner()

    def print_banner(self) -> None:
        scheme = "https" if self.settings["WEB_TLS_CERT"] else "http"
        url = f"{scheme}://{self.settings['WEB_HOST']}:{self.settings['WEB_PORT']}"
        embedded = "embedded" if self.servers and self.servers.owned else "given"
        lines = [
            f"Encore is running at {url}  (health: {url}/healthz)",
            f"  data:    {self.instance_path} (MongoDB files in instance/mongo/, logs in "
            "instance/logs/)",
            f"  MongoDB: {self.settings['MONGODB_URI']} ({embedded})",
            f"  Redis:   {self.settings['REDIS_URL']} ({embedded})",
            "  Press Ctrl-C to stop everything.",
        ]
        print("\n".join(lines), flush=True)

    def supervise(self) -> None:
        env = self.child_env()
        while not self.stopping:
            for child in self.children:
                code = child.exited()
                if code is not None and not self.stopping:
                    print(f"encore: {child.name} exited with {code}; restarting", flush=True)
                    time.sleep(RESTART_DELAY_SECONDS)
                    child.restarts += 1
                    child.start(env)
            time.sleep(0.5)

    def shutdown(self, *_: object) -> None:
        self.stopping = True

    def stop_all(self) -> None:
        for child in reversed(self.children):
            if child.process is not None:
                stop(child.process, timeout=20)
                print(f"encore: stopped {child.name}", flush=True)
        if self.servers is not None:
            self.servers.stop()
        print("encore: stopped", flush=True)


def main() -> int:
    runner = Runner()
    signal.signal(signal.SIGTERM, runner.shutdown)
    signal.signal(signal.SIGINT, runner.shutdown)
    try:
        runner.start()
        runner.supervise()
    finally:
        runner.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
