"""SMTP delivery with the MAIL_* settings."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any

from app.mail.message import MailMessage


def send_smtp(message: MailMessage, config: Mapping[str, Any]) -> None:
    """Send one message; raises smtplib.SMTPException or OSError on failure."""
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    client_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with client_class(host, port, timeout=timeout) as client:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            client.starttls()
        if config["MAIL_USERNAME"]:
            client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        client.send_message(message.to_email())
