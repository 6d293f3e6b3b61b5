"""Two-factor sign-in with an authenticator app, through the pages: setting it up,
logging in with a code, and the codes that must be refused."""

from __future__ import annotations

import re
from html import unescape

import pytest

from app.accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client
from tests.oidc_provider import authorize, provider_settings, running_provider, set_claims
from tests.two_factor import (
    authenticator_code,
    code_form_action,
    enrol_authenticator,
    shown_key,
    start_authenticator_setup,
    submit_code,
)

REFUSED = "That code is wrong or was used already"


def is_logged_in(client) -> bool:
    return client.get("/songs").status_code == 200


def log_out(client) -> None:
    token = csrf_token(client.get("/").text)
    client.post("/logout", data={"csrf_token": token})


def test_the_setup_page_shows_a_qr_code_made_here_and_the_key_as_text(client):
    user = UserFactory.create()
    log_in_client(client, user)

    page = start_authenticator_setup(client)

    assert re.search(r'<img[^>]+id="qrcode"[^>]+src="data:image/svg\+xml;base64,', page)
    key = shown_key(page)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4})+", key)
    assert User.objects.get(id=user.id).tf_primary_method is None  # not before a code


def test_setting_up_stores_the_secret_encrypted_and_asks_for_a_code_at_login(client):
    user = UserFactory.create()
    log_in_client(client, user)

    key = enrol_authenticator(client)

    stored = User.objects.get(id=user.id)
    assert stored.tf_primary_method == "authenticator"
    assert key.replace("-", "") not in stored.tf_totp_secret
    assert '"enckey"' in stored.tf_totp_secret
    log_out(client)

    page = log_in_client(client, user)
    assert page.request.path == "/tf-validate"
    assert "Enter your code" in page.text
    assert not is_logged_in(client)

    done = submit_code(client, authenticator_code(key, steps_ahead=1))
    assert done.request.path == "/"
    assert is_logged_in(client)


