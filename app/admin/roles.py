"""Managing roles: list them with how many users hold each, create them, change their
description and the permissions they grant."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from mongoengine import NotUniqueError

from app.accounts.models import Role, User
from app.accounts.permissions import USERS_MANAGE, active_holders, check_permissions, roles_granting
from app.accounts.services import datastore
from app.admin.audit import describe_role, record
from app.errors import ValidationFailed

ROLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9 _-]{0,79}")
DESCRIPTION_MAX = 255


@dataclass(frozen=True)
class RoleRow:
    role: Role
    users: int


def roles_with_counts() -> list[RoleRow]:
    """Every role by name, with the number of users holding it (one query per role:
    there are a handful)."""
    return [
        RoleRow(role, User.objects(roles=role.id).count()) for role in Role.objects.order_by("name")
    ]


def all_role_names() -> list[str]:
    return sorted(Role.objects.distinct("name"))


def get_role(role_id: str) -> Role:
    """The role with this id; NotFound otherwise."""
    return Role.objects.get_or_404(id=role_id)


def check_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            {"description": _("must be at most %(num)s characters", num=DESCRIPTION_MAX)}
        )
    return description


def check_role_name(name: str | None) -> str:
    """The name, stripped; refused if malformed or if a role of that name exists in any
    case ("admin" beside "Admin" would only confuse)."""
    name = (name or "").strip()
    if not ROLE_NAME.fullmatch(name):
        raise ValidationFailed(
            {
                "name": _(
                    "Start with a letter; use at most 80 letters, digits, spaces, "
                    "hyphens or underscores."
                )
            }
        )
    # Roles are few: compare in Python rather than with a regex on the indexed name.
    taken = {existing.lower(): existing for existing in Role.objects.distinct("name")}
    if name.lower() in taken:
        raise ValidationFailed(
            {"name": _("A role named %(name)s already exists.", name=taken[name.lower()])}
        )
    return name


def create_role(actor: User, name: str, description: str, permissions: list[str]) -> Role:
    """Create a role granting ``permissions`` (names from the catalogue). A duplicate
    created at the same moment is refused by the unique index and reported like any
    other duplicate."""
    name = check_role_name(name)
    description = check_description(description)
    permissions = check_permissions(permissions)
    try:
        role = datastore().create_role(name=name, description=description, permissions=permissions)
        datastore().commit()
    except NotUniqueError:
        raise ValidationFailed(
            {"name": _("A role named %(name)s already exists.", name=name)}
        ) from None
    record(
        actor,
        "role.create",
        describe_role(role.name),
        role.id,
        description=description,
        permissions=permissions,
    )
    return role


def check_keeps_user_managers(actor: User, role: Role, permissions: list[str]) -> None:
    """Refuse to take ``users:manage`` from ``role`` when no active user would hold it
    through another role (someone must always be able to manage users), or when
    ``actor`` would lose it themselves."""
    if USERS_MANAGE not in role.get_permissions() or USERS_MANAGE in permissions:
        return
    others = [other for other in roles_granting(USERS_MANAGE) if other.id != role.id]
    if active_holders(USERS_MANAGE, roles=others) == 0:
        raise ValidationFailed(
            {
                "permissions": _(
                    "Role %(name)s must keep users:manage: no active user would be left who "
                    "can manage users and roles.",
                    name=role.name,
                )
            }
        )
    if not any(other in actor.roles for other in others):
        raise ValidationFailed(
            {
                "permissions": _(
                    "Role %(name)s must keep users:manage: it is how you manage users yourself.",
                    name=role.name,
                )
            }
        )


def update_role(actor: User, role: Role, description: str, permissions: list[str]) -> list[str]:
    """Change the role's description and the permissions it grants (names stay: users
    and the CLI refer to them); returns the audit actions taken. Every value is checked
    before anything is stored."""
    description = check_description(description)
    permissions = check_permissions(permissions)
    check_keeps_user_managers(actor, role, permissions)
    actions = []
    if description != role.description:
        before, role.description = role.description, description
        role.save()
        record(
            actor,
            "role.update",
            describe_role(role.name),
            role.id,
            description={"from": before, "to": description},
        )
        actions.append("role.update")
    before = check_permissions(role.permissions)
    if permissions != before:
        role.permissions = permissions
        role.save()
        record(
            actor,
            "role.permissions",
            describe_role(role.name),
            role.id,
            permissions={"from": before, "to": permissions},
        )
        actions.append("role.permissions")
    return actions
