"""Recording admin actions and reading them back, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.accounts.models import User
from app.admin.models import TARGETS, AuditEntry
from app.errors import NotFound, ValidationFailed

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Target:
    """What an action was done to: a kind of TARGETS and the names that fill its words."""

    kind: str
    names: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The target in English, as stored."""
        return TARGETS[self.kind] % self.names


def describe_user(user: User) -> Target:
    return Target("user", {"username": user.username, "email": user.email})


def describe_song(title: str, owner: str) -> Target:
    return Target("song", {"title": title, "owner": owner})


def describe_album(title: str, owner: str) -> Target:
    return Target("album", {"title": title, "owner": owner})


def describe_role(name: str) -> Target:
    return Target("role", {"name": name})


def record(
    actor: User, action: str, target: Target | str, target_id: object = "", **details
) -> None:
    """Store that ``actor`` did ``action`` to ``target`` (kept as data and as English
    text, both readable after the target is gone; a plain text target is shown as is).
    Call it after the change itself is stored."""
    structured = isinstance(target, Target)
    AuditEntry(
        actor=actor.username,
        actor_id=actor.id,
        action=action,
        target=(target.text if structured else target)[:300],
        target_id=str(target_id),
        target_kind=target.kind if structured else None,
        target_names=target.names if structured else {},
        details=details,
    ).save()


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: str | None


def audit_page(before: str | None = None, limit: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """Entries newest first. A page ends where the next begins: ``before`` is the id of
    the last entry shown, so new entries arriving meanwhile shift nothing."""
    query = AuditEntry.objects.order_by("-created_at", "-id")
    if before:
        last = _entry(before)
        query = query.filter(
            __raw__={
                "$or": [
                    {"created_at": {"$lt": last.created_at}},
                    {"created_at": last.created_at, "_id": {"$lt": last.id}},
                ]
            }
        )
    entries = list(query.limit(limit + 1))
    next_cursor = str(entries[limit - 1].id) if len(entries) > limit else None
    return AuditPage(entries[:limit], next_cursor)


def _entry(entry_id: str) -> AuditEntry:
    try:
        return AuditEntry.objects.get_or_404(id=entry_id)
    except NotFound:
        raise ValidationFailed({"before": _("is not an entry of this log")}) from None
