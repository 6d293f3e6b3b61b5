"""`flask users ...`: manage accounts from a terminal. Users made here are confirmed."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import AppGroup

from app.accounts import services
from app.accounts.models import ADMIN_ROLE, PUBLIC_ROLE, User
from app.errors import EncoreError, ValidationFailed

users = AppGroup("users", help="Create and manage user accounts.")


def _checked(check: Callable[[str], str]) -> Callable[[str], str]:
    """Turn a service check into a click value processor: a bad value is re-asked."""

    def process(value: str) -> str:
        try:
            return check(value)
        except ValidationFailed as error:
            raise click.BadParameter(next(iter(error.errors.values()))) from None

    return process


def _ask(
    given: str | None,
    label: str,
    check: Callable[[str], str],
    *,
    option: str,
    default: str | None = None,
    secret: bool = False,
) -> str:
    """Check a value given as an option (exit 2 if bad) or prompt until it is good."""
    process = _checked(check)
    if given is not None:
        try:
            return process(given)
        except click.BadParameter as error:
            error.param_hint = option
            raise
    return click.prompt(
        label,
        default=default,
        hide_input=secret,
        confirmation_prompt="Repeat for confirmation" if secret else False,
        value_proc=process,
    )


def _create(role: str | None, fields: dict[str, str | None]) -> User:
    username = _ask(fields["username"], "Username", services.check_username, option="--username")
    first_name = _ask(
        fields["first_name"],
        "User first name",
        lambda value: services.check_name("first_name", value),
        option="--first-name",
    )
    last_name = _ask(
        fields["last_name"],
        "User last name",
        lambda value: services.check_name("last_name", value),
        option="--last-name",
    )
    email = _ask(fields["email"], "Email", services.check_email, option="--email")
    password = _ask(
        fields["password"],
        "Password",
        lambda value: services.check_password(
            value, username=username, email=email, first_name=first_name, last_name=last_name
        ),
        option="--password",
        secret=True,
    )
    try:
        user = services.create_user(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            password=password,
            roles=[role] if role else [ADMIN_ROLE],
        )
    except EncoreError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"User {user.username} created.")
    return user


def _user_options(command: Callable) -> Callable:
    for name in ("password", "email", "last-name", "first-name", "username"):
        command = click.option(f"--{name}", default=None)(command)
    return command


@users.command("init")
def init() -> None:
    """Create the Admin and Public roles if they are missing."""
    for role in services.ensure_roles():
        click.echo(f"Role {role.name} is ready.")


@users.command("create")
@click.option("--role", default=None, help=f"Role of the new user [{PUBLIC_ROLE}].")
@_user_options
def create(role: str | None, **fields: str | None) -> None:
    """Create a confirmed user; asks for anything not given as an option."""
    services.ensure_roles()
    role = _ask(
        role,
        "Role",
        lambda name: services.role_named(name).name,
        option="--role",
        default=PUBLIC_ROLE,
    )
    _create(role, fields)


@users.command("create-admin")
@_user_options
def create_admin(**fields: str | None) -> None:
    """Create a confirmed user with the Admin role."""
    services.ensure_roles()
    _create(ADMIN_ROLE, fields)


@users.command("list")
@click.option("--role", default=None, help="Only users with this role.")
def list_users(role: str | None) -> None:
    """List users: username, email, name, roles, active and confirmed."""
    query = User.objects.order_by("username")
    if role:
        query = query.filter(roles=services.role_named(role))
    for user in query:
        roles = ",".join(sorted(r.name for r in user.roles)) or "-"
        flags = ("active" if user.active else "inactive") + (
            "" if user.confirmed_at else ", unconfirmed"
        )
        click.echo(
            f"{user.username}\t{user.email}\t{user.first_name} {user.last_name}\t{roles}\t{flags}"
        )


def _find(identity: str) -> User:
    try:
        return services.find_user(identity)
    except EncoreError as error:
        raise click.ClickException(error.detail) from None


@users.command("set-role")
@click.argument("identity")
@click.argument("roles", nargs=-1, required=True)
def set_role(identity: str, roles: tuple[str, ...]) -> None:
    """Give IDENTITY (email or username) exactly the ROLES named."""
    user = _find(identity)
    try:
        services.set_roles(user, list(roles))
    except EncoreError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"User {user.username} now has roles: {', '.join(roles)}.")


@users.command("activate")
@click.argument("identity")
def activate(identity: str) -> None:
    """Let IDENTITY log in again."""
    user = services.set_active(_find(identity), True)
    click.echo(f"User {user.username} activated.")


@users.command("deactivate")
@click.argument("identity")
def deactivate(identity: str) -> None:
    """Stop IDENTITY from logging in; ends their sessions and tokens."""
    user = services.set_active(_find(identity), False)
    click.echo(f"User {user.username} deactivated.")


@users.command("delete")
@click.argument("identity")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(identity: str, yes: bool) -> None:
    """Delete IDENTITY's account."""
    user = _find(identity)
    if not yes:
        click.confirm(f"Delete user {user.username} ({user.email})?", abort=True)
    services.delete_user(user)
    click.echo(f"User {user.username} deleted.")
