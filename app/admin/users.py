"""Managing users: find them, change names, roles, activation and storage quota, send a
password reset, unlock them after failed logins, delete them. Every change is written to
the audit log.

Search must not use a case-insensitive regex on ``email`` or ``username``: both are
unique-indexed, and SecantusDB (the embedded test server) silently matches nothing for
such a regex on an indexed field. They are stored lower-case, so an anchored, lower-cased
``$regex`` string finds the same users on MongoDB and SecantusDB (and can use the index on
MongoDB). First and last names are not indexed and keep the ``i`` option.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_mongoengine.pagination import Pagination
from flask_security.recoverable import send_reset_password_instructions

from app import paging
from app.accounts import lockout
from app.accounts import services as accounts
from app.accounts.datastore import USERS
from app.accounts.models import Role, User
from app.accounts.permissions import USERS_MANAGE
from app.admin.audit import describe_user, record
from app.database import page_of
from app.errors import ValidationFailed
from app.library.models import Song

USER_PAGE_SIZE = 50
#: sort name -> order_by fields (each ends in the id, so equal values keep one order)
USER_SORTS = {
    "username": ("username", "id"),
    "email": ("email", "id"),
    "created": ("-created_at", "-id"),
}
MAX_SEARCH_WORDS = 5


@dataclass(frozen=True)
class UserSearch:
    """What the users page asks for; ``None`` filters match everyone."""

    text: str = ""
    role: Role | None = None
    active: bool | None = None
    confirmed: bool | None = None
    sort: str = "created"
    page: int = 1


def text_filter(text: str) -> dict | None:
    """Users whose email, username, first or last name starts with each word of
    ``text``, in any case (``"mia sm"`` finds Mia Smith)."""
    clauses = []
    for word in text.split()[:MAX_SEARCH_WORDS]:
        prefix = "^" + re.escape(word.lower())
        clauses.append(
            {
                "$or": [
                    {"email": {"$regex": prefix}},
                    {"username": {"$regex": prefix}},
                    {"first_name": {"$regex": prefix, "$options": "i"}},
                    {"last_name": {"$regex": prefix, "$options": "i"}},
                ]
            }
        )
    return {"$and": clauses} if clauses else None


@dataclass(frozen=True)
class RankedUsers:
    """A page of everyone in one of the ranked orders: what ``paginate`` gives
    (``items``, ``total``, ``page``, ``pages``), read as one range of ranks."""

    items: list[User]
    total: int
    page: int
    pages: int


#: sort name -> (rank field, newest first)
RANKED_SORTS = {"created": ("rank_created", True), "username": ("rank_username", False)}


def find_users(search: UserSearch) -> Pagination | RankedUsers:
    """One page (USER_PAGE_SIZE users) of the users matching ``search``: ``items``,
    ``total``, ``page`` and ``pages``. Everyone, newest first (the default) or by
    username, reads one page by rank (app/accounts/ranks.py); a filter or sorting by
    email reads every user it matches."""
    if search.sort not in USER_SORTS:
        raise ValidationFailed(
            {"sort": _("must be one of %(choices)s", choices=", ".join(USER_SORTS))}
        )
    if search.page < 1:
        raise ValidationFailed({"page": _("must be 1 or more")})
    filters = [text_filter(search.text)]
    if search.role is not None:
        filters.append({"roles": search.role.id})
    if search.active is not None:
        filters.append({"active": search.active})
    if search.confirmed is not None:
        filters.append({"confirmed_at": {"$ne": None} if search.confirmed else None})
    filters = [clause for clause in filters if clause]
    if not filters and search.sort in RANKED_SORTS:
        ranked = ranked_users(search.sort, search.page)
        if ranked is not None:
            return ranked
    query = User.objects(__raw__={"$and": filters} if filters else {})
    page = page_of(query.order_by(*USER_SORTS[search.sort]), search.page, USER_PAGE_SIZE)
    with_roles(page.items)
    return page


def with_roles(users: list[User]) -> list[User]:
    """Put each listed user's roles in place from one query of the (few) roles, instead
    of one query per user when the page reads ``user.roles``."""
    roles = {role.id: role for role in Role.objects}
    for user in users:
        ids = [getattr(ref, "id", ref) for ref in user._data.get("roles") or []]
        user._data["roles"] = [roles[role_id] for role_id in ids if role_id in roles]
    return users


def ranked_users(sort: str, page: int) -> RankedUsers | None:
    """Page ``page`` of everyone in a ranked order (past the end: the last page), or None
    when the ranks do not cover it yet (accounts made before ranks existed, until the
    hourly repair ranks them): the caller then reads it the slow way."""
    field, newest_first = RANKED_SORTS[sort]
    total = paging.read_counters(USERS)[USERS].get("users", 0)
    pages = max(1, math.ceil(total / USER_PAGE_SIZE))
    page = min(page, pages)
    skipped = (page - 1) * USER_PAGE_SIZE
    wanted = min(USER_PAGE_SIZE, total - skipped)
    if newest_first:
        ranks = {"$gte": total - skipped - wanted + 1, "$lt": total - skipped + 1}
    else:
        ranks = {"$gte": skipped + 1, "$lt": skipped + wanted + 1}
    docs = list(
        User._get_collection().find({field: ranks}, sort=[(field, -1 if newest_first else 1)])
    )
    if len(docs) != max(wanted, 0):
        return None
    items = [User._from_son(doc) for doc in docs]
    return RankedUsers(with_roles(items), total, page, pages)


def get_user(user_id: str) -> User:
    """The user with this id; NotFound otherwise."""
    return User.objects.get_or_404(id=user_id)


def check_self_lockout(
    actor: User, user: User, *, roles: list[str] | None = None, active: bool | None = None
) -> None:
    """Refuse the changes that would lock ``actor`` out of managing users: nobody may
    deactivate themselves or take away their own ``users:manage``."""
    if user.id != actor.id:
        return
    if active is False:
        raise ValidationFailed({"active": _("You cannot deactivate yourself.")})
    if roles is not None and not accounts.grants(roles, USERS_MANAGE):
        raise ValidationFailed(
            {
                "roles": _(
                    "You cannot take away your own users:manage permission (keep a role "
                    "that grants it)."
                )
            }
        )


def role_names(user: User) -> list[str]:
    return sorted(role.name for role in user.roles)


def update_user(
    actor: User,
    user: User,
    *,
    first_name: str,
    last_name: str,
    roles: list[str],
    active: bool,
    storage_quota_mb: float | None,
) -> list[str]:
    """Set the user's names, roles, activation and own storage quota (in MiB, None for
    STORAGE_QUOTA_MB; lowering it below what they store keeps their songs and refuses
    further uploads); returns the audit actions taken. Every value is checked before
    anything is stored."""
    names = {
        "first_name": accounts.check_name("first_name", first_name),
        "last_name": accounts.check_name("last_name", last_name),
    }
    storage_quota_mb = check_quota(storage_quota_mb)
    roles = sorted(dict.fromkeys(roles))
    for name in roles:
        accounts.role_named(name)
    check_self_lockout(actor, user, roles=roles, active=active)
    accounts.check_keeps_a_manager(user, roles=roles, active=active)
    target = describe_user(user)
    actions = []
    renamed = {
        field: {"from": getattr(user, field), "to": value}
        for field, value in names.items()
        if getattr(user, field) != value
    }
    if renamed:
        for field, value in names.items():
            setattr(user, field, value)
        user.save()
        record(actor, "user.update", target, user.id, **renamed)
        actions.append("user.update")
    before = role_names(user)
    if before != roles:
        accounts.set_roles(user, roles)
        record(actor, "user.roles", target, user.id, roles={"from": before, "to": roles})
        actions.append("user.roles")
    if user.active != active:
        _set_active(actor, user, active)
        actions.append("user.activate" if active else "user.deactivate")
    if user.storage_quota_mb != storage_quota_mb:
        before, user.storage_quota_mb = user.storage_quota_mb, storage_quota_mb
        user.save()
        quota_change = {"from": before, "to": storage_quota_mb}
        record(actor, "user.quota", target, user.id, storage_quota_mb=quota_change)
        actions.append("user.quota")
    return actions


def _set_active(actor: User, user: User, active: bool) -> None:
    accounts.set_active(user, active)
    record(actor, "user.activate" if active else "user.deactivate", describe_user(user), user.id)


def check_quota(quota_mb: float | None) -> float | None:
    """A user's own storage quota in MiB (0: no limit), or None for STORAGE_QUOTA_MB."""
    if quota_mb is not None and not (math.isfinite(quota_mb) and quota_mb >= 0):
        raise ValidationFailed(
            {"storage_quota_mb": _("must be 0 (no limit) or more, or empty for the default")}
        )
    return quota_mb


