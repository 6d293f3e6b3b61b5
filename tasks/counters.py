"""Counters the pages show, checked against what they count."""

from __future__ import annotations

import logging

from celery import shared_task

from app.accounts.services import repair_user_counts
from app.library.counters import repair_counters
from app.notifications.services import repair_inboxes
from app.storage import repair_stored_bytes

logger = logging.getLogger(__name__)


@shared_task(name="counters.repair", ignore_result=True)
def repair() -> int:
    """Recount accounts, libraries, albums, unread notifications and stored bytes; put
    back what drifted (a process that died between a change and its count). Run by
    Celery beat hourly."""
    wrong = repair_user_counts() + repair_counters() + repair_inboxes() + repair_stored_bytes()
    if wrong:
        logger.warning("repaired %d counters that had drifted", wrong)
    return wrong
