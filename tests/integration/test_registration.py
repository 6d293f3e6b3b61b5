"""Self-registration -> activation mail through signal + worker -> confirm -> log in."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app.accounts.models import PUBLIC_ROLE, User
from tests.factories import STRONG_PASSWORD, UserFactory
from tests.helpers import csrf_token, link_in, mails_to, register, wait_for_mail
from tests.logins import log_in_client

pytestmark = pytest.mark.usefixtures("worker")


def test_register_activate_log_in_and_be_greeted(app, client, settings):
    response = register(client)

    assert response.status_code in (200, 302)
    user = User.objects.get(email="bob@example.org")
    assert user.username == "bobby"
    assert user.confirmed_at is None
    assert [role.name for role in user.roles] == [PUBLIC_ROLE]

    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "bob@example.org")
    assert "Bob" in mail.text or "bob" in mail.text
    link = link_in(mail.text, "/confirm/")
    assert mail.html
    assert "/confirm/" in mail.html

    page = client.get(link.split("localhost", 1)[-1], follow_redirects=True)
    assert "Thank you" in page.text or "confirmed" in page.text
    assert User.objects.get(email="bob@example.org").confirmed_at is not None

    welcome = log_in_client(client, "BOB@example.ORG", STRONG_PASSWORD)
    assert "Welcome, Bob" in welcome.text


def test_login_by_username_in_any_case(app, client):
    UserFactory(
        username="carla", email="carla@example.org", first_name="Carla", password=STRONG_PASSWORD
    )

    assert "Welcome, Carla" in log_in_client(client, "CARLA", STRONG_PASSWORD).text


def test_unconfirmed_user_cannot_log_in(app, client):
    register(client)

    page = log_in_client(client, "bob@example.org", STRONG_PASSWORD, check=False)

    assert "Welcome" not in page.text
    assert "confirm" in page.text.lower()


def test_duplicate_email_in_any_case_makes_no_second_account(app, client, settings):
    register(client)
    wait_for_mail(settings["INSTANCE_PATH"], "bob@example.org")

    second = register(client, username="robert", email="BOB@example.org")

    assert second.status_code in (200, 302)  # the same answer as a success: no enumeration
    assert User.objects(email="bob@example.org").count() == 1
    assert User.objects(username="robert").count() == 0
    wait_for_mail(settings["INSTANCE_PATH"], "bob@example.org", count=2)


def test_duplicate_username_in_any_case_makes_no_second_account(app, client):
    register(client)

    register(client, username="BOBBY", email="other@example.org")

    assert User.objects(username="bobby").count() == 1
    assert User.objects(email="other@example.org").count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short", "password_confirm": "short"}, "Password must be at least"),
        (
            {"password": "password123", "password_confirm": "password123"},
            "This is a very common password.",
        ),
        ({"password_confirm": "something-else-entirely"}, "Passwords do not match"),
        ({"email": "not-an-address"}, "Invalid email address"),
        ({"first_name": ""}, "Please enter your first name."),
        ({"last_name": None}, "Please enter your last name."),
        ({"username": "a"}, "Username must be at least"),
    ],
)
def test_bad_registration_input_is_refused_with_the_reason(app, client, overrides, message):
    response = register(client, **overrides)

    assert response.status_code == 200
    assert message in response.text
    assert User.objects.count() == 0


def test_registration_without_csrf_token_is_refused(app, client):
    response = register(client, csrf_token="")

    assert "CSRF" in response.text
    assert User.objects.count() == 0


def test_registration_can_be_switched_off(make_app):
    closed = make_app(SECURITY_REGISTERABLE=False)

    assert closed.test_client().get("/register").status_code == 404


def test_reused_confirmation_link_says_already_confirmed(app, client, settings):
    register(client)
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "bob@example.org")
    path = "/confirm/" + link_in(mail.text, "/confirm/").split("/confirm/", 1)[1]
    client.get(path)

    again = client.get(path, follow_redirects=True)

    assert "already been confirmed" in again.text


def test_tampered_confirmation_link_is_refused_with_a_way_to_resend(app, client, settings):
    register(client)
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "bob@example.org")
    path = "/confirm/" + link_in(mail.text, "/confirm/").split("/confirm/", 1)[1]

    page = client.get(path[:-4] + "AAAA", follow_redirects=True)

    assert "Invalid confirmation token" in page.text
    assert 'action="/confirm"' in page.text  # the resend form
    assert User.objects.get(email="bob@example.org").confirmed_at is None


def test_expired_confirmation_link_offers_a_new_one(make_app, settings):
    client = make_app(SECURITY_CONFIRM_EMAIL_WITHIN=timedelta(seconds=1)).test_client()
    instance = settings["INSTANCE_PATH"]
    register(client)
    [mail] = wait_for_mail(instance, "bob@example.org")
    path = "/confirm/" + link_in(mail.text, "/confirm/").split("/confirm/", 1)[1]
    time.sleep(2.1)
    page = client.get(path, follow_redirects=True)

    assert "did not confirm your email within" in page.text
    assert User.objects.get(email="bob@example.org").confirmed_at is None
    client.post("/confirm", data={"email": "bob@example.org", "csrf_token": csrf_token(page.text)})
    assert len(wait_for_mail(instance, "bob@example.org", count=2)) == 2


def test_resend_confirmation_answers_the_same_for_unknown_addresses(app, client, settings):
    register(client)
    wait_for_mail(settings["INSTANCE_PATH"], "bob@example.org")
    token = csrf_token(client.get("/confirm").text)

    known = client.post("/confirm", data={"email": "bob@example.org", "csrf_token": token})
    unknown = client.post("/confirm", data={"email": "nobody@example.org", "csrf_token": token})

    assert known.status_code == unknown.status_code
    wait_for_mail(settings["INSTANCE_PATH"], "bob@example.org", count=2)
    assert mails_to(settings["INSTANCE_PATH"], "nobody@example.org") == []


def test_a_duplicate_registered_at_the_same_moment_is_a_clear_409(app, client, monkeypatch):
    datastore_class = type(app.extensions["security"].datastore)
    original = datastore_class.create_user

    def create_after_a_rival(self, **fields):
        original(self, **{**fields, "email": "rival@example.org"})  # same username, first
        return original(self, **fields)

    monkeypatch.setattr(datastore_class, "create_user", create_after_a_rival)

    response = register(client)

    assert response.status_code == 409
    assert "just taken by someone else" in response.text
    assert User.objects(username="bobby").count() == 1
