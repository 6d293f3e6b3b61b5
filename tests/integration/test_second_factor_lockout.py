"""Wrong second factors count towards the account's login lockout: authenticator codes at
/tf-validate, recovery codes at /mf-recovery and codes sent to the API's token endpoint.
A lock reached that way refuses passwords too, and while it lasts even the right code is
refused; a right code forgets the failures."""

from __future__ import annotations

import re

import pytest

from app.accounts import lockout
from app.accounts.lockout import LOCKED_MESSAGE
from app.accounts.models import User, WebAuthn
from app.embedded import start_redis
from app.processes import free_port
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token
from tests.logins import API_TOKEN_URL, log_in_client
from tests.passkeys import PASSKEY_SITE, SoftAuthenticator, register_passkey, sign_in_with_passkey
from tests.two_factor import (
    authenticator_code,
    code_form_action,
    enrol_authenticator,
    shown_key,
    start_authenticator_setup,
    submit_code,
)

ATTEMPTS = 3


@pytest.fixture
def locked_app(make_app):
    """An app that locks after ATTEMPTS failures."""
    return make_app(LOCKOUT_MAX_ATTEMPTS=ATTEMPTS, LOCKOUT_WINDOW_SECONDS=60, LOCKOUT_SECONDS=60)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})


def is_logged_in(client) -> bool:
    return client.get("/songs").status_code == 200


def password_login_with(client, identity: str, password: str):
    """The login form, redirects not followed."""
    token = csrf_token(client.get("/login").text)
    return client.post(
        "/login", data={"email": identity, "password": password, "csrf_token": token}
    )


def password_login(client, identity: str):
    """The login form with the right password, redirects not followed."""
    return password_login_with(client, identity, TEST_PASSWORD)


def is_locked(app, user) -> bool:
    with app.test_request_context():
        return lockout.user_is_locked(User.objects.get(id=user.id))


def member_with_authenticator(app):
    """A member who has set up an authenticator app, logged out; (user, client, key)."""
    user = UserFactory(username="annie")
    client = app.test_client()
    log_in_client(client, user)
    key = enrol_authenticator(client)
    log_out(client)
    return user, client, key


def at_code_step(app, user):
    """A client that gave the right password and is asked for the code."""
    client = app.test_client()
    assert log_in_client(client, "annie").request.path == "/tf-validate"
    return client


def token_attempt(client, code: str | None = None):
    body = {"identity": "annie", "password": TEST_PASSWORD}
    return client.post(API_TOKEN_URL, json=body if code is None else {**body, "code": code})


def lock_by_api(app, key: str) -> None:
    client = app.test_client()
    for _ in range(ATTEMPTS):
        token_attempt(client, wrong(authenticator_code(key, steps_ahead=1)))


def test_wrong_and_replayed_codes_lock_the_account_for_passwords_too(locked_app):
    user, client, key = member_with_authenticator(locked_app)
    used = authenticator_code(key, steps_ahead=1)
    log_in_client(client, "annie")
    assert submit_code(client, used).request.path == "/"
    log_out(client)
    log_in_client(client, "annie")

    replayed = submit_code(client, used)
    pages = [submit_code(client, wrong(used)) for _ in range(ATTEMPTS - 1)]

    assert LOCKED_MESSAGE not in replayed.text
    assert "wrong or was used already" in replayed.text
    assert LOCKED_MESSAGE not in pages[0].text
    assert LOCKED_MESSAGE in pages[-1].text
    assert "wrong or was used already" not in pages[-1].text
    assert is_locked(locked_app, user)
    # The half-finished sign-in is over: the code step sends back to the login page.
    assert client.get("/tf-validate").status_code == 302
    assert not is_logged_in(client)
    # Both identities are locked, whichever was typed.
    for identity in ("annie", user.email):
        refused = password_login(locked_app.test_client(), identity)
        assert refused.status_code == 200
        assert LOCKED_MESSAGE in refused.text


