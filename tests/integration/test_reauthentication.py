"""Confirm it is you: a login older than SECURITY_FRESHNESS asked for the password
(/verify) or a passkey (/wan-verify) before changing the email address or deleting the
account, then taken on to the page it asked for."""

from __future__ import annotations

import json
import time
from urllib.parse import unquote

import pytest

from app.accounts.models import User
from app.accounts.passkeys import OTHER_ACCOUNT
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client
from tests.passkeys import PASSKEY_SITE, SoftAuthenticator, ceremony, register_passkey

GUARDED = ["/account/delete", "/change-email"]


def make_stale(client) -> None:
    """Make the login of ``client`` two hours old, past SECURITY_FRESHNESS and its grace."""
    with client.session_transaction() as session:
        session["fs_paa"] = time.time() - 2 * 3600
        session.pop("fs_gexp", None)


def sent_to_confirm(client, path: str) -> str:
    """Ask for ``path``; where the site sends the stale login instead."""
    asked = client.get(path)
    assert asked.status_code == 302, asked.text
    location = asked.headers["Location"]
    assert "/verify?next=" in location
    assert unquote(location).endswith(f"next={path}")
    return location


@pytest.mark.parametrize("path", GUARDED)
def test_a_stale_login_gives_the_password_and_goes_on_to_the_page(client, path):
    member = UserFactory(username="ann")
    log_in_client(client, member)
    make_stale(client)
    verify = sent_to_confirm(client, path)
    page = client.get(verify)
    assert "Confirm it is you" in page.text
    assert "Or use a passkey" not in page.text  # none registered

    confirmed = client.post(
        verify, data={"password": TEST_PASSWORD, "csrf_token": csrf_token(page.text)}
    )

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith(path)
    shown = client.get(path)
    assert shown.status_code == 200
    assert "Confirm it is you" not in shown.text


@pytest.mark.parametrize("path", GUARDED)
def test_a_wrong_password_is_refused_with_the_reason(client, path):
    member = UserFactory(username="ann")
    log_in_client(client, member)
    make_stale(client)
    verify = sent_to_confirm(client, path)
    page = client.get(verify)

    refused = client.post(
        verify, data={"password": "not my password", "csrf_token": csrf_token(page.text)}
    )

    assert refused.status_code == 200
    assert "Confirm it is you" in refused.text
    assert "Invalid password" in refused.text
    assert client.get(path).status_code == 302  # still not confirmed
    assert User.objects.get(id=member.id).active


def test_an_empty_password_is_refused_with_the_reason(client):
    log_in_client(client, UserFactory())
    make_stale(client)
    verify = sent_to_confirm(client, "/account/delete")
    page = client.get(verify)

    refused = client.post(verify, data={"password": "", "csrf_token": csrf_token(page.text)})

    assert refused.status_code == 200
    assert "Password not provided" in refused.text
    assert client.get("/account/delete").status_code == 302


@pytest.fixture
def site(make_app):
    """The app as served at localhost, where passkeys belong."""
    return make_app(EXTERNAL_URL=PASSKEY_SITE)


def confirm_with_passkey(client, verify: str, authenticator: SoftAuthenticator, credential=None):
    """From the /verify page, choose the passkey and answer the ceremony; the answer."""
    page = client.get(verify)
    assert "Or use a passkey" in page.text
    wan_verify = verify.replace("/verify?", "/wan-verify?")
    started = client.post(wan_verify, data={"csrf_token": csrf_token(page.text)})
    assert started.status_code == 200, started.text
    action, options = ceremony(started.text)
    answer = authenticator.get(options, credential)
    return client.post(
        action, data={"credential": json.dumps(answer), "csrf_token": csrf_token(started.text)}
    )


@pytest.mark.parametrize("path", GUARDED)
def test_a_stale_login_may_confirm_with_a_passkey_instead(site, path):
    client = site.test_client()
    member = UserFactory(username="ann")
    log_in_client(client, member)
    phone = SoftAuthenticator()
    register_passkey(client, phone, "My phone")
    make_stale(client)
    verify = sent_to_confirm(client, path)

    confirmed = confirm_with_passkey(client, verify, phone)

    assert confirmed.status_code == 302, confirmed.text
    assert confirmed.headers["Location"].endswith(path)
    assert client.get(path).status_code == 200


def test_another_accounts_passkey_does_not_confirm(site):
    client = site.test_client()
    other_client = site.test_client()
    phone = SoftAuthenticator()
    log_in_client(other_client, UserFactory(username="bob"))
    register_passkey(other_client, phone, "Bob phone")
    log_in_client(client, UserFactory(username="ann"))
    register_passkey(client, SoftAuthenticator(), "Ann phone")
    make_stale(client)
    verify = sent_to_confirm(client, "/account/delete")

    refused = confirm_with_passkey(client, verify, phone)

    assert refused.status_code == 302  # back to choosing a passkey, with the reason
    assert refused.headers["Location"].endswith("/wan-verify")
    assert OTHER_ACCOUNT.replace("'", "&#39;") in client.get(refused.headers["Location"]).text
    assert client.get("/account/delete").status_code == 302