def test_a_wrong_code_is_refused_and_logs_nobody_in(client):
    user = UserFactory.create()
    log_in_client(client, user)
    key = enrol_authenticator(client)
    log_out(client)
    log_in_client(client, user)

    right = authenticator_code(key, steps_ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = submit_code(client, wrong)

    assert page.request.path == "/tf-validate"
    assert REFUSED in page.text
    assert not is_logged_in(client)


def test_a_code_is_good_once(client):
    user = UserFactory.create()
    log_in_client(client, user)
    key = enrol_authenticator(client)
    code = authenticator_code(key, steps_ahead=1)
    log_out(client)
    log_in_client(client, user)
    assert is_logged_in(client) is False
    submit_code(client, code)
    assert is_logged_in(client)
    log_out(client)

    log_in_client(client, user)
    replayed = submit_code(client, code)

    assert REFUSED in replayed.text
    assert not is_logged_in(client)
    assert submit_code(client, authenticator_code(key, steps_ahead=2)).request.path == "/"
    assert is_logged_in(client)


def test_a_wrong_first_code_leaves_the_authenticator_off(client):
    user = UserFactory.create()
    log_in_client(client, user)
    page = start_authenticator_setup(client)
    right = authenticator_code(shown_key(page))

    answer = client.post(
        code_form_action(page),
        data={"code": f"{(int(right) + 1) % 1_000_000:06d}", "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )

    assert REFUSED in answer.text
    assert User.objects.get(id=user.id).tf_primary_method is None


def test_turning_it_off_lets_the_password_alone_log_in_again(client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)

    token = csrf_token(client.get("/tf-setup").text)
    client.post("/tf-setup", data={"setup": "disable", "csrf_token": token})

    assert User.objects.get(id=user.id).tf_primary_method is None
    log_out(client)
    assert log_in_client(client, user).request.path == "/"


@pytest.fixture
def required_for_admins(make_app):
    return make_app(TWO_FACTOR_REQUIRED_ROLES=["Admin"])


def test_an_admin_without_a_second_factor_sets_one_up_before_reaching_anything(
    required_for_admins,
):
    client = required_for_admins.test_client()
    with required_for_admins.app_context():
        admin = UserFactory.create(admin=True)
        member = UserFactory.create()

    page = log_in_client(client, admin)
    assert page.request.path == "/tf-setup"
    assert "Your account must sign in with a second factor" in page.text
    assert "disable" not in page.text
    assert client.get("/admin/").status_code == 302  # not logged in yet
    assert not is_logged_in(client)

    setup = start_authenticator_setup(client)
    done = client.post(
        code_form_action(setup),
        data={"code": authenticator_code(shown_key(setup)), "csrf_token": csrf_token(setup)},
        follow_redirects=True,
    )

    assert done.request.path == "/"
    assert client.get("/admin/").status_code == 200
    with required_for_admins.app_context():
        assert User.objects.get(id=admin.id).tf_primary_method == "authenticator"
        log_out(client)
        assert log_in_client(client, member).request.path == "/"  # members are not asked


def test_an_admin_cannot_turn_a_required_second_factor_off(required_for_admins):
    client = required_for_admins.test_client()
    with required_for_admins.app_context():
        admin = UserFactory.create(admin=True)
    log_in_client(client, admin)
    setup = start_authenticator_setup(client)
    client.post(
        code_form_action(setup),
        data={"code": authenticator_code(shown_key(setup)), "csrf_token": csrf_token(setup)},
    )

    token = csrf_token(client.get("/tf-setup").text)
    refused = client.post("/tf-setup", data={"setup": "disable", "csrf_token": token})

    assert "Marked method is not valid" in refused.text
    with required_for_admins.app_context():
        assert User.objects.get(id=admin.id).tf_primary_method == "authenticator"


def test_codes_are_rate_limited_apart_from_the_password(make_app):
    client = make_app(LOGIN_RATE_LIMIT="3 per minute").test_client()
    user = UserFactory.create()
    log_in_client(client, user)
    key = enrol_authenticator(client)
    log_out(client)
    log_in_client(client, user)  # the password: counted apart

    right = authenticator_code(key, steps_ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    tries = [submit_code(client, wrong).status_code for _ in range(3)]
    blocked = submit_code(client, right)

    assert tries == [200, 200, 200]
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert not is_logged_in(client)


def request_token(client, user, **extra):
    body = {"identity": user.email, "password": TEST_PASSWORD, **extra}
    return client.post("/api/v1/auth/token", json=body)


def test_an_api_token_needs_the_authenticator_code_once(client):
    user = UserFactory.create()
    log_in_client(client, user)
    key = enrol_authenticator(client)
    api = client.application.test_client()
    code = authenticator_code(key, steps_ahead=1)

    without = request_token(api, user)
    wrong = request_token(api, user, code=f"{(int(code) + 1) % 1_000_000:06d}")
    right = request_token(api, user, code=code)
    replayed = request_token(api, user, code=code)

    assert without.status_code == 401
    assert "send its authenticator app's code as `code`" in without.json["detail"]
    assert wrong.status_code == 401
    assert "wrong or was used already" in wrong.json["detail"]
    assert right.status_code == 200
    assert right.json["token"]
    assert replayed.status_code == 401


def test_no_api_token_for_an_admin_who_must_set_up_a_second_factor(required_for_admins):
    with required_for_admins.app_context():
        admin = UserFactory.create(admin=True)
        member = UserFactory.create()
    api = required_for_admins.test_client()

    refused = request_token(api, admin, code="123456")

    assert refused.status_code == 401
    assert "set up an authenticator app" in refused.json["detail"]
    assert request_token(api, member).status_code == 200


@pytest.fixture(scope="module")
def issuer():
    with running_provider() as url:
        yield url


def test_signing_in_with_a_provider_still_asks_for_the_code(make_app, issuer):
    client = make_app(**provider_settings(issuer)).test_client()
    user = UserFactory.create(email="ann@example.org")
    log_in_client(client, user)
    key = enrol_authenticator(client)
    log_out(client)

    set_claims(issuer, "ann-at-sso", email="ann@example.org", email_verified=True)
    login_page = client.get("/login").text
    form = login_page[login_page.index('<form action="/login/oauthstart/oidc') :]
    start = client.post(
        unescape(form.split('action="', 1)[1].split('"', 1)[0]),
        data={"csrf_token": form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]},
    )
    page = client.get(authorize(start.headers["Location"], "ann-at-sso"), follow_redirects=True)

    assert page.request.path == "/tf-validate"
    assert not is_logged_in(client)
    assert submit_code(client, authenticator_code(key, steps_ahead=1)).request.path == "/"
    assert is_logged_in(client)
