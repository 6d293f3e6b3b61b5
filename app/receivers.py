"""Signal receivers: each one only hands work to a Celery task."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from app.mail.message import MailMessage


def enqueue_demo_pong(sender: Flask, *, user_id: str, sent_at: float) -> None:
    """Queue the demo round trip: the worker answers on the user's socket room."""
    from tasks.demo import send_pong

    send_pong.delay(user_id, sent_at)


def enqueue_mail(sender: Flask, *, message: MailMessage) -> None:
    """Queue delivery of a rendered mail; the worker sends it and retries if needed."""
    from tasks.mail import send_mail

    send_mail.delay(message.to_dict())
