"""Managing roles: list them with how many users hold each, create, describe."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mongoengine import NotUniqueError

from app.accounts.models import Role, User
from app.accounts.services import datastore
from app.admin.audit import record
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
        raise ValidationFailed({"description": f"must be at most {DESCRIPTION_MAX} characters"})
    return description


def check_role_name(name: str | None) -> str:
    """The name, stripped; refused if malformed or if a role of that name exists in any
    case ("admin" beside "Admin" would only confuse)."""
    name = (name or "").strip()
    if not ROLE_NAME.fullmatch(name):
        raise ValidationFailed(
            {
                "name": "Start with a letter; use at most 80 letters, digits, spaces, "
                "hyphens or underscores."
            }
        )
    # Roles are few: compare in Python rather than with a regex on the indexed name.
    taken = {existing.lower(): existing for existing in Role.objects.distinct("name")}
    if name.lower() in taken:
        raise ValidationFailed({"name": f"A role named {taken[name.lower()]} already exists."})
    return name


def create_role(actor: User, name: str, description: str) -> Role:
    """Create a role. A duplicate created at the same moment is refused by the unique
    index and reported like any other duplicate."""
    name = check_role_name(name)
    description = check_description(description)
    try:
        role = datastore().create_role(name=name, description=description)
        datastore().commit()
    except NotUniqueError:
        raise ValidationFailed({"name": f"A role named {name} already exists."}) from None
    record(actor, "role.create", f"role {role.name}", role.id, description=description)
    return role


def describe_role(actor: User, role: Role, description: str) -> Role:
    """Change the role's description (names stay: they are what the code checks)."""
    description = check_description(description)
    if description != role.description:
        before, role.description = role.description, description
        role.save()
        record(
            actor,
            "role.update",
            f"role {role.name}",
            role.id,
            description={"from": before, "to": description},
        )
    return role
