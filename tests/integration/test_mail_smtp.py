"""The SMTP path: a real worker delivers to a real local SMTP server, and retries."""

from __future__ import annotations

import email
import time
from email import policy

import pytest

from app.processes import free_port, stop
from tests.fakes import SmtpInbox
from tests.helpers import link_in, register
from tests.servers import redis_database, start_worker

DELIVERY_WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def smtp_inbox():
    inbox = SmtpInbox(free_port())
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture(scope="module")
def smtp_settings(settings, smtp_inbox):
    """Mail over SMTP, on a broker database of its own so only the SMTP worker serves it."""
    return {
        **settings,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_inbox.port,
        "MAIL_TIMEOUT_SECONDS": 2,
        "MAIL_RETRY_DELAY_SECONDS": 0.5,
        "MAIL_MAX_RETRIES": 4,
        "REDIS_URL": redis_database(settings["REDIS_URL"], 1),
    }


@pytest.fixture(scope="module")
def smtp_worker(smtp_settings, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("smtp-worker") / "worker.log"
    process = start_worker(smtp_settings, log_path, name="smtp")
    yield log_path
    stop(process)


@pytest.fixture
def smtp_client(make_app, smtp_settings, smtp_worker, smtp_inbox):
    smtp_inbox.messages.clear()
    return make_app(**smtp_settings).test_client()


def wait_for(condition, what: str, timeout: float = DELIVERY_WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.content, policy=policy.default)


def test_activation_mail_is_delivered_over_smtp(smtp_client, smtp_inbox):
    register(smtp_client)

    [envelope] = wait_for(lambda: smtp_inbox.messages, "SMTP delivery")

    assert envelope.rcpt_tos == ["bob@example.org"]
    message = parsed(envelope)
    assert message["To"] == "bob@example.org"
    assert "Encore" in message["From"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert link_in(text, "/confirm/")
    assert "/confirm/" in html


def test_mail_is_retried_until_the_smtp_server_is_back(smtp_client, smtp_inbox, smtp_worker):
    smtp_inbox.stop()
    try:
        register(smtp_client, username="dora", email="dora@example.org")
        wait_for(lambda: "dora@example.org failed" in smtp_worker.read_text(), "a failed attempt")
    finally:
        smtp_inbox.start()

    [envelope] = wait_for(lambda: smtp_inbox.messages, "delivery after the retry")
    assert envelope.rcpt_tos == ["dora@example.org"]


def test_mail_is_given_up_with_a_logged_error_after_the_last_retry(
    smtp_client, smtp_inbox, smtp_worker
):
    smtp_inbox.stop()
    try:
        register(smtp_client, username="erin", email="erin@example.org")
        line = wait_for(
            lambda: [
                line
                for line in smtp_worker.read_text().splitlines()
                if "erin@example.org" in line and "given up" in line
            ],
            "giving up",
        )
    finally:
        smtp_inbox.start()

    assert "ERROR" in line[0]
    assert "after 5 attempts" in line[0]
    time.sleep(1)
    assert smtp_inbox.messages == []
