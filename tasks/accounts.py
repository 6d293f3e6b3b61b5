"""Account deletion, asked for by the member: done here, safe to run again."""

from __future__ import annotations

import logging

from celery import shared_task

from app.accounts.deletion import erase_account, stale_deletions
from app.accounts.sessions import remove_expired
from tasks.durable import DURABLE

logger = logging.getLogger(__name__)


@shared_task(name="accounts.delete_account", **DURABLE)
def delete_account(user_id: str) -> bool:
    """Delete the account ``user_id`` asked to be deleted, with its exports, songs and
    their audio, albums and notifications. Idempotent: each step can be repeated, so a
    worker that dies halfway leaves work the next delivery (acks_late) finishes."""
    return erase_account(user_id)


@shared_task(name="accounts.finish_deletions", ignore_result=True)
def finish_deletions() -> int:
    """Queue again the deletions asked for but not done (their task was lost). Run by
    Celery beat hourly."""
    user_ids = stale_deletions()
    for user_id in user_ids:
        delete_account.delay(user_id)
    if user_ids:
        logger.warning("queued %d unfinished account deletions again", len(user_ids))
    return len(user_ids)


@shared_task(name="accounts.remove_expired_logins", ignore_result=True)
def remove_expired_logins() -> int:
    """Remove the records of sessions and API tokens whose time is up. Run by Celery beat
    hourly."""
    return remove_expired()
