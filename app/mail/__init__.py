"""Mail: messages are queued through a signal and delivered by a Celery task.

Delivery goes to SMTP (MAIL_BACKEND=smtp) or, in development, to an outbox of files
under ``instance/outbox`` that /dev/outbox shows.
"""

from __future__ import annotations

from flask import Flask


def init_mail(app: Flask) -> None:
    """Show the outbox only where mail goes there (never in production)."""
    if app.config["MAIL_BACKEND"] == "outbox":
        from app.mail.views import blueprint

        app.register_blueprint(blueprint)
