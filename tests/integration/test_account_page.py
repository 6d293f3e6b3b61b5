"""My account (/account): names, email address, username, password, sign out everywhere."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app.accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token, link_in, mails_to, wait_for_mail
from tests.logins import bearer, log_in_api, log_in_client


def _path(link: str) -> str:
    """The path and query of a link in a mail, for the test client."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _ask_for_new_email(client, email: str):
    form = client.get("/change-email")
    assert form.status_code == 200, form.text
    return client.post("/change-email", data={"email": email, "csrf_token": csrf_token(form.text)})


def test_the_user_menu_leads_to_the_account_page_with_every_section(app, client):
    UserFactory(username="ann", email="ann@example.org", first_name="Ann", last_name="Lee")
    home = log_in_client(client, "ann@example.org")

    assert 'href="/account"' in home.text
    page = client.get("/account")

    assert page.status_code == 200
    for heading in ("Name", "Email address", "Username", "Password", "Sessions and API tokens"):
        assert f">{heading}</h2>" in page.text
    assert 'value="Ann"' in page.text
    assert 'value="Lee"' in page.text
    assert "ann@example.org" in page.text
    assert 'href="/change-email"' in page.text
    assert 'href="/change-username"' in page.text
    assert 'href="/change"' in page.text


def test_the_account_page_needs_a_login(app, client):
    response = client.get("/account")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_names_are_changed_by_the_registration_rules(app, client):
    UserFactory(email="ann@example.org", first_name="Ann", last_name="Lee")
    page = log_in_client(client, "ann@example.org")

    saved = client.post(
        "/account/names",
        data={"first_name": "  Anna ", "last_name": "Leigh", "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )

    assert "Your name was saved." in saved.text
    user = User.objects.get(email="ann@example.org")
    assert (user.first_name, user.last_name) == ("Anna", "Leigh")


@pytest.mark.parametrize(
    ("first_name", "last_name", "message"),
    [
        ("", "Leigh", "must not be empty"),
        ("Anna", "   ", "must not be empty"),
        ("A" * 81, "Leigh", "must be at most 80 characters"),
    ],
)
def test_bad_names_are_refused_and_nothing_changes(app, client, first_name, last_name, message):
    UserFactory(email="ann@example.org", first_name="Ann", last_name="Lee")
    page = log_in_client(client, "ann@example.org")

    form = {"first_name": first_name, "last_name": last_name, "csrf_token": csrf_token(page.text)}
    refused = client.post("/account/names", data=form)

    assert refused.status_code == 422
    assert message in refused.text
    user = User.objects.get(email="ann@example.org")
    assert (user.first_name, user.last_name) == ("Ann", "Lee")


def test_names_without_the_csrf_token_are_refused(app, client):
    UserFactory(email="ann@example.org", first_name="Ann", last_name="Lee")
    log_in_client(client, "ann@example.org")

    refused = client.post("/account/names", data={"first_name": "Eve", "last_name": "Lee"})

    assert refused.status_code == 400
    assert User.objects.get(email="ann@example.org").first_name == "Ann"


@pytest.mark.usefixtures("worker")
def test_a_new_email_takes_over_once_confirmed_and_the_old_one_is_told(app, client, settings):
    UserFactory(username="ann", email="ann@example.org", first_name="Ann")
    log_in_client(client, "ann@example.org")
    instance = settings["INSTANCE_PATH"]

    asked = _ask_for_new_email(client, "Ann.New@Example.ORG")

    assert asked.status_code in (200, 302)
    [mail] = wait_for_mail(instance, "ann.new@example.org")
    link = link_in(mail.text, "/change-email/")
    # Until the link is followed, the old address is the account's.
    assert User.objects.get(username="ann").email == "ann@example.org"
    assert log_in_client(app.test_client(), "ann@example.org").status_code == 200

    confirmed = client.get(_path(link), follow_redirects=True)

    assert confirmed.request.path == "/account"
    assert "ann.new@example.org" in confirmed.text
    user = User.objects.get(username="ann")
    assert user.email == "ann.new@example.org"
    [notice] = wait_for_mail(instance, "ann@example.org")
    assert "ann.new@example.org" in notice.text
    assert "was changed" in notice.subject
    assert log_in_client(app.test_client(), "ANN.NEW@example.org").status_code == 200
    refused = log_in_client(app.test_client(), "ann@example.org", check=False)
    assert not refused.history


@pytest.mark.usefixtures("worker")
def test_an_email_taken_by_another_account_is_refused_saying_so(app, client, settings):
    UserFactory(username="ann", email="ann@example.org")
    UserFactory(username="bob", email="bob@example.org")
    log_in_client(client, "ann@example.org")

    refused = _ask_for_new_email(client, "BOB@example.org")

    assert refused.status_code == 200
    assert "bob@example.org is already associated with an account" in refused.text
    assert User.objects.get(username="ann").email == "ann@example.org"
    time.sleep(1)  # the worker would have delivered a mail by now
    assert mails_to(settings["INSTANCE_PATH"], "bob@example.org") == []


def test_an_invalid_email_is_refused_saying_so(app, client):
    UserFactory(username="ann", email="ann@example.org")
    log_in_client(client, "ann@example.org")

    refused = _ask_for_new_email(client, "not an address")

    assert "Invalid email address" in refused.text or "valid email" in refused.text
    assert User.objects.get(username="ann").email == "ann@example.org"


@pytest.mark.usefixtures("worker")
def test_a_change_email_link_works_once(app, client, settings):
    UserFactory(username="ann", email="ann@example.org")
    log_in_client(client, "ann@example.org")
    _ask_for_new_email(client, "ann2@example.org")
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "ann2@example.org")
    path = _path(link_in(mail.text, "/change-email/"))
    client.get(path)

    again = client.get(path, follow_redirects=True)

    assert again.status_code == 400
    assert "This link cannot change your email address" in again.text
    assert "works once" in again.text
    assert "Input not appropriate" not in again.text
    assert User.objects.get(username="ann").email == "ann2@example.org"


@pytest.mark.usefixtures("worker")
def test_a_link_to_an_address_taken_meanwhile_changes_nothing(app, client, settings):
    UserFactory(username="ann", email="ann@example.org")
    log_in_client(client, "ann@example.org")
    _ask_for_new_email(client, "shared@example.org")
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "shared@example.org")
    UserFactory(username="bob", email="shared@example.org")

    page = client.get(_path(link_in(mail.text, "/change-email/")), follow_redirects=True)

    assert page.status_code == 400
    assert "belongs to no other account" in page.text
    assert User.objects.get(username="ann").email == "ann@example.org"


