"""Managing users: change names, roles, activation and storage quota, send a password
reset, unlock them after failed logins, delete them. Every change is written to the audit
log. Listing them is app/admin/user_list.py."""

from __future__ import annotations

import math

from flask_babel import gettext as _
from flask_security.recoverable import send_reset_password_instructions

from app.accounts import lockout
from app.accounts import services as accounts
from app.accounts.models import User
from app.accounts.permissions import USERS_MANAGE
from app.admin.audit import describe_user, record
from app.errors import ValidationFailed
from app.library.models import Song


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
