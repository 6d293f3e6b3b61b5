"""Recovery codes: made and shown once, stored encrypted, each logging in once in place
of an authenticator code."""

from __future__ import annotations

import re
from html import escape

from app.accounts.models import User
from app.accounts.two_factor import NO_RESCUE_CHOICE
from app.signals import mail_queued
from tests.factories import UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client
from tests.two_factor import enrol_authenticator, submit_code

REFUSED = "That recovery code is wrong or was used already"


def make_codes(client) -> list[str]:
    token = csrf_token(client.get("/mf-recovery-codes").text)
    page = client.post("/mf-recovery-codes", data={"csrf_token": token})
    assert page.status_code == 200, page.text
    return re.findall(r'<code class="fs-5">([0-9a-f-]+)</code>', page.text)


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})


def is_logged_in(client) -> bool:
    return client.get("/songs").status_code == 200


def test_codes_are_shown_once_and_stored_as_keyed_hashes(client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)

    codes = make_codes(client)

    assert len(set(codes)) == 8
    assert all(re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", code) for code in codes)
    stored = User.objects.get(id=user.id).mf_recovery_codes
    assert len(stored) == 8
    assert not set(codes) & set(stored)
    # One-way: a hash of the code under a key the database does not hold.
    assert all(re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", value) for value in stored)
    later = client.get("/mf-recovery-codes?show_codes=1").text
    assert "You have 8 unused recovery codes." in later
    assert not any(code in later for code in codes)


def test_a_recovery_code_logs_in_once(client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)
    codes = make_codes(client)
    log_out(client)

    page = log_in_client(client, user)
    assert "Use a recovery code" in page.text
    done = submit_code(client, f"  {codes[3].upper()} ", path="/mf-recovery")

    assert done.request.path == "/"
    assert is_logged_in(client)
    assert len(User.objects.get(id=user.id).mf_recovery_codes) == 7
    log_out(client)

    log_in_client(client, user)
    reused = submit_code(client, codes[3], path="/mf-recovery")

    assert REFUSED in reused.text
    assert not is_logged_in(client)
    assert len(User.objects.get(id=user.id).mf_recovery_codes) == 7


def test_a_wrong_recovery_code_is_refused(client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)
    make_codes(client)
    log_out(client)
    log_in_client(client, user)

    page = submit_code(client, "0000-0000-0000", path="/mf-recovery")

    assert REFUSED in page.text
    assert not is_logged_in(client)
    assert len(User.objects.get(id=user.id).mf_recovery_codes) == 8


def test_new_codes_make_the_old_ones_useless(client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)
    old = make_codes(client)
    new = make_codes(client)
    log_out(client)
    log_in_client(client, user)

    assert REFUSED in submit_code(client, old[0], path="/mf-recovery").text
    assert submit_code(client, new[0], path="/mf-recovery").request.path == "/"


def test_asking_the_rescue_page_for_help_sends_no_mail_and_says_what_to_do(app, client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)
    make_codes(client)
    log_out(client)
    page = log_in_client(client, user)
    queued = []

    with mail_queued.connected_to(lambda sender, message: queued.append(message), sender=app):
        help_page = client.post(
            "/tf-rescue", data={"help_setup": "help", "csrf_token": csrf_token(page.text)}
        )
        help_json = client.post(
            "/tf-rescue",
            json={"help_setup": "help"},
            headers={"X-CSRFToken": csrf_token(page.text)},
        )
        by_mail = client.post(
            "/tf-rescue", data={"help_setup": "email", "csrf_token": csrf_token(page.text)}
        )

    assert queued == []
    assert help_page.status_code == 200
    assert escape(NO_RESCUE_CHOICE) in help_page.text
    assert "Use a recovery code" in help_page.text
    assert help_json.status_code == 400
    assert help_json.get_json()["response"]["errors"] == [NO_RESCUE_CHOICE]
    assert escape(NO_RESCUE_CHOICE) in by_mail.text
    assert not is_logged_in(client)


def test_the_rescue_page_leads_to_the_recovery_code_form(client):
    user = UserFactory.create()
    log_in_client(client, user)
    enrol_authenticator(client)
    codes = make_codes(client)
    log_out(client)
    page = log_in_client(client, user)

    chosen = client.post(
        "/tf-rescue", data={"help_setup": "recovery_code", "csrf_token": csrf_token(page.text)}
    )
    assert chosen.status_code == 302
    assert chosen.headers["Location"].endswith("/mf-recovery")
    done = submit_code(client, codes[0], path="/mf-recovery")

    assert done.request.path == "/"
    assert is_logged_in(client)
