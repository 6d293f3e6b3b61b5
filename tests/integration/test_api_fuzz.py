"""Schemathesis over the whole OpenAPI document, as a member and as an admin: no 5xx,
responses match their schemas, and every status code returned is documented."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_api

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def token_for(client, *, admin: bool) -> str:
    user = UserFactory(
        username="fuzz-admin" if admin else "fuzz-member",
        roles=["Admin", "Public"] if admin else [],
    )
    SongFactory(owner=user, title="Something to find")
    return log_in_api(client, user)


@pytest.fixture
def member_token(client):
    return token_for(client, admin=False)


@pytest.fixture
def admin_token(client):
    return token_for(client, admin=True)


FUZZ = settings(
    max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


#: Fuzzing this would log the fuzzer out for every later operation; tests/integration/
#: test_api.py covers it.
REVOKES_THE_TOKEN = {"DELETE /api/v1/auth/token"}


def _fuzz(operation, headers: dict, calls: Counter, succeeded: set):
    @FUZZ
    @given(case=operation.as_strategy())
    def check(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        calls[operation.label] += 1
        if response.status_code < 300:
            succeeded.add(operation.label)

    return check


def fuzz_every_operation(app, token: str) -> list[str]:
    """Run every operation of the app's OpenAPI document against the app; return the
    failures (operation and what went wrong)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures, calls, succeeded = [], Counter(), set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in REVOKES_THE_TOKEN:
            continue
        try:
            _fuzz(operation, headers, calls, succeeded)()
        except Exception as error:  # collect every operation's failure, then report all
            failures.append(f"{operation.label}: {error}")
    assert len(calls) >= 20, f"only {len(calls)} operations were exercised"
    # Authenticated for real: the reads at least must have succeeded.
    assert {"GET /api/v1/me", "GET /api/v1/songs", "GET /api/v1/albums"} <= succeeded
    return failures


def test_the_api_keeps_its_contract_for_a_member(app, member_token):
    assert fuzz_every_operation(app, member_token) == []


def test_the_api_keeps_its_contract_for_an_admin(app, admin_token):
    assert fuzz_every_operation(app, admin_token) == []
