"""Passkeys through the pages, with a software authenticator: adding, naming and
deleting them, signing in with one alone or as the second factor, and the passkeys that
must be refused."""

from __future__ import annotations

import pytest

from app.accounts.models import LoginRecord, User, WebAuthn
from app.accounts.services import delete_user
from tests.factories import UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client
from tests.passkeys import (
    PASSKEY_SITE,
    SoftAuthenticator,
    register_passkey,
    sign_in_with_passkey,
)
from tests.two_factor import enrol_authenticator


@pytest.fixture
def site(make_app):
    """The app as served at localhost, where passkeys belong."""
    return make_app(EXTERNAL_URL=PASSKEY_SITE)


@pytest.fixture
def client(site):
    return site.test_client()


def is_logged_in(client) -> bool:
    return client.get("/songs").status_code == 200


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})


def test_several_passkeys_are_added_listed_by_name_and_deleted(client):
    user = UserFactory.create()
    log_in_client(client, user)
    phone = SoftAuthenticator()

    register_passkey(client, phone, "My phone")
    page = register_passkey(client, phone, "Yubikey", usage="secondary")

    assert page.request.path == "/wan-register"
    assert "My phone" in page.text
    assert "Yubikey" in page.text
    assert [key.name for key in User.objects.get(id=user.id).webauthn] == ["My phone", "Yubikey"]
    assert WebAuthn.objects.get(name="Yubikey").usage == "secondary"

    token = csrf_token(page.text)
    after = client.post(
        "/wan-delete", data={"name": "My phone", "csrf_token": token}, follow_redirects=True
    )

    assert [key.name for key in User.objects.get(id=user.id).webauthn] == ["Yubikey"]
    assert WebAuthn.objects(name="My phone").count() == 0
    assert "My phone" not in after.text.split("<table", 1)[1]


def test_a_name_in_use_is_refused_and_nothing_is_added(client):
    user = UserFactory.create()
    log_in_client(client, user)
    register_passkey(client, SoftAuthenticator(), "Laptop")

    token = csrf_token(client.get("/wan-register").text)
    page = client.post("/wan-register", data={"name": "Laptop", "csrf_token": token})

    assert page.status_code == 200
    assert "Laptop is already associated with a passkey." in page.text
    assert WebAuthn.objects(user=user.id).count() == 1


def test_a_passkey_signs_in_alone(client):
    user = UserFactory.create()
    log_in_client(client, user)
    phone = SoftAuthenticator()
    register_passkey(client, phone, "My phone")
    log_out(client)

    page = sign_in_with_passkey(client, phone)

    assert page.request.path == "/"
    assert is_logged_in(client)
    assert LoginRecord.objects(user=user.id, kind="session").count() == 1  # on My account


def test_a_passkey_as_second_factor_after_the_password(client):
    user = UserFactory.create()
    log_in_client(client, user)
    key = SoftAuthenticator(verifies_user=False)
    register_passkey(client, key, "Security key", usage="secondary")
    log_out(client)

    after_password = log_in_client(client, user)
    assert after_password.request.path == "/wan-signin"
    assert not is_logged_in(client)

    assert sign_in_with_passkey(client, key).request.path == "/"
    assert is_logged_in(client)


def test_another_accounts_passkey_is_refused_as_the_second_factor(client):
    owner, other = UserFactory.create(), UserFactory.create()
    owners_key, others_key = SoftAuthenticator(), SoftAuthenticator()
    log_in_client(client, owner)
    register_passkey(client, owners_key, "Owners key", usage="secondary")
    log_out(client)
    log_in_client(client, other)
    register_passkey(client, others_key, "Others key", usage="secondary")
    log_out(client)

    log_in_client(client, other)  # the other's password...
    page = sign_in_with_passkey(client, owners_key)  # ...and the owner's passkey

    assert "That passkey belongs to another account" in page.text
    assert not is_logged_in(client)
    stored = WebAuthn.objects.get(name="Owners key")
    assert stored.sign_count == 0  # nothing recorded for the refused use


def test_a_name_with_punctuation_is_refused(client):
    user = UserFactory.create()
    log_in_client(client, user)

    token = csrf_token(client.get("/wan-register").text)
    page = client.post("/wan-register", data={"name": "Bob's key!", "csrf_token": token})

    assert "Passkey nicknames can contain only letters, numbers" in page.text
    assert "data-credential-options" not in page.text


def test_passkey_pages_at_another_host_name_say_where_passkeys_work(app):
    client = app.test_client()  # served at 127.0.0.1, the development default
    with app.app_context():
        user = UserFactory.create()
    log_in_client(client, user)

    token = csrf_token(client.get("/wan-register").text)
    page = client.post("/wan-register", data={"name": "Laptop", "csrf_token": token})

    assert page.status_code == 400
    assert "Passkeys belong to localhost: open http://localhost:5000" in page.text


def test_with_an_authenticator_app_and_a_passkey_the_login_asks_which(client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)
    key = SoftAuthenticator(verifies_user=False)
    register_passkey(client, key, "Security key", usage="secondary")
    log_out(client)

    page = log_in_client(client, user)
    assert page.request.path == "/tf-select"
    assert "A passkey" in page.text
    assert "A code from your authenticator app" in page.text
    chosen = client.post(
        "/tf-select",
        data={"which": "webauthn", "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )
    assert chosen.request.path == "/wan-signin"

    assert sign_in_with_passkey(client, key).request.path == "/"
    assert is_logged_in(client)


def test_deleting_an_account_deletes_its_passkeys(client, site):
    user = UserFactory.create()
    log_in_client(client, user)
    register_passkey(client, SoftAuthenticator(), "Laptop")

    with site.app_context():
        delete_user(user)

    assert WebAuthn.objects.count() == 0
