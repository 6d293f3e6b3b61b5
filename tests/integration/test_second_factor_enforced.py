"""A member of TWO_FACTOR_REQUIRED_ROLES signed in without a second factor (a session,
remembered login or API token from before the role required one) sets one up before
anything else: pages lead to /tf-setup, the API answers 403."""

from __future__ import annotations

import pytest

from app.accounts.two_factor import SETUP_ENDPOINTS, SETUP_NEEDED
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token
from tests.logins import bearer, log_in_api, log_in_client
from tests.two_factor import enrol_authenticator


@pytest.fixture
def required_for_admins(make_app):
    """The same site once the Admin role requires a second factor."""
    return make_app(TWO_FACTOR_REQUIRED_ROLES=["Admin"])


def carried_over(client, app, name: str = "session"):
    """A client of ``app`` holding ``client``'s cookie ``name``, as a browser keeps it
    across a restart of the site with new settings."""
    host = app.config["SERVER_NAME"].split(":")[0]
    cookie = client.get_cookie(name, domain=host)
    assert cookie is not None, f"no {name} cookie"
    later = app.test_client()
    later.set_cookie(name, cookie.value, domain=host)
    return later


def test_an_admin_signed_in_before_the_requirement_is_sent_to_set_one_up(
    client, required_for_admins
):
    admin = UserFactory(admin=True)
    log_in_client(client, admin)
    assert client.get("/admin/").status_code == 200
    later = carried_over(client, required_for_admins)

    for path in ("/admin/", "/admin/users", "/", "/account"):
        answer = later.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].endswith("/tf-setup"), path
    setup = later.get("/tf-setup")
    assert setup.status_code == 200
    assert SETUP_NEEDED in setup.text.replace("&#39;", "'")
    with later.get("/static/css/encore.css") as style:
        assert style.status_code == 200

    enrol_authenticator(later)

    assert later.get("/admin/").status_code == 200
    assert later.get("/").status_code == 200


def test_the_api_answers_403_to_such_an_admin(client, required_for_admins):
    admin = UserFactory(admin=True)
    token = log_in_api(client, admin)
    log_in_client(client, admin)
    later = required_for_admins.test_client()

    by_token = later.get("/api/v1/users", headers=bearer(token))
    by_session = carried_over(client, required_for_admins).get(
        "/api/v1/me", headers={"Accept": "application/json"}
    )

    for answer in (by_token, by_session):
        assert answer.status_code == 403
        assert answer.mimetype == "application/problem+json"
        assert answer.get_json()["title"] == "Second factor required"
        assert answer.get_json()["detail"] == SETUP_NEEDED
    assert later.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert later.get("/api/v1/users", headers=bearer(token)).status_code == 401  # revoked


def test_a_remembered_admin_confirms_the_password_then_sets_one_up(client, required_for_admins):
    admin = UserFactory(admin=True)
    token = csrf_token(client.get("/login").text)
    client.post(
        "/login",
        data={
            "email": admin.email,
            "password": TEST_PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
    )
    later = carried_over(client, required_for_admins, "remember_token")

    sent = later.get("/admin/")
    assert sent.headers["Location"].endswith("/tf-setup")
    asked = later.get("/tf-setup")
    assert asked.status_code == 302
    assert "/verify" in asked.headers["Location"]
    page = later.get(asked.headers["Location"])
    wrong = later.post(
        asked.headers["Location"], data={"password": "not it", "csrf_token": csrf_token(page.text)}
    )
    assert wrong.status_code == 200
    assert "Invalid password" in wrong.text
    confirmed = later.post(
        asked.headers["Location"],
        data={"password": TEST_PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert confirmed.headers["Location"].endswith("/tf-setup")

    enrol_authenticator(later)

    assert later.get("/admin/").status_code == 200


def test_logging_out_is_left_open(client, required_for_admins):
    admin = UserFactory(admin=True)
    log_in_client(client, admin)
    later = carried_over(client, required_for_admins)
    token = csrf_token(later.get("/tf-setup").text)

    out = later.post("/logout", data={"csrf_token": token})

    assert out.status_code == 302
    assert "/tf-setup" not in out.headers["Location"]
    assert later.get("/").status_code == 200  # anonymous now
    assert later.get("/admin/").headers["Location"].split("?")[0].endswith("/login")


def test_members_and_admins_with_a_second_factor_are_let_through(client, required_for_admins):
    member = UserFactory()
    admin = UserFactory(admin=True)
    log_in_client(client, admin)
    enrol_authenticator(client)
    admin_later = carried_over(client, required_for_admins)
    member_client = required_for_admins.test_client()
    log_in_client(member_client, member)

    assert admin_later.get("/admin/").status_code == 200
    assert member_client.get("/account").status_code == 200


def test_every_page_left_open_exists(required_for_admins):
    """A renamed view would silently fall under the check; its name must be updated."""
    assert SETUP_ENDPOINTS - set(required_for_admins.view_functions) == set()
