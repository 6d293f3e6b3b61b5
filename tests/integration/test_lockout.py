"""Logging in is locked for an identity after repeated failures, known account or not,
on the login page and the API alike; time, an admin, or a new password unlock it."""

from __future__ import annotations

import re
import time

import pytest
from flask_security import verify_password
from flask_security.recoverable import generate_reset_password_token

from app.accounts.lockout import LOCKED_MESSAGE
from app.accounts.models import Role, User
from app.admin.models import AuditEntry
from app.embedded import start_redis
from app.processes import free_port
from tests.factories import STRONG_PASSWORD, TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token
from tests.logins import API_TOKEN_URL, bearer, log_in_api, log_in_client

ATTEMPTS = 3
WRONG = "not the password at all"


@pytest.fixture
def locking(make_app):
    """An app that locks after ATTEMPTS failures (other settings as given)."""

    def make(**overrides):
        settings = {
            "LOCKOUT_MAX_ATTEMPTS": ATTEMPTS,
            "LOCKOUT_WINDOW_SECONDS": 60,
            "LOCKOUT_SECONDS": 60,
            **overrides,
        }
        return make_app(**settings)

    return make


@pytest.fixture
def locked_app(locking):
    return locking()


def form_errors(html: str) -> list[str]:
    """The messages of the login form's error box."""
    box = re.search(r'id="fs-form-errors" role="alert">\s*((?:<div>[^<]*</div>\s*)*)</div>', html)
    return re.findall(r"<div>([^<]+)</div>", box.group(1)) if box else []


def log_in_form(client, identity: str, password: str):
    token = csrf_token(client.get("/login").text)
    return client.post(
        "/login", data={"email": identity, "password": password, "csrf_token": token}
    )


def token_attempt(client, identity: str, password: str):
    return client.post(API_TOKEN_URL, json={"identity": identity, "password": password})


def lock_by_api(client, identity: str) -> None:
    for _ in range(ATTEMPTS):
        token_attempt(client, identity, WRONG)
    assert token_attempt(client, identity, TEST_PASSWORD).status_code == 429


def test_the_login_form_locks_after_repeated_failures(locked_app):
    user = UserFactory(username="annie")
    client = locked_app.test_client()

    before = [log_in_form(client, "annie", WRONG) for _ in range(ATTEMPTS - 1)]
    locking = log_in_form(client, "ANNIE ", WRONG)
    by_username = log_in_form(client, "annie", TEST_PASSWORD)
    right_password = log_in_form(locked_app.test_client(), user.email, TEST_PASSWORD)

    for page in before:
        assert page.status_code == 200
        assert LOCKED_MESSAGE not in page.text
    assert form_errors(locking.text) == [LOCKED_MESSAGE]
    # The email has its own count; the username is locked, even with the right password.
    assert right_password.status_code == 302
    assert form_errors(by_username.text) == [LOCKED_MESSAGE]
    assert "Invalid" not in by_username.text


def test_the_right_password_is_refused_while_locked(locked_app):
    UserFactory(username="annie")
    client = locked_app.test_client()
    for _ in range(ATTEMPTS):
        log_in_form(client, "annie", WRONG)

    refused = log_in_form(client, "annie", TEST_PASSWORD)

    assert refused.status_code == 200
    assert form_errors(refused.text) == [LOCKED_MESSAGE]
    assert client.get("/songs").status_code == 302  # still not logged in


def test_a_json_login_is_told_it_is_locked(locked_app):
    UserFactory(username="annie")
    client = locked_app.test_client()

    answers = []
    for password in [WRONG] * ATTEMPTS + [TEST_PASSWORD]:
        token = csrf_token(client.get("/login").text)
        answers.append(
            client.post(
                "/login",
                json={"email": "annie", "password": password},
                headers={"X-CSRFToken": token},
            )
        )

    assert [answer.status_code for answer in answers] == [400] * (ATTEMPTS + 1)
    assert LOCKED_MESSAGE not in answers[0].json["response"]["errors"]
    for answer in answers[-2:]:
        assert answer.json["response"]["errors"] == [LOCKED_MESSAGE]


