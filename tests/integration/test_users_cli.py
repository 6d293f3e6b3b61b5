"""`flask users`: offline account management, as an admin types it or a script calls it."""

from __future__ import annotations

import pytest

from app.accounts.models import ADMIN_ROLE, PUBLIC_ROLE, Role, User
from tests.factories import STRONG_PASSWORD, TEST_PASSWORD, UserFactory
from tests.logins import log_in_client

PROMPTS = (
    "Role [Public]: ",
    "Username: ",
    "User first name: ",
    "User last name: ",
    "Email: ",
    "Password: ",
    "Repeat for confirmation: ",
)
ALICE = (
    "Public",
    "Alice",
    "Alice",
    "Liddell",
    "Alice@Example.ORG",
    STRONG_PASSWORD,
    STRONG_PASSWORD,
)
ROLE, USERNAME, FIRST_NAME, LAST_NAME, EMAIL, PASSWORD, CONFIRMATION = range(7)


def typed(*answers: str) -> str:
    return "".join(f"{answer}\n" for answer in answers)


def create(runner, *answers: str, command: str = "create"):
    return runner.invoke(args=["users", command], input=typed(*answers))


def options(**overrides: str) -> list[str]:
    """Every value of `create` as options; ``role="..."``, ``first_name="..."`` override."""
    values = {
        "role": PUBLIC_ROLE,
        "username": "alice",
        "first_name": "Alice",
        "last_name": "Liddell",
        "email": "alice@example.org",
        "password": STRONG_PASSWORD,
        **overrides,
    }
    return [
        part
        for name, value in values.items()
        if value is not None
        for part in (f"--{name.replace('_', '-')}", value)
    ]


def role_names(user: User) -> list[str]:
    return sorted(role.name for role in user.roles)


# create, interactively


def test_create_asks_each_value_in_order_and_stores_a_confirmed_user(runner):
    result = create(runner, *ALICE)

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Role [Public]: Public\n"
        "Username: Alice\n"
        "User first name: Alice\n"
        "User last name: Liddell\n"
        "Email: Alice@Example.ORG\n"
        "Password: \n"
        "Repeat for confirmation: \n"
        "User alice created.\n"
    )
    user = User.objects.get()
    assert (user.username, user.email) == ("alice", "alice@example.org")
    assert (user.first_name, user.last_name) == ("Alice", "Liddell")
    assert user.active
    assert user.confirmed_at is not None
    assert role_names(user) == [PUBLIC_ROLE]


def test_an_empty_answer_to_role_takes_the_default_public(runner):
    result = create(runner, "", *ALICE[USERNAME:])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Role [Public]: \nUsername: ")
    assert role_names(User.objects.get(username="alice")) == [PUBLIC_ROLE]


def test_a_user_created_offline_can_log_in_straight_away(runner, client):
    create(runner, *ALICE)

    assert "Welcome, Alice" in log_in_client(client, "alice@example.org", STRONG_PASSWORD).text


@pytest.mark.parametrize(
    ("step", "bad_answer", "reason"),
    [
        (ROLE, "Nope", "no role named 'Nope' (known: Admin, Public)"),
        (USERNAME, "BOBBY", "bobby is already taken"),
        (USERNAME, "al", "Username must be at least 4 characters and less than 32 characters"),
        (FIRST_NAME, "   ", "must not be empty"),
        (EMAIL, "BOB@example.ORG", "bob@example.org is already registered"),
        pytest.param(EMAIL, "not-an-address", "Invalid email address"),
        (PASSWORD, "password123", "This is a very common password."),
        (PASSWORD, "short", "Password must be at least 10 characters"),
    ],
)
def test_a_bad_answer_is_asked_again_with_the_reason(runner, app, step, bad_answer, reason):
    UserFactory(username="bobby", email="bob@example.org")
    answers = [*ALICE[:step], bad_answer, *ALICE[step:]]

    result = create(runner, *answers)

    assert result.exit_code == 0, result.output
    assert f"Error: {reason}\n{PROMPTS[step]}" in result.output
    assert User.objects.count() == 2
    alice = User.objects.get(username="alice")
    assert (alice.email, alice.first_name, role_names(alice)) == (
        "alice@example.org",
        "Alice",
        [PUBLIC_ROLE],
    )