def test_wrong_recovery_codes_count(locked_app):
    user, client, _ = member_with_authenticator(locked_app)
    log_in_client(client, "annie")

    pages = [submit_code(client, "0000-0000-0000", path="/mf-recovery") for _ in range(ATTEMPTS)]

    assert [LOCKED_MESSAGE in page.text for page in pages] == [False] * (ATTEMPTS - 1) + [True]
    assert is_locked(locked_app, user)
    assert client.get("/mf-recovery").status_code == 302
    assert LOCKED_MESSAGE in password_login(client, user.email).text


def test_wrong_api_codes_count(locked_app):
    user, client, key = member_with_authenticator(locked_app)
    code = authenticator_code(key, steps_ahead=1)

    answers = [token_attempt(client, wrong(code)) for _ in range(ATTEMPTS)]
    right = token_attempt(client, code)

    assert [answer.status_code for answer in answers] == [401] * (ATTEMPTS - 1) + [429]
    for answer in (answers[-1], right):
        assert answer.mimetype == "application/problem+json"
        assert answer.json["detail"] == LOCKED_MESSAGE
        assert 0 < int(answer.headers["Retry-After"]) <= 60
    assert right.status_code == 429
    assert LOCKED_MESSAGE in password_login(client, user.email).text
    # The right code was not looked at: it still works once the lock is lifted.
    with locked_app.test_request_context():
        lockout.clear_user(User.objects.get(id=user.id))
    assert token_attempt(client, code).status_code == 200


def test_a_missing_api_code_is_no_attempt(locked_app):
    user, client, _ = member_with_authenticator(locked_app)

    answers = [token_attempt(client) for _ in range(ATTEMPTS + 1)]

    assert {answer.status_code for answer in answers} == {401}
    assert not is_locked(locked_app, user)


def test_the_right_code_is_refused_while_locked(locked_app):
    user, _, key = member_with_authenticator(locked_app)
    code = authenticator_code(key, steps_ahead=1)
    by_page = at_code_step(locked_app, user)
    by_json = at_code_step(locked_app, user)
    lock_by_api(locked_app, key)

    page = submit_code(by_page, code)
    answer = by_json.post(
        "/tf-validate",
        json={"code": code},
        headers={"X-CSRFToken": csrf_token(by_json.get("/tf-validate").text)},
    )

    assert page.request.path == "/tf-validate"
    assert LOCKED_MESSAGE in page.text
    assert by_page.get("/tf-validate").status_code == 302
    assert not is_logged_in(by_page)
    assert answer.status_code == 429
    assert answer.mimetype == "application/problem+json"
    assert answer.json["detail"] == LOCKED_MESSAGE
    assert 0 < answer.json["retry_after"] <= 60
    assert int(answer.headers["Retry-After"]) > 0
    assert by_json.get("/tf-validate").status_code == 302
    assert not is_logged_in(by_json)


def test_a_recovery_code_is_refused_while_locked_and_kept(locked_app):
    user, client, key = member_with_authenticator(locked_app)
    log_in_client(client, "annie")
    assert submit_code(client, authenticator_code(key, steps_ahead=1)).request.path == "/"
    codes = re.findall(
        r'<code class="fs-5">([0-9a-f-]+)</code>',
        client.post(
            "/mf-recovery-codes",
            data={"csrf_token": csrf_token(client.get("/mf-recovery-codes").text)},
        ).text,
    )
    assert len(codes) == 8
    log_out(client)
    at_step = at_code_step(locked_app, user)
    lock_by_api(locked_app, key)

    page = submit_code(at_step, codes[0], path="/mf-recovery")

    assert LOCKED_MESSAGE in page.text
    assert not is_logged_in(at_step)
    assert len(User.objects.get(id=user.id).mf_recovery_codes) == len(codes)


