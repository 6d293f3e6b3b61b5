"""Resetting a user's second factors (a lost phone): `flask users reset-2fa` and the
button on the admin's user page remove the authenticator app, the recovery codes and
every passkey, and the password alone logs in again."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import User, WebAuthn
from app.admin.models import AuditEntry
from tests.factories import UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client
from tests.passkeys import PASSKEY_SITE, SoftAuthenticator, register_passkey
from tests.two_factor import enrol_authenticator


@pytest.fixture
def site(make_app):
    """The app as served at localhost, where passkeys belong."""
    return make_app(EXTERNAL_URL=PASSKEY_SITE)


@pytest.fixture
def member(site) -> User:
    """A member with an authenticator app, recovery codes and two passkeys."""
    user = UserFactory.create(username="butterfingers")
    client = site.test_client()
    log_in_client(client, user)
    enrol_authenticator(client)
    client.post("/mf-recovery-codes", data={"csrf_token": csrf_token(client.get("/").text)})
    phone = SoftAuthenticator()
    register_passkey(client, phone, "Phone")
    register_passkey(client, phone, "Tablet", usage="secondary")
    user.reload()
    assert user.tf_primary_method == "authenticator"
    assert len(user.mf_recovery_codes) == 8
    assert len(user.webauthn) == 2
    return user


def assert_no_second_factor(user: User) -> None:
    user.reload()
    assert user.tf_primary_method is None
    assert user.tf_totp_secret is None
    assert not user.mf_recovery_codes
    assert user.webauthn == []
    assert WebAuthn.objects(user=user.id).count() == 0


def test_the_command_removes_every_second_factor(site, member):
    result = site.test_cli_runner().invoke(args=["users", "reset-2fa", "Butterfingers"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Second factors of butterfingers removed: authenticator app, 8 recovery codes, "
        "2 passkeys.\n"
    )
    assert_no_second_factor(member)
    assert log_in_client(site.test_client(), member).request.path == "/"


def test_the_command_says_when_there_was_nothing_to_remove(site):
    UserFactory.create(username="plain")

    result = site.test_cli_runner().invoke(args=["users", "reset-2fa", "plain"])

    assert result.exit_code == 0
    assert result.output == "User plain had no second factor; nothing changed.\n"


def test_the_command_names_an_unknown_user(site):
    result = site.test_cli_runner().invoke(args=["users", "reset-2fa", "nobody"])

    assert result.exit_code == 1
    assert "nobody" in result.output
    assert "Traceback" not in result.output


def test_the_admin_button_removes_every_second_factor_and_is_audited(site, member):
    admin = UserFactory.create(admin=True, username="boss")
    client = site.test_client()
    page = log_in_client(client, admin)
    edit = client.get(f"/admin/users/{member.id}")
    assert "Authenticator app, 8 recovery codes, 2 passkeys." in edit.text

    done = client.post(
        f"/admin/users/{member.id}/reset-2fa",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )

    assert "Second factors of butterfingers removed" in done.text
    assert re.search(r"None: butterfingers signs in with a password alone", done.text)
    assert_no_second_factor(member)
    (entry,) = AuditEntry.objects(action="user.reset_2fa")
    assert entry.actor == "boss"
    assert entry.details["removed"] == ["authenticator app", "8 recovery codes", "2 passkeys"]


def test_the_admin_button_needs_the_forms_token(site, member):
    admin = UserFactory.create(admin=True)
    client = site.test_client()
    log_in_client(client, admin)

    refused = client.post(f"/admin/users/{member.id}/reset-2fa", data={})

    assert refused.status_code == 400
    member.reload()
    assert member.tf_primary_method == "authenticator"
    assert AuditEntry.objects.count() == 0


def test_members_cannot_reset_anyones_second_factors(site, member):
    other = UserFactory.create()
    client = site.test_client()
    page = log_in_client(client, other)

    refused = client.post(
        f"/admin/users/{member.id}/reset-2fa", data={"csrf_token": csrf_token(page.text)}
    )

    assert refused.status_code == 403
    member.reload()
    assert member.tf_primary_method == "authenticator"