def test_unknown_identities_are_locked_with_the_same_message(locked_app):
    UserFactory(username="annie")
    client = locked_app.test_client()

    pages = {}
    answers = {}
    for identity in ("annie", "nobody-here", "annie@example.com"):
        for _ in range(ATTEMPTS):
            log_in_form(client, identity, WRONG)
            token_attempt(client, identity, WRONG)
        pages[identity] = form_errors(log_in_form(client, identity, TEST_PASSWORD).text)
        answer = token_attempt(client, identity, TEST_PASSWORD)
        answers[identity] = (answer.status_code, answer.json["title"], answer.json["detail"])

    assert set(map(tuple, pages.values())) == {(LOCKED_MESSAGE,)}
    assert set(answers.values()) == {(429, "Too Many Requests", LOCKED_MESSAGE)}


def test_the_token_endpoint_locks_with_a_problem(locked_app):
    UserFactory(username="annie")
    client = locked_app.test_client()

    wrong = [token_attempt(client, "annie", WRONG) for _ in range(ATTEMPTS)]
    locked = token_attempt(client, "annie", TEST_PASSWORD)

    assert [answer.status_code for answer in wrong] == [401] * (ATTEMPTS - 1) + [429]
    assert locked.status_code == 429
    assert locked.mimetype == "application/problem+json"
    assert locked.json["detail"] == LOCKED_MESSAGE
    assert 0 < int(locked.headers["Retry-After"]) <= 60
    assert 0 < locked.json["retry_after"] <= 60
    # The page login shares the count: the identity is locked there too.
    assert form_errors(log_in_form(client, "annie", TEST_PASSWORD).text) == [LOCKED_MESSAGE]


def test_a_success_forgets_earlier_failures(locked_app):
    UserFactory(username="annie")
    client = locked_app.test_client()

    for _ in range(ATTEMPTS - 1):
        token_attempt(client, "annie", WRONG)
    assert token_attempt(client, "annie", TEST_PASSWORD).status_code == 200
    for _ in range(ATTEMPTS - 1):
        token_attempt(client, "annie", WRONG)

    assert token_attempt(client, "annie", TEST_PASSWORD).status_code == 200


def test_the_lock_ends_by_itself(locking):
    app = locking(LOCKOUT_SECONDS=1)
    UserFactory(username="annie")
    client = app.test_client()
    lock_by_api(client, "annie")

    time.sleep(1.2)

    assert token_attempt(client, "annie", TEST_PASSWORD).status_code == 200


def test_failures_older_than_the_window_do_not_count(locking):
    app = locking(LOCKOUT_WINDOW_SECONDS=0.5)
    UserFactory(username="annie")
    client = app.test_client()

    for _ in range(ATTEMPTS - 1):
        token_attempt(client, "annie", WRONG)
    time.sleep(0.7)
    for _ in range(ATTEMPTS - 1):
        token_attempt(client, "annie", WRONG)

    assert token_attempt(client, "annie", TEST_PASSWORD).status_code == 200


def test_an_admin_unlocks_a_locked_user(locked_app):
    user = UserFactory(username="annie")
    admin = UserFactory(username="boss", roles=["Admin", "Public"])
    member_client, admin_client = locked_app.test_client(), locked_app.test_client()
    log_in_client(admin_client, admin)
    page_before = admin_client.get(f"/admin/users/{user.id}").text
    lock_by_api(member_client, "annie")

    page = admin_client.get(f"/admin/users/{user.id}").text
    unlocked = admin_client.post(
        f"/admin/users/{user.id}/unlock",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )

    assert 'data-testid="locked"' not in page_before
    assert 'data-testid="locked"' in page
    assert f'action="/admin/users/{user.id}/unlock"' in page
    assert "annie can log in again." in unlocked.text
    assert 'data-testid="locked"' not in unlocked.text
    entry = AuditEntry.objects.get(action="user.unlock")
    assert (entry.actor, entry.target) == ("boss", f"annie <{user.email}>")
    assert token_attempt(member_client, "annie", TEST_PASSWORD).status_code == 200


