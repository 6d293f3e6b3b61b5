"""The permissions roles grant, and what the built-in roles hold.

Views, the API and the services check these names (``permissions_required``,
``user.has_permission``), never a role's name: a role is only a named set of
permissions, so an admin can make a "Moderator" without touching the code.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import ADMIN_ROLE, PUBLIC_ROLE, Role, User
from app.errors import ValidationFailed

SONGS_UPLOAD = "songs:upload"
SONGS_MANAGE_ALL = "songs:manage-all"
USERS_MANAGE = "users:manage"
ADMIN_VIEW = "admin:view"
AUDIT_READ = "audit:read"

#: Every permission, with what it lets a role's holders do (the role editor shows this).
CATALOGUE: dict[str, str] = {
    SONGS_UPLOAD: _l("Upload songs and replace their audio."),
    SONGS_MANAGE_ALL: _l("See, edit and delete everyone's songs and albums."),
    USERS_MANAGE: _l("Manage users and roles (and unlock accounts)."),
    ADMIN_VIEW: _l("Open the admin area; each section also needs its own permission."),
    AUDIT_READ: _l("Read the audit log of admin actions."),
}

#: What the built-in roles are created with (and given again by ``flask users init``).
DEFAULT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ADMIN_ROLE: tuple(CATALOGUE),
    PUBLIC_ROLE: (SONGS_UPLOAD,),
}


def check_permissions(names: Iterable[str]) -> list[str]:
    """The permission names, each once and in catalogue order; ValidationFailed naming
    any that the catalogue does not know."""
    names = [name.strip() for name in names]
    unknown = [name for name in dict.fromkeys(names) if name not in CATALOGUE]
    if unknown:
        raise ValidationFailed(
            {
                "permissions": _(
                    "Unknown permission: %(unknown)s (known: %(known)s).",
                    unknown=", ".join(unknown),
                    known=", ".join(CATALOGUE),
                )
            }
        )
    return [name for name in CATALOGUE if name in names]


def roles_granting(permission: str) -> list[Role]:
    return list(Role.objects(permissions=permission))


def active_holders(permission: str, *, roles: Iterable[Role] | None = None) -> int:
    """How many active users hold ``permission`` through ``roles`` (by default, every
    role that grants it now)."""
    ids = [role.id for role in (roles_granting(permission) if roles is None else roles)]
    return User.objects(roles__in=ids, active=True).count() if ids else 0
