"""Flask-Security's mail hook: its rendered messages go to our queue, not to SMTP, in
the recipient's language."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_security import MailUtil
from flask_security.utils import localize_callback
from flask_security.utils import send_mail as render_and_send

from app.i18n.selection import current_language, language_for
from app.mail.message import MailMessage
from app.mail.services import queue_mail


def _address(value: str | tuple[str, str]) -> str:
    if isinstance(value, tuple):
        name, address = value
        return f"{name} <{address}>"
    return str(value)


def _subject_key(subject: str) -> str:
    """The untranslated subject setting that ``subject`` was translated from (Flask-Security
    localises it before this hook sees it), else ``subject`` itself."""
    for name, value in current_app.config.items():
        if (
            "EMAIL_SUBJECT" in name
            and isinstance(value, str)
            and localize_callback(value) == subject
        ):
            return value
    return subject


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
        language = current_language()
        wanted = language_for(kwargs.get("user"), language)
        if wanted != language:
            # Rendered in the language of the page that asked (a reset requested from a
            # German page): render it again in the one the account chose.
            subject_key = _subject_key(subject)
            with force_locale(wanted):
                render_and_send(subject_key, recipient, template, **kwargs)
            return
        message = MailMessage(
            to=_address(recipient),
            subject=str(subject),
            sender=_address(sender),
            text=body or "",
            html=html,
            template=template,
            locale=language,
        )
        queue_mail(message)

    def normalize(self, email: str) -> str:
        return super().normalize(email).lower()

    def validate(self, email: str) -> str:
        return super().validate(email).lower()