def set_users_active(actor: User, user_ids: list[str], active: bool) -> int:
    """Activate or deactivate the chosen users; returns how many changed. The actor may
    not be among those deactivated (nothing changes then)."""
    if not user_ids:
        raise ValidationFailed({"ids": _("Choose at least one user.")})
    users = [get_user(user_id) for user_id in dict.fromkeys(user_ids)]
    for user in users:
        check_self_lockout(actor, user, active=active)
        accounts.check_keeps_a_manager(user, active=active)
    changed = [user for user in users if user.active != active]
    for user in changed:
        _set_active(actor, user, active)
    return len(changed)


def send_password_reset(actor: User, user: User) -> None:
    """Mail ``user`` a password reset link (through the mail queue, like every mail)."""
    if not user.active:
        raise ValidationFailed(
            {
                "user": _(
                    "%(username)s is deactivated: activate the account first.",
                    username=user.username,
                )
            }
        )
    send_reset_password_instructions(user)
    record(actor, "user.password_reset", describe_user(user), user.id)


def reset_second_factors(actor: User, user: User) -> list[str]:
    """Remove ``user``'s authenticator app, recovery codes and passkeys; returns what
    there was (nothing is recorded when there was none)."""
    removed = accounts.reset_second_factors(user)
    if removed:
        record(actor, "user.reset_2fa", describe_user(user), user.id, removed=removed)
    return removed


def unlock_user(actor: User, user: User) -> None:
    """End the lockout of ``user``'s email and username after failed logins."""
    if not lockout.user_is_locked(user):
        raise ValidationFailed({"user": _("%(username)s is not locked.", username=user.username)})
    lockout.clear_user(user)
    record(actor, "user.unlock", describe_user(user), user.id)


def remove_user(actor: User, user: User) -> int:
    """Delete the user with their songs, albums and audio files; returns how many songs
    went with them. Admins cannot delete themselves."""
    if user.id == actor.id:
        raise ValidationFailed({"user": _("You cannot delete yourself.")})
    accounts.check_keeps_a_manager(user, active=False)
    target, user_id = describe_user(user), user.id
    songs = Song.objects(owner=user).count()
    accounts.delete_user(user)
    record(actor, "user.delete", target, user_id, songs=songs)
    return songs


def song_count(user: User) -> int:
    return Song.objects(owner=user).count()