def test_a_right_code_forgets_the_failures(locked_app):
    user, client, key = member_with_authenticator(locked_app)
    log_in_client(client, "annie")
    first = authenticator_code(key, steps_ahead=1)
    for _ in range(ATTEMPTS - 1):
        submit_code(client, wrong(first))
    assert submit_code(client, first).request.path == "/"
    log_out(client)

    api = locked_app.test_client()
    second = authenticator_code(key, steps_ahead=2)
    earlier = [token_attempt(api, wrong(second)) for _ in range(ATTEMPTS - 1)]
    right = token_attempt(api, second)
    later = [token_attempt(api, wrong(second)) for _ in range(ATTEMPTS - 1)]

    assert [answer.status_code for answer in earlier + later] == [401] * (2 * ATTEMPTS - 2)
    assert right.status_code == 200
    assert not is_locked(locked_app, user)


def test_codes_while_setting_up_at_login_do_not_count_but_the_lock_holds(make_app):
    app = make_app(
        LOCKOUT_MAX_ATTEMPTS=ATTEMPTS,
        LOCKOUT_WINDOW_SECONDS=60,
        LOCKOUT_SECONDS=60,
        TWO_FACTOR_REQUIRED_ROLES=["Admin"],
    )
    with app.app_context():
        admin = UserFactory.create(username="boss", admin=True)
    client = app.test_client()
    assert log_in_client(client, "boss").request.path == "/tf-setup"
    setup = start_authenticator_setup(client)
    right = authenticator_code(shown_key(setup))

    def send(code: str):
        return client.post(
            code_form_action(setup),
            data={"code": code, "csrf_token": csrf_token(setup)},
            follow_redirects=True,
        )

    slips = [send(wrong(right)) for _ in range(ATTEMPTS)]
    not_locked = not is_locked(app, admin)
    for _ in range(ATTEMPTS):  # someone guessing the password of the admin's email
        password_login_with(app.test_client(), admin.email, "not the password")
    refused = send(right)

    assert all("wrong or was used already" in page.text for page in slips)
    assert not_locked
    assert LOCKED_MESSAGE in refused.text
    assert not is_logged_in(client)
    assert User.objects.get(id=admin.id).tf_primary_method is None


def test_a_passkey_as_second_factor_is_refused_while_locked(make_app):
    app = make_app(
        EXTERNAL_URL=PASSKEY_SITE,
        LOCKOUT_MAX_ATTEMPTS=ATTEMPTS,
        LOCKOUT_WINDOW_SECONDS=60,
        LOCKOUT_SECONDS=60,
    )
    user = UserFactory(username="annie")
    client = app.test_client()
    log_in_client(client, user)
    key = SoftAuthenticator(verifies_user=False)
    register_passkey(client, key, "Security key", usage="secondary")
    log_out(client)
    assert log_in_client(client, "annie").request.path == "/wan-signin"
    for _ in range(ATTEMPTS):  # someone guessing the password of the email
        password_login_with(app.test_client(), user.email, "not the password")

    refused = sign_in_with_passkey(client, key)

    assert LOCKED_MESSAGE in refused.text
    assert not is_logged_in(client)
    assert "Your password was right" not in client.get("/wan-signin").text
    assert WebAuthn.objects.get(name="Security key").sign_count == 0
    with app.test_request_context():
        lockout.clear_user(User.objects.get(id=user.id))
    assert log_in_client(client, "annie").request.path == "/wan-signin"
    assert sign_in_with_passkey(client, key).request.path == "/"
    assert is_logged_in(client)


def test_second_factors_go_on_without_lockout_while_redis_is_down(make_app, tmp_path, caplog):
    redis_server = start_redis(
        tmp_path / "redis", log_path=tmp_path / "redis.log", port=free_port()
    )
    app = make_app(REDIS_URL=redis_server.url, LOCKOUT_MAX_ATTEMPTS=1)
    try:
        _, client, key = member_with_authenticator(app)
    finally:
        redis_server.stop()
    code = authenticator_code(key, steps_ahead=1)

    wrong_answer = token_attempt(client, wrong(code))
    right_answer = token_attempt(client, code)
    log_in_client(client, "annie")
    page = submit_code(client, authenticator_code(key, steps_ahead=2))

    assert wrong_answer.status_code == 401
    assert right_answer.status_code == 200
    assert page.request.path == "/"
    assert "failed login not counted: Redis unreachable" in caplog.text
    assert "lockout not checked: Redis unreachable" in caplog.text
