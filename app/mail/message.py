"""A rendered mail, as handed from the web process to the worker."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import make_msgid


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    sender: str
    text: str
    html: str | None = None
    template: str = ""
    #: The language it is written in (one of LANGUAGES).
    locale: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MailMessage:
        return cls(**data)

    def to_email(self) -> EmailMessage:
        """A MIME message: text, plus an HTML alternative when there is one."""
        email = EmailMessage()
        email["Subject"] = self.subject
        email["From"] = self.sender
        email["To"] = self.to
        email["Message-ID"] = make_msgid(domain="encore.local")
        email.set_content(self.text)
        if self.html:
            email.add_alternative(self.html, subtype="html")
        return email
