"""Queue a mail (from a request) and deliver it (in the worker)."""

from __future__ import annotations

import smtplib

from flask import current_app

from app.mail import outbox
from app.mail.message import MailMessage
from app.mail.smtp import send_smtp
from app.signals import mail_queued


class TransientMailError(RuntimeError):
    """Delivery failed for a reason that may pass (server down, timeout): retry."""


def queue_mail(message: MailMessage) -> None:
    """Hand ``message`` to the worker; the request never waits for SMTP."""
    mail_queued.send(current_app._get_current_object(), message=message)


def deliver(message: MailMessage) -> None:
    """Deliver ``message`` with the configured backend (called by the worker)."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "outbox":
        outbox.save(outbox.outbox_folder(current_app.instance_path), message)
        return
    try:
        send_smtp(message, config)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
        raise TransientMailError(f"{error.__class__.__name__}: {error}") from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:  # 4xx: temporary, try again later
            raise TransientMailError(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        raise