def test_a_mismatched_confirmation_asks_for_the_password_again(runner, client):
    answers = [*ALICE[:CONFIRMATION], "blue-velvet-harmonica-43", *ALICE[PASSWORD:]]

    result = create(runner, *answers)

    assert result.exit_code == 0, result.output
    assert (
        "Repeat for confirmation: \nError: The two entered values do not match.\nPassword: "
        in result.output
    )
    assert "Welcome, Alice" in log_in_client(client, "alice", STRONG_PASSWORD).text


def test_the_password_is_never_shown(runner):
    result = create(runner, *ALICE[:PASSWORD], "password123", *ALICE[PASSWORD:])

    assert result.exit_code == 0, result.output
    assert f"Error: This is a very common password.\n{PROMPTS[PASSWORD]}" in result.output
    assert User.objects(username="alice").count() == 1
    assert "password123" not in result.output
    assert STRONG_PASSWORD not in result.output


def test_giving_up_at_the_last_prompt_stores_nothing(runner):
    result = create(runner, *ALICE[:CONFIRMATION])

    assert result.exit_code != 0
    assert "Aborted!" in result.output
    assert User.objects.count() == 0


# create, from a script


def test_create_with_every_value_as_an_option_asks_nothing(runner):
    result = runner.invoke(args=["users", "create", *options(role=ADMIN_ROLE)])

    assert result.exit_code == 0, result.output
    assert result.output == "User alice created.\n"
    user = User.objects.get(username="alice")
    assert user.confirmed_at is not None
    assert role_names(user) == [ADMIN_ROLE]


def test_create_without_role_option_from_a_script_makes_a_public_user(runner):
    result = runner.invoke(args=["users", "create", *options(role=None)])

    assert result.exit_code == 0, result.output
    assert result.output == "User alice created.\n"
    assert role_names(User.objects.get(username="alice")) == [PUBLIC_ROLE]


def test_options_and_prompts_mix(runner):
    result = runner.invoke(
        args=["users", "create", "--role", PUBLIC_ROLE, "--username", "alice"],
        input=typed(*ALICE[FIRST_NAME:]),
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith("User first name: Alice\n")
    assert User.objects(username="alice").count() == 1


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("role", "Nope", "no role named 'Nope' (known: Admin, Public)"),
        ("username", "BOBBY", "bobby is already taken"),
        ("first_name", " ", "must not be empty"),
        ("email", "BOB@Example.org", "bob@example.org is already registered"),
        pytest.param("email", "not-an-address", "Invalid email address"),
        ("password", "password123", "This is a very common password."),
        ("password", "short", "Password must be at least 10 characters"),
    ],
)
def test_a_bad_option_exits_2_with_the_reason_and_stores_nothing(
    runner, app, option, value, reason
):
    UserFactory(username="bobby", email="bob@example.org")

    result = runner.invoke(args=["users", "create", *options(**{option: value})])

    assert result.exit_code == 2
    assert f"Invalid value for --{option.replace('_', '-')}: {reason}" in result.output
    assert User.objects.count() == 1


def test_an_empty_username_option_exits_2_and_stores_nothing(runner):
    result = runner.invoke(args=["users", "create", *options(username="")])

    assert result.exit_code == 2
    assert "Invalid value for --username: " in result.output
    assert User.objects.count() == 0


# create-admin


def test_create_admin_asks_all_but_the_role_and_the_admin_can_log_in(runner, client):
    result = create(runner, *ALICE[USERNAME:], command="create-admin")

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Username: Alice\n"
        "User first name: Alice\n"
        "User last name: Liddell\n"
        "Email: Alice@Example.ORG\n"
        "Password: \n"
        "Repeat for confirmation: \n"
        "User alice created.\n"
    )
    user = User.objects.get(username="alice")
    assert role_names(user) == [ADMIN_ROLE]
    assert user.confirmed_at is not None
    assert "Welcome, Alice" in log_in_client(client, "Alice@example.org", STRONG_PASSWORD).text


def test_create_admin_with_a_taken_email_option_exits_2(runner, app):
    UserFactory(username="bobby", email="bob@example.org")

    result = runner.invoke(
        args=["users", "create-admin", *options(role=None, email="BOB@Example.org")]
    )

    assert result.exit_code == 2
    assert "Invalid value for --email: bob@example.org is already registered" in result.output
    assert User.objects.count() == 1


