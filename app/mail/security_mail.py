"""Flask-Security's mail hook: its rendered messages go to our queue, not to SMTP."""

from __future__ import annotations

from typing import Any

from flask_security import MailUtil

from app.mail.message import MailMessage
from app.mail.services import queue_mail


def _address(value: str | tuple[str, str]) -> str:
    if isinstance(value, tuple):
        name, address = value
        return f"{name} <{address}>"
    return str(value)


class QueuedMailUtil(MailUtil):
    """Queues Flask-Security's mail, and lower-cases every email it normalises or
    validates so that addresses are stored and looked up in one form."""

    def send_mail(
        self,
        template: str,
        subject: str,
        recipient: str | tuple[str, str],
        sender: str | tuple[str, str],
        body: str | None,
        html: str | None,
        **kwargs: Any,
    ) -> None:
        message = MailMessage(
            to=_address(recipient),
            subject=str(subject),
            sender=_address(sender),
            text=body or "",
            html=html,
            template=template,
        )
        queue_mail(message)

    def normalize(self, email: str) -> str:
        return super().normalize(email).lower()

    def validate(self, email: str) -> str:
        return super().validate(email).lower()
