"""The admin dashboard's health details in the reader's language; /healthz stays English."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.admin.dashboard import health_detail
from app.health.services import Check, check_server
from tests.factories import UserFactory
from tests.logins import log_in_client


@pytest.mark.usefixtures("worker")
def test_the_dashboard_words_the_health_checks_in_german(app, client):
    log_in_client(client, UserFactory(admin=True, locale="de"))

    page = client.get("/admin/").text

    assert 'mongodb: <span class="status status-ready">' in page
    assert "Ping beantwortet" in page
    assert "hat geantwortet" in page
    assert "ping answered" not in page
    assert client.get("/healthz").get_json()["checks"]["mongodb"]["detail"] == "ping answered"


@pytest.mark.parametrize(
    ("check", "french"),
    [
        (check_server("redis", None), "réponse au ping"),
        (check_server("redis", "ConnectionError"), "aucune réponse : ConnectionError"),
        (
            Check(
                "worker",
                False,
                "ping failed: OperationalError",
                "ping-failed",
                {"error": "OperationalError"},
            ),
            "échec du ping : OperationalError",
        ),
        (
            Check(
                "worker", False, "no worker answered within 2.5 s", "no-worker", {"seconds": 2.5}
            ),
            "aucun worker n\u2019a répondu en 2,5 s",
        ),
        (
            Check(
                "worker", True, "celery@box answered", "worker-answered", {"worker": "celery@box"}
            ),
            "celery@box a répondu",
        ),
        (
            Check("worker", False, "unreachable: redis is down", "redis-down"),
            "injoignable : Redis est hors service",
        ),
    ],
)
def test_every_health_detail_is_worded_in_french(app, check, french):
    with app.test_request_context(), force_locale("fr"):
        assert health_detail(check) == french


def test_a_detail_without_words_is_shown_as_the_check_found_it(app):
    with app.test_request_context(), force_locale("de"):
        assert health_detail(Check("mongodb", False, "something new")) == "something new"