@pytest.mark.usefixtures("worker")
def test_an_expired_change_email_link_says_so(make_app, settings):
    app = make_app(SECURITY_CHANGE_EMAIL_WITHIN=timedelta(seconds=1))
    client = app.test_client()
    with app.app_context():
        UserFactory(username="ann", email="ann@example.org")
    log_in_client(client, "ann@example.org")
    _ask_for_new_email(client, "ann2@example.org")
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "ann2@example.org")
    time.sleep(2.1)

    page = client.get(_path(link_in(mail.text, "/change-email/")), follow_redirects=True)

    assert page.status_code == 400
    assert "Confirmation must be completed within 1 second" in page.text
    with app.app_context():
        assert User.objects.get(username="ann").email == "ann@example.org"


def _change_username(client, username: str):
    form = client.get("/change-username")
    assert form.status_code == 200, form.text
    return client.post(
        "/change-username",
        data={"username": username, "csrf_token": csrf_token(form.text)},
        follow_redirects=True,
    )


def test_a_username_is_changed_and_stored_in_lower_case(app, client):
    UserFactory(username="ann", email="ann@example.org")
    log_in_client(client, "ann@example.org")

    page = _change_username(client, "Annie")

    assert page.request.path == "/account"
    assert "You successfully changed your username" in page.text
    assert User.objects.get(email="ann@example.org").username == "annie"
    assert log_in_client(app.test_client(), "ANNIE").status_code == 200


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("BOB", "bob is already associated with an account"),
        ("a b", "Username can contain only letters and numbers"),
        ("x", "Username must be at least"),
        ("", "Username not provided"),
    ],
)
def test_a_bad_username_is_refused_saying_why(app, client, username, message):
    UserFactory(username="ann", email="ann@example.org")
    UserFactory(username="bob", email="bob@example.org")
    log_in_client(client, "ann@example.org")

    page = _change_username(client, username)

    assert page.request.path == "/change-username"
    assert message in page.text
    assert User.objects.get(email="ann@example.org").username == "ann"


def test_a_stale_login_is_asked_for_the_password_before_changing_the_email(app, client):
    UserFactory(username="ann", email="ann@example.org")
    log_in_client(client, "ann@example.org")
    with client.session_transaction() as session:
        session["fs_paa"] = time.time() - 2 * 3600
        session.pop("fs_gexp", None)

    asked = client.get("/change-email")

    assert asked.status_code == 302
    assert "/verify" in asked.headers["Location"]
    page = client.get(asked.headers["Location"])
    assert "Confirm it is you" in page.text
    verified = client.post(
        asked.headers["Location"],
        data={"password": TEST_PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert verified.headers["Location"].endswith("/change-email")
    assert client.get("/change-email").status_code == 200


def test_sign_out_everywhere_ends_sessions_and_api_tokens(app, client):
    UserFactory(username="ann", email="ann@example.org")
    page = log_in_client(client, "ann@example.org")
    api = app.test_client()
    token = log_in_api(api, "ann@example.org")
    elsewhere = app.test_client()
    log_in_client(elsewhere, "ann@example.org")
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200

    signed_out = client.post(
        "/account/sign-out-everywhere",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )

    assert signed_out.request.path == "/login"
    assert "You were signed out everywhere" in signed_out.text
    assert client.get("/account").status_code == 302
    assert elsewhere.get("/account").status_code == 302
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_sign_out_everywhere_needs_the_csrf_token(app, client):
    UserFactory(username="ann", email="ann@example.org")
    log_in_client(client, "ann@example.org")
    before = User.objects.get(username="ann").fs_uniquifier

    refused = client.post("/account/sign-out-everywhere")

    assert refused.status_code == 400
    assert User.objects.get(username="ann").fs_uniquifier == before
    assert client.get("/account").status_code == 200
