"""`flask users ...`: manage accounts from a terminal. Users made here are confirmed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from app.accounts import services
from app.accounts.models import ADMIN_ROLE, PUBLIC_ROLE, User
from app.errors import EncoreError, ValidationFailed
from app.library.quota import recount_storage

users = AppGroup("users", help="Create and manage user accounts.")

USER_OPTIONS = (  # every value `create` and `create-admin` ask for, in the order asked
    ("--username", "Login name, stored lower-case."),
    ("--first-name", "First name; the site greets the user with it."),
    ("--last-name", "Last name."),
    ("--email", "Email address, stored lower-case."),
    ("--password", "Password; the prompt hides it, this option stays in shell history."),
)


def _reason(error: EncoreError) -> str:
    """What was wrong, without the field names the API puts in front of each reason."""
    if isinstance(error, ValidationFailed):
        return "; ".join(error.errors.values())
    return error.detail


@contextmanager
def _reported() -> Iterator[None]:
    """Our errors end the command with their reason and exit status 1, not a traceback."""
    try:
        yield
    except EncoreError as error:
        raise click.ClickException(_reason(error)) from None


def _ask(
    given: str | None,
    label: str,
    check: Callable[[str], str],
    *,
    option: str,
    default: str | None = None,
    secret: bool = False,
) -> str:
    """The checked value of ``option`` if it was given (exit 2 with the reason if bad);
    otherwise a prompt that says what is wrong with an answer and asks again."""

    def checked(value: str) -> str:
        try:
            return check(value)
        except ValidationFailed as error:
            raise click.BadParameter(_reason(error), param_hint=option) from None

    if given is not None:
        return checked(given)
    return click.prompt(
        label,
        default=default,
        hide_input=secret,
        confirmation_prompt="Repeat for confirmation" if secret else False,
        value_proc=checked,
    )


def _create(role: str, fields: dict[str, str | None]) -> None:
    """Ask for (or check) each value, then store the user: nothing is stored before every
    answer is good."""
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
    with _reported():
        user = services.create_user(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            password=password,
            roles=[role],
        )
    click.echo(f"User {user.username} created.")


def _user_options(command: Callable) -> Callable:
    for name, help_text in reversed(USER_OPTIONS):
        command = click.option(name, default=None, help=help_text)(command)
    return command


@users.command("init")
def init() -> None:
    """Create the Admin and Public roles if they are missing, and give them any of their
    default permissions they lack (safe to run again)."""
    for role in services.ensure_roles(grant_defaults=True):
        permissions = ", ".join(role.permissions) or "none"
        click.echo(f"Role {role.name} is ready (permissions: {permissions}).")


@users.command("create")
@click.option("--role", default=None, help=f"Role of the new user (default {PUBLIC_ROLE}).")
@_user_options
def create(role: str | None, **fields: str | None) -> None:
    """Create a confirmed user; asks for anything not given as an option.

    Given --username, --first-name, --last-name, --email and --password, it asks
    nothing: the role is then Public unless --role names another.
    """
    services.ensure_roles()
    if role is None and None not in fields.values():
        role = PUBLIC_ROLE
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
    """Create a confirmed user with the Admin role; asks for anything not given."""
    services.ensure_roles()
    _create(ADMIN_ROLE, fields)


@users.command("list")
@click.option("--role", default=None, help="Only users with this role.")
def list_users(role: str | None) -> None:
    """List users, one per line: username, email, name, roles, active and confirmed."""
    query = User.objects.order_by("username")
    if role:
        with _reported():
            query = query.filter(roles=services.role_named(role))
    if query.count() == 0:
        click.echo("No users.", err=True)
    for user in query:
        roles = ",".join(sorted(r.name for r in user.roles)) or "-"
        flags = ("active" if user.active else "inactive") + (
            "" if user.confirmed_at else ", unconfirmed"
        )
        click.echo(
            f"{user.username}\t{user.email}\t{user.first_name} {user.last_name}\t{roles}\t{flags}"
        )


def _find(identity: str) -> User:
    with _reported():
        return services.find_user(identity)


@users.command("set-role")
@click.argument("identity")
@click.argument("roles", nargs=-1, required=True)
def set_role(identity: str, roles: tuple[str, ...]) -> None:
    """Give IDENTITY (email or username) exactly the ROLES named, replacing any others."""
    user = _find(identity)
    names = list(dict.fromkeys(roles))
    with _reported():
        services.check_keeps_a_manager(user, roles=names)
        services.set_roles(user, names)
    click.echo(f"User {user.username} now has roles: {', '.join(names)}.")


@users.command("activate")
@click.argument("identity")
def activate(identity: str) -> None:
    """Let IDENTITY (email or username) log in again."""
    user = services.set_active(_find(identity), True)
    click.echo(f"User {user.username} activated.")


@users.command("deactivate")
@click.argument("identity")
def deactivate(identity: str) -> None:
    """Stop IDENTITY (email or username) from logging in; ends their sessions and tokens."""
    user = _find(identity)
    with _reported():
        services.check_keeps_a_manager(user, active=False)
    services.set_active(user, False)
    click.echo(f"User {user.username} deactivated.")


@users.command("reset-password")
@click.argument("identity")
@click.option("--password", default=None, help=USER_OPTIONS[-1][1])
def reset_password(identity: str, password: str | None) -> None:
    """Give IDENTITY (email or username) a new password, asked twice without showing it
    and checked like at registration. Unlocks the account and signs it out everywhere."""
    user = _find(identity)
    password = _ask(
        password,
        "New password",
        lambda value: services.check_password(
            value,
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
        ),
        option="--password",
        secret=True,
    )
    with _reported():
        services.reset_password(user, password)
    click.echo(f"Password of {user.username} changed; the account is unlocked and signed out.")


@users.command("delete")
@click.argument("identity")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(identity: str, yes: bool) -> None:
    """Delete the account of IDENTITY (email or username), after asking."""
    user = _find(identity)
    with _reported():
        services.check_keeps_a_manager(user, active=False)
    if not yes:
        click.confirm(f"Delete user {user.username} ({user.email})?", abort=True)
    services.delete_user(user)
    click.echo(f"User {user.username} deleted.")


@users.command("reset-2fa")
@click.argument("identity")
def reset_two_factor(identity: str) -> None:
    """Remove the second factors of IDENTITY (email or username): authenticator app,
    recovery codes and passkeys, for a lost phone. The password still works."""
    user = _find(identity)
    removed = services.reset_second_factors(user)
    if removed:
        click.echo(f"Second factors of {user.username} removed: {', '.join(removed)}.")
    else:
        click.echo(f"User {user.username} had no second factor; nothing changed.")


@users.command("recount-storage")
def recount_storage_command() -> None:
    """Recount the storage each user's songs take, correcting counters that drifted."""
    repaired = recount_storage()
    click.echo(f"Storage recounted; {repaired} user{'' if repaired == 1 else 's'} corrected.")