# list


def test_list_shows_every_user_with_roles_and_state(runner, app):
    UserFactory(
        username="carol",
        email="carol@example.org",
        first_name="Carol",
        last_name="King",
        roles=[ADMIN_ROLE, PUBLIC_ROLE],
    )
    UserFactory(
        username="alice",
        email="alice@example.org",
        first_name="Alice",
        last_name="Liddell",
        active=False,
    )
    UserFactory(
        username="bobby",
        email="bob@example.org",
        first_name="Bob",
        last_name="Marley",
        confirmed_at=None,
    )

    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "alice\talice@example.org\tAlice Liddell\tPublic\tinactive\n"
        "bobby\tbob@example.org\tBob Marley\tPublic\tactive, unconfirmed\n"
        "carol\tcarol@example.org\tCarol King\tAdmin,Public\tactive\n"
    )


def test_list_with_role_shows_only_its_members(runner, app):
    UserFactory(
        username="alice",
        email="alice@example.org",
        first_name="Alice",
        last_name="L",
        roles=[ADMIN_ROLE],
    )
    UserFactory(username="bobby", email="bob@example.org")

    result = runner.invoke(args=["users", "list", "--role", ADMIN_ROLE])

    assert result.exit_code == 0, result.output
    assert result.output == "alice\talice@example.org\tAlice L\tAdmin\tactive\n"


def test_list_says_when_there_is_nobody(runner):
    result = runner.invoke(args=["users", "list", "--role", ADMIN_ROLE])

    assert result.exit_code == 0
    assert result.output == "No users.\n"


def test_list_with_an_unknown_role_says_so(runner):
    result = runner.invoke(args=["users", "list", "--role", "Nope"])

    assert result.exit_code == 1
    assert result.output == "Error: no role named 'Nope' (known: Admin, Public)\n"


# set-role


def test_set_role_replaces_the_roles(runner, app):
    UserFactory(username="bobby", email="bob@example.org")

    both = runner.invoke(args=["users", "set-role", "bobby", ADMIN_ROLE, PUBLIC_ROLE, ADMIN_ROLE])
    assert both.output == "User bobby now has roles: Admin, Public.\n"
    assert role_names(User.objects.get(username="bobby")) == [ADMIN_ROLE, PUBLIC_ROLE]

    only = runner.invoke(args=["users", "set-role", "BOB@example.org", ADMIN_ROLE])

    assert only.exit_code == 0, only.output
    assert only.output == "User bobby now has roles: Admin.\n"
    assert role_names(User.objects.get(username="bobby")) == [ADMIN_ROLE]


def test_set_role_to_an_unknown_role_changes_nothing(runner, app):
    UserFactory(username="bobby", email="bob@example.org")

    result = runner.invoke(args=["users", "set-role", "bobby", ADMIN_ROLE, "Nope"])

    assert result.exit_code == 1
    assert result.output == "Error: no role named 'Nope' (known: Admin, Public)\n"
    assert role_names(User.objects.get(username="bobby")) == [PUBLIC_ROLE]


@pytest.mark.parametrize(
    "args",
    [
        ["set-role", "nobody", ADMIN_ROLE],
        ["activate", "nobody"],
        ["deactivate", "nobody"],
        ["delete", "--yes", "nobody"],
    ],
)
def test_an_unknown_user_is_reported(runner, args):
    result = runner.invoke(args=["users", *args])

    assert result.exit_code == 1
    assert result.output == "Error: no user with email or username 'nobody'\n"
    assert User.objects.count() == 0


# activate, deactivate


def test_deactivate_ends_sessions_and_stops_logins_until_activated(runner, client, app):
    before = UserFactory(username="bobby", email="bob@example.org", first_name="Bob")
    assert "Welcome, Bob" in log_in_client(client, "bobby", TEST_PASSWORD).text

    result = runner.invoke(args=["users", "deactivate", "BOBBY"])

    assert result.exit_code == 0, result.output
    assert result.output == "User bobby deactivated.\n"
    after = User.objects.get(username="bobby")
    assert not after.active
    assert after.fs_uniquifier != before.fs_uniquifier
    assert "Welcome" not in client.get("/").text
    assert "Welcome" not in log_in_client(client, "bobby", check=False).text

    result = runner.invoke(args=["users", "activate", "bob@example.org"])

    assert result.exit_code == 0, result.output
    assert result.output == "User bobby activated.\n"
    assert User.objects.get(username="bobby").active
    assert "Welcome back, Bob" in log_in_client(client, "bobby", TEST_PASSWORD).text