def test_unlocking_a_user_who_is_not_locked_is_explained(locked_app):
    user = UserFactory(username="annie")
    admin_client = locked_app.test_client()
    page = log_in_client(admin_client, UserFactory(roles=["Admin"]))

    answer = admin_client.post(
        f"/admin/users/{user.id}/unlock",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )

    assert "annie is not locked." in answer.text
    assert AuditEntry.objects.count() == 0


def test_a_moderator_cannot_unlock(locked_app):
    user = UserFactory(username="annie")
    client = locked_app.test_client()
    Role(name="Moderator", permissions=["admin:view", "songs:manage-all"]).save()
    page = log_in_client(client, UserFactory(username="moderator", roles=["Moderator"]))
    lock_by_api(locked_app.test_client(), "annie")

    answer = client.post(
        f"/admin/users/{user.id}/unlock", data={"csrf_token": csrf_token(page.text)}
    )

    assert answer.status_code == 403
    assert token_attempt(client, "annie", TEST_PASSWORD).status_code == 429


def test_a_password_reset_unlocks(locked_app):
    user = UserFactory(username="annie")
    client = locked_app.test_client()
    lock_by_api(client, "annie")
    with locked_app.test_request_context():
        token = generate_reset_password_token(User.objects.get(id=user.id))

    form = client.get(f"/reset/{token}")
    reset = client.post(
        f"/reset/{token}",
        data={
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD,
            "csrf_token": csrf_token(form.text),
        },
    )

    assert reset.status_code == 302, reset.text
    assert token_attempt(client, "annie", STRONG_PASSWORD).status_code == 200


def test_reset_password_on_the_command_line(locked_app):
    user = UserFactory(username="annie", first_name="Annie")
    client = locked_app.test_client()
    old_token = log_in_api(client, user)
    lock_by_api(client, "annie")
    runner = locked_app.test_cli_runner()

    result = runner.invoke(
        args=["users", "reset-password", "ANNIE"],
        input=f"short\n{STRONG_PASSWORD}\nsomething else\n{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Error: Password must be at least 10 characters" in result.output
    assert "Error: The two entered values do not match." in result.output
    assert STRONG_PASSWORD not in result.output
    assert result.output.endswith(
        "Password of annie changed; the account is unlocked and signed out.\n"
    )
    with locked_app.app_context():
        assert verify_password(STRONG_PASSWORD, User.objects.get(id=user.id).password)
    assert client.get("/api/v1/me", headers=bearer(old_token)).status_code == 401
    assert token_attempt(client, "annie", STRONG_PASSWORD).status_code == 200


def test_reset_password_refuses_a_weak_option_and_an_unknown_user(locked_app):
    UserFactory(username="annie")
    runner = locked_app.test_cli_runner()

    weak = runner.invoke(args=["users", "reset-password", "annie", "--password", "annie"])
    unknown = runner.invoke(args=["users", "reset-password", "nobody"], input="x\n")

    assert weak.exit_code == 2
    assert "Invalid value for --password: Password must be at least 10 characters" in (weak.output)
    with locked_app.app_context():
        assert verify_password(TEST_PASSWORD, User.objects.get(username="annie").password)
    assert unknown.exit_code == 1
    assert "Error: no user with email or username 'nobody'" in unknown.output


def test_logins_go_on_without_lockout_while_redis_is_down(locking, tmp_path, caplog):
    redis_server = start_redis(
        tmp_path / "redis", log_path=tmp_path / "redis.log", port=free_port()
    )
    try:
        app = locking(REDIS_URL=redis_server.url, LOCKOUT_MAX_ATTEMPTS=1)
        UserFactory(username="annie")
        client = app.test_client()
        lock_by_api(client, "annie")
    finally:
        redis_server.stop()

    wrong = token_attempt(client, "annie", WRONG)
    right = token_attempt(client, "annie", TEST_PASSWORD)

    assert wrong.status_code == 401
    assert right.status_code == 200
    assert "lockout not checked: Redis unreachable" in caplog.text
