"""Mail delivery, retried with exponential backoff while the mail server is unreachable."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from flask import current_app

from app.mail.message import MailMessage
from app.mail.services import TransientMailError, deliver

logger = logging.getLogger(__name__)


@shared_task(name="mail.send_mail", bind=True, acks_late=True, max_retries=None)
def send_mail(self: Task, message: dict) -> None:
    """Deliver one rendered mail. Transient failures are retried MAIL_MAX_RETRIES times,
    waiting MAIL_RETRY_DELAY_SECONDS, then twice that, and so on; then it gives up with
    an error in the log. Permanent refusals (5xx) are logged and not retried."""
    mail = MailMessage.from_dict(message)
    config = current_app.config
    try:
        deliver(mail)
    except TransientMailError as error:
        attempt = self.request.retries
        if attempt >= config["MAIL_MAX_RETRIES"]:
            logger.error(
                "mail to %s (%s) given up after %d attempts: %s",
                mail.to,
                mail.template or mail.subject,
                attempt + 1,
                error,
            )
            return
        delay = config["MAIL_RETRY_DELAY_SECONDS"] * 2**attempt
        logger.warning("mail to %s failed (%s); retry in %.1f s", mail.to, error, delay)
        raise self.retry(countdown=delay, exc=error) from error
    logger.info("mail to %s delivered (%s)", mail.to, mail.template or mail.subject)