# delete


def test_delete_asks_first_and_no_keeps_the_user(runner, app):
    UserFactory(username="bobby", email="bob@example.org")

    result = runner.invoke(args=["users", "delete", "bobby"], input="n\n")

    assert result.exit_code == 1
    assert result.output == "Delete user bobby (bob@example.org)? [y/N]: n\nAborted!\n"
    assert User.objects(username="bobby").count() == 1


def test_delete_after_yes(runner, app):
    UserFactory(username="bobby", email="bob@example.org")

    result = runner.invoke(args=["users", "delete", "bob@example.org"], input="y\n")

    assert result.exit_code == 0, result.output
    assert result.output.endswith("User bobby deleted.\n")
    assert User.objects.count() == 0


def test_delete_with_yes_option_does_not_ask(runner, app):
    UserFactory(username="bobby", email="bob@example.org")
    UserFactory(username="carol", email="carol@example.org")

    result = runner.invoke(args=["users", "delete", "--yes", "bobby"])

    assert result.exit_code == 0, result.output
    assert result.output == "User bobby deleted.\n"
    assert [user.username for user in User.objects] == ["carol"]


# init, help


def test_init_creates_the_two_roles_and_is_safe_to_run_again(runner):
    Role.objects.delete()

    first = runner.invoke(args=["users", "init"])
    second = runner.invoke(args=["users", "init"])

    assert first.exit_code == second.exit_code == 0
    assert (
        first.output
        == second.output
        == (
            "Role Admin is ready (permissions: songs:upload, songs:manage-all, users:manage, "
            "admin:view, audit:read).\n"
            "Role Public is ready (permissions: songs:upload).\n"
        )
    )
    assert sorted(Role.objects.distinct("name")) == [ADMIN_ROLE, PUBLIC_ROLE]
    assert Role.objects.count() == 2


def test_init_gives_roles_made_before_permissions_theirs_and_keeps_others(runner):
    Role.objects(name=ADMIN_ROLE).update(set__permissions=[])
    Role.objects(name=PUBLIC_ROLE).update(set__permissions=["audit:read"])
    old_admin = UserFactory(roles=[ADMIN_ROLE])
    assert not old_admin.has_permission("users:manage")

    first = runner.invoke(args=["users", "init"])
    second = runner.invoke(args=["users", "init"])

    assert first.exit_code == second.exit_code == 0, first.output
    assert first.output == second.output
    assert Role.objects.get(name=ADMIN_ROLE).permissions == [
        "songs:upload",
        "songs:manage-all",
        "users:manage",
        "admin:view",
        "audit:read",
    ]
    assert Role.objects.get(name=PUBLIC_ROLE).permissions == ["audit:read", "songs:upload"]
    assert User.objects.get(id=old_admin.id).has_permission("users:manage")


def test_help_lists_every_command(runner):
    result = runner.invoke(args=["users", "--help"])

    for command in (
        "activate",
        "create",
        "create-admin",
        "deactivate",
        "delete",
        "init",
        "list",
        "reset-password",
        "set-role",
    ):
        assert f"\n  {command} " in result.output


def test_the_last_user_who_can_manage_users_keeps_that(runner):
    UserFactory(username="alice", roles=[ADMIN_ROLE])
    message = (
        "Error: alice is the last active user who can manage users (users:manage): give it "
        "to someone else first.\n"
    )

    demoted = runner.invoke(args=["users", "set-role", "alice", PUBLIC_ROLE])
    deactivated = runner.invoke(args=["users", "deactivate", "alice"])
    deleted = runner.invoke(args=["users", "delete", "--yes", "alice"])
    UserFactory(username="carol", roles=[ADMIN_ROLE])
    allowed = runner.invoke(args=["users", "set-role", "alice", PUBLIC_ROLE])

    for result in (demoted, deactivated, deleted):
        assert result.exit_code == 1
        assert result.output == message
    alice = User.objects.get(username="alice")
    assert alice.active
    assert allowed.exit_code == 0, allowed.output
    assert role_names(User.objects.get(username="alice")) == [PUBLIC_ROLE]
