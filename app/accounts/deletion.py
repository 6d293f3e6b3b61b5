"""Deleting one's own account: asked for on the account page, done by a worker.

Asking (:func:`request_deletion`) takes effect at once for the member: the account is
deactivated and signed out everywhere (every session, API token and open socket ends) and
the request is written to the audit log. A worker then deletes the account and everything
it owns (:func:`erase_account`, through :func:`app.accounts.services.delete_user`); a run
cut short is finished by the next delivery of the task, or by the hourly sweep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from app.accounts import services
from app.accounts.models import User
from app.accounts.permissions import USERS_MANAGE, active_holders
from app.admin.audit import describe_user, record
from app.errors import Conflict, ValidationFailed
from app.library import counters
from app.library.models import Album
from app.signals import account_deletion_requested

#: A requested deletion still not done after this long is queued again by the sweep.
STALE_DELETION = timedelta(minutes=10)


def is_last_active_admin(user: User) -> bool:
    """Whether ``user`` is the only active account that can manage users: deleting it
    would leave nobody to manage accounts."""
    if not user.active or not user.has_permission(USERS_MANAGE):
        return False
    return active_holders(USERS_MANAGE) <= 1


def what_goes(user: User) -> dict[str, int]:
    """How many songs and albums deleting ``user`` deletes, for the confirmation page."""
    return {
        "songs": counters.counts_of(counters.library_key(user.id)).songs,
        "albums": Album.objects(owner=user).count(),
    }


def request_deletion(user: User, *, confirmation: str | None) -> None:
    """Deactivate ``user``, sign them out everywhere, record it and have a worker delete
    the account. ``confirmation`` is the username as the member typed it (any case);
    ValidationFailed if it is not theirs, Conflict if they are the last active admin
    (nobody could manage the site after them). Nothing changes when refused."""
    if (confirmation or "").strip().lower() != user.username:
        raise ValidationFailed({"username": _("That is not your username.")})
    if is_last_active_admin(user):
        raise Conflict(
            _("You are the last active admin: make another account an admin before deleting yours.")
        )
    songs = what_goes(user)["songs"]
    user.deletion_requested_at = datetime.now(UTC)
    user.save()
    services.set_active(user, False)  # also ends every session, token and socket
    record(user, "account.delete", describe_user(user), user.id, songs=songs)
    account_deletion_requested.send(current_app._get_current_object(), user_id=str(user.id))


def erase_account(user_id: str) -> bool:
    """Delete an account whose owner asked for it, with everything it owns; True if
    there was one. An account without a request (an id mistaken, or one that asked and
    was deleted already) is left alone, so the task may run any number of times."""
    user = User.objects(id=user_id).first()
    if user is None or user.deletion_requested_at is None:
        return False
    services.delete_user(user)
    return True


def stale_deletions() -> list[str]:
    """Ids of accounts whose deletion was asked for over STALE_DELETION ago and is not
    done (its task was lost): for the sweep to queue again."""
    before = datetime.now(UTC) - STALE_DELETION
    return [str(user.id) for user in User.objects(deletion_requested_at__lt=before).only("id")]
