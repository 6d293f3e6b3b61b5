"""Signal receivers: each one only hands work to a Celery task."""

from flask import Flask


def enqueue_demo_pong(sender: Flask, *, user_id: str, sent_at: float) -> None:
    """Queue the demo round trip: the worker answers on the user's socket room."""
    from tasks.demo import send_pong

    send_pong.delay(user_id, sent_at)
