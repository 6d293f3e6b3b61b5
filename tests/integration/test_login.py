"""Logging in and out, protection of views, cookies, rate limits, password reset."""

from __future__ import annotations

import pytest
from flask_security import verify_password

from tests.factories import STRONG_PASSWORD, TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token, link_in, wait_for_mail
from tests.logins import log_in_client


def test_wrong_password_gives_the_same_answer_as_an_unknown_user(app, client):
    UserFactory(email="ann@example.org")

    wrong = log_in_client(client, "ann@example.org", "not-her-password", check=False)
    unknown = log_in_client(client, "nobody@example.org", "not-her-password", check=False)

    assert "Welcome" not in wrong.text
    assert "identity or password/passcode invalid" in wrong.text
    assert "identity or password/passcode invalid" in unknown.text


def test_login_without_csrf_token_is_refused(app, client):
    UserFactory(email="ann@example.org")

    response = client.post("/login", data={"email": "ann@example.org", "password": TEST_PASSWORD})

    assert "CSRF" in response.text
    assert "Welcome" not in client.get("/").text


def test_deactivated_user_cannot_log_in(app, client):
    UserFactory(email="ann@example.org", inactive=True)

    page = log_in_client(client, "ann@example.org", check=False)

    assert page.request.path == "/login"
    assert "identity or password/passcode invalid" in page.text
    assert "Welcome" not in page.text


def test_anonymous_page_request_is_sent_to_login(client):
    response = client.post("/notifications/read-all")

    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


def test_anonymous_json_request_gets_401(client):
    response = client.post("/notifications/read-all", headers={"Accept": "application/json"})

    assert response.status_code == 401


def test_logout_is_a_csrf_protected_post(app, client):
    UserFactory(email="ann@example.org", first_name="Ann")
    assert "Welcome, Ann" in log_in_client(client, "ann@example.org", TEST_PASSWORD).text

    assert client.get("/logout").status_code == 405
    client.post("/logout", data={})
    assert "Welcome, " in client.get("/").text  # no token: still logged in

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    assert "Welcome" not in client.get("/").text


def test_logout_by_json_needs_the_csrf_header(app, client):
    UserFactory(email="ann@example.org", first_name="Ann")
    log_in_client(client, "ann@example.org", TEST_PASSWORD)
    token = csrf_token(client.get("/").text)

    refused = client.post("/logout", json={})
    assert refused.status_code == 400
    assert "Welcome, " in client.get("/").text

    accepted = client.post("/logout", json={}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200
    assert "Welcome" not in client.get("/").text


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    UserFactory(email="ann@example.org")
    token = csrf_token(client.get("/login").text)

    response = client.post(
        "/login",
        data={"email": "ann@example.org", "password": TEST_PASSWORD, "csrf_token": token},
    )

    cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_is_rate_limited_with_retry_after(make_app, app):
    client = make_app(LOGIN_RATE_LIMIT="3 per minute").test_client()
    UserFactory(email="ann@example.org")

    statuses = [
        log_in_client(client, "ann@example.org", "wrong-password", check=False).status_code
        for _ in range(3)
    ]
    token = csrf_token(client.get("/login").text)
    blocked = client.post(
        "/login", data={"email": "ann@example.org", "password": TEST_PASSWORD, "csrf_token": token}
    )

    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too Many Requests" in blocked.text


def test_registration_is_rate_limited(make_app):
    client = make_app(REGISTER_RATE_LIMIT="2 per minute").test_client()
    token = csrf_token(client.get("/register").text)

    statuses = [client.post("/register", data={"csrf_token": token}).status_code for _ in range(3)]

    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429


@pytest.mark.parametrize("path", ["/register", "/reset", "/confirm"])
def test_register_reset_and_resend_are_each_rate_limited(make_app, path):
    client = make_app(REGISTER_RATE_LIMIT="2 per minute").test_client()
    token = csrf_token(client.get(path).text)

    statuses = [client.post(path, data={"csrf_token": token}).status_code for _ in range(3)]
    other = "/reset" if path != "/reset" else "/register"

    assert statuses == [200, 200, 429]
    assert client.post(other, data={"csrf_token": token}).status_code == 200


def test_the_login_limit_counts_only_login_posts(make_app):
    client = make_app(LOGIN_RATE_LIMIT="1 per minute").test_client()
    token = csrf_token(client.get("/login").text)

    pages = [client.get("/login").status_code for _ in range(3)]
    registrations = [
        client.post("/register", data={"csrf_token": token}).status_code for _ in range(3)
    ]
    logins = [
        client.post("/login", data={"email": "x@example.org", "csrf_token": token}).status_code
        for _ in range(2)
    ]

    assert pages == [200, 200, 200]
    assert registrations == [200, 200, 200]
    assert logins == [200, 429]


@pytest.mark.usefixtures("worker")
def test_forgot_password_mail_resets_the_password(app, client, settings):
    UserFactory(email="ann@example.org", first_name="Ann")
    token = csrf_token(client.get("/reset").text)
    client.post("/reset", data={"email": "ANN@example.org", "csrf_token": token})

    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "ann@example.org")
    path = "/reset/" + link_in(mail.text, "/reset/").split("/reset/", 1)[1]
    form = client.get(path).text
    client.post(
        path,
        data={
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD,
            "csrf_token": csrf_token(form),
        },
    )
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})

    assert "Welcome" not in log_in_client(client, "ann@example.org", check=False).text
    assert "Welcome, Ann" in log_in_client(client, "ann@example.org", STRONG_PASSWORD).text


@pytest.mark.usefixtures("worker")
def test_forgot_password_answers_the_same_for_unknown_addresses(app, client, settings):
    token = csrf_token(client.get("/reset").text)

    response = client.post("/reset", data={"email": "nobody@example.org", "csrf_token": token})

    assert response.status_code in (200, 302)
    assert "not exist" not in response.text.lower()


def test_change_password_requires_the_current_one(app, client):
    UserFactory(email="ann@example.org", first_name="Ann")
    log_in_client(client, "ann@example.org", TEST_PASSWORD)
    form = client.get("/change").text

    wrong = client.post(
        "/change",
        data={
            "password": "not-the-password",
            "new_password": STRONG_PASSWORD,
            "new_password_confirm": STRONG_PASSWORD,
            "csrf_token": csrf_token(form),
        },
    )
    assert "Invalid password" in wrong.text

    client.post(
        "/change",
        data={
            "password": TEST_PASSWORD,
            "new_password": STRONG_PASSWORD,
            "new_password_confirm": STRONG_PASSWORD,
            "csrf_token": csrf_token(form),
        },
    )
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    assert "Welcome back, Ann" in log_in_client(client, "ann@example.org", STRONG_PASSWORD).text


def test_a_password_hashed_with_other_costs_is_rehashed_with_the_configured_ones_at_login(
    make_app,
):
    user = UserFactory(email="ann@example.org")  # hashed at the tests' costs
    assert user.password.startswith("$argon2id$v=19$m=64,t=1,")
    stronger = make_app(PASSWORD_HASH_MEMORY_KIB=128, PASSWORD_HASH_ROUNDS=2)

    log_in_client(stronger.test_client(), "ann@example.org")

    user.reload()
    assert user.password.startswith("$argon2id$v=19$m=128,t=2,")
    with stronger.app_context():
        assert verify_password(TEST_PASSWORD, user.password)
