"""Counters the pages show, checked against what they count."""

from __future__ import annotations

import logging

from celery import shared_task

from app.accounts.services import repair_user_counts
from app.library.counters import repair_counters
from app.notifications.services import repair_inboxes

logger = logging.getLogger(__name__)


@shared_task(name="counters.repair", ignore_result=True)
def repair() -> int:
    """Recount accounts, libraries, albums and unread notifications; put back what
    drifted (a process that died between a change and its count). Run by Celery beat
    hourly."""
    wrong = repair_user_counts() + repair_counters() + repair_inboxes()
    if wrong:
        logger.warning("repaired %d counters that had drifted", wrong)
    return wrong
