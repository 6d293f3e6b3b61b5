"""Each member's storage: how much they use, and how much they may.

What a member uses is a counter on the user, ``User.storage_bytes``: the sum of their
songs' sizes, changed by the same service calls that store, replace and delete songs
(app/library/services.py) and never computed by summing songs on a request. Charging
is one conditional update, so two uploads at once cannot both take the last of the room;
:func:`recount_storage` puts back any drift.

The quota is the member's own ``storage_quota_mb`` when an admin set one, otherwise
STORAGE_QUOTA_MB; 0 means no limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.errors import ValidationFailed
from app.library.models import Song

MIB = 1024 * 1024
_UNITS = ("B", "KB", "MB", "GB", "TB")


def size_text(size: int) -> str:
    """``size`` in bytes as people read it: 79.3 KB, 2 GB (units of 1024), the number
    written the locale's way (79,3 KB in German)."""
    value, unit = float(size), 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return f"{format_decimal(round(value, 1), '#,##0.#')} {_UNITS[unit]}"


@dataclass(frozen=True)
class Usage:
    """Bytes used, and the quota in bytes (None: no limit)."""

    used: int
    quota: int | None

    @property
    def available(self) -> int | None:
        return None if self.quota is None else max(0, self.quota - self.used)

    def __str__(self) -> str:
        if self.quota is None:
            return _("%(used)s used, no quota", used=size_text(self.used))
        return _(
            "%(used)s of %(quota)s used, %(left)s left",
            used=size_text(self.used),
            quota=size_text(self.quota),
            left=size_text(self.available or 0),
        )


class QuotaExceeded(ValidationFailed):
    """The file does not fit in what is left of its owner's quota; nothing was kept."""

    status = 413
    title = _l("Storage quota exceeded")

    def __init__(self, usage: Usage) -> None:
        self.usage = usage
        super().__init__(
            {"file": _("This file does not fit in your storage: %(usage)s.", usage=usage)}
        )

    def problem_fields(self) -> dict[str, Any]:
        return {
            **super().problem_fields(),
            "quota_bytes": self.usage.quota,
            "used_bytes": self.usage.used,
            "available_bytes": self.usage.available,
        }


def quota_bytes(user: User) -> int | None:
    """The user's quota in bytes, or None for no limit."""
    own = user.storage_quota_mb
    megabytes = current_app.config["STORAGE_QUOTA_MB"] if own is None else own
    return int(megabytes * MIB) if megabytes > 0 else None


def usage_of(user: User, *, freed: int = 0) -> Usage:
    """What ``user`` uses (less ``freed``, the size of a file about to be replaced), as
    last read from the database."""
    return Usage(max(0, (user.storage_bytes or 0) - freed), quota_bytes(user))


def room_for(user: User, *, freed: int = 0) -> int | None:
    """How many bytes ``user`` may still store, or None for no limit."""
    return usage_of(user, freed=freed).available


def charge(user: User, size: int, *, freed: int = 0) -> None:
    """Count ``size`` new bytes (and ``freed`` old ones gone) to ``user``; QuotaExceeded,
    with nothing counted, when they do not fit."""
    change = size - freed
    quota = quota_bytes(user)
    query = User.objects(id=user.id)
    if quota is not None and change > 0:
        query = query.filter(storage_bytes__not__gt=quota - change)
    if not query.update_one(inc__storage_bytes=change):
        user.reload("storage_bytes")
        raise QuotaExceeded(usage_of(user, freed=freed))


def release(owner_id: ObjectId, size: int) -> None:
    """Count ``size`` bytes of ``owner_id``'s as gone."""
    User.objects(id=owner_id).update_one(dec__storage_bytes=size)


def recount_storage() -> int:
    """Set every user's counter to the sum of their songs' sizes; returns how many were
    wrong. A counter that changes meanwhile is left to the next recount."""
    totals = {
        row["_id"]: row["size"]
        for row in Song.objects.aggregate(
            [{"$group": {"_id": "$owner", "size": {"$sum": "$size"}}}]
        )
    }
    User.objects(storage_bytes__exists=False).update(set__storage_bytes=0)
    repaired = 0
    for user in User.objects.only("id", "storage_bytes"):
        right = totals.get(user.id, 0)
        if user.storage_bytes != right:
            repaired += User.objects(id=user.id, storage_bytes=user.storage_bytes).update_one(
                set__storage_bytes=right
            )
    return repaired
