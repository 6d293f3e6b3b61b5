"""Dependency checks for /healthz, each bounded by HEALTH_TIMEOUT_SECONDS.

A check's ``detail`` is English, for operators; ``reason`` and ``values`` say the same as
data, so the admin dashboard words it in the reader's language (app/admin/dashboard.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from celery import Celery
from flask import current_app

from app.probes import mongodb_problem, redis_problem


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    reason: str = ""
    values: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail}


def check_server(name: str, problem: str | None) -> Check:
    if problem is None:
        return Check(name, True, "ping answered", "answered")
    return Check(name, False, f"no answer: {problem}", "no-answer", {"error": problem})


def check_worker(celery: Celery, timeout: float) -> Check:
    try:
        replies = celery.control.ping(timeout=timeout, limit=1)
    except Exception as error:  # the broker itself may be down: any failure means "down"
        failure = error.__class__.__name__
        return Check("worker", False, f"ping failed: {failure}", "ping-failed", {"error": failure})
    if not replies:
        return Check(
            "worker",
            False,
            f"no worker answered within {timeout:g} s",
            "no-worker",
            {"seconds": timeout},
        )
    worker = next(iter(replies[0]))
    return Check("worker", True, f"{worker} answered", "worker-answered", {"worker": worker})


def run_checks() -> list[Check]:
    """Check MongoDB, Redis and the Celery worker; never raises."""
    timeout = current_app.config["HEALTH_TIMEOUT_SECONDS"]
    mongodb_check = check_server(
        "mongodb", mongodb_problem(current_app.config["MONGODB_URI"], timeout)
    )
    redis_check = check_server("redis", redis_problem(current_app.config["REDIS_URL"], timeout))
    if redis_check.ok:
        worker_check = check_worker(current_app.extensions["celery"], timeout)
    else:
        worker_check = Check("worker", False, "unreachable: redis is down", "redis-down")
    return [mongodb_check, redis_check, worker_check]
