"""Roles in the admin area: the list with user counts, creating, describing."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import Role, User
from app.admin import roles as role_service
from app.admin.models import AuditEntry
from tests.factories import UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


@pytest.fixture
def token(app, client) -> str:
    admin = UserFactory(username="boss", roles=["Admin", "Public"])
    return csrf_token(log_in_client(client, admin).text)


def role_rows(html: str) -> list[tuple[str, str]]:
    """(name, number of users) per row of the roles table."""
    return re.findall(
        r'<a href="/admin/roles/[0-9a-f]{24}">([^<]+)</a></td>\s*<td>[^<]*</td>\s*'
        r'<td><a href="[^"]+">(\d+)</a></td>',
        html,
    )


def test_roles_are_listed_with_their_user_counts(client, token, app):
    UserFactory()
    UserFactory()

    assert role_rows(client.get("/admin/roles").text) == [("Admin", "1"), ("Public", "3")]


def test_create_a_role(client, token):
    response = client.post(
        "/admin/roles",
        data={"csrf_token": token, "name": " Editor ", "description": "Edits everything."},
        follow_redirects=True,
    )

    assert "Role Editor created." in response.text
    assert ("Editor", "0") in role_rows(response.text)
    assert Role.objects.get(name="Editor").description == "Edits everything."
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target, entry.actor) == ("role.create", "role Editor", "boss")


BAD_NAMES = [
    ("Admin", "A role named Admin already exists."),
    ("public", "A role named Public already exists."),
    ("", "Start with a letter"),
    ("9lives", "Start with a letter"),
    ("x" * 81, "Start with a letter"),
]


def test_duplicate_or_malformed_names_are_explained(client, token):
    for name, message in BAD_NAMES:
        response = client.post(
            "/admin/roles", data={"csrf_token": token, "name": name, "description": ""}
        )
        assert response.status_code == 422, name
        assert message in response.text, name

    assert Role.objects.count() == 2
    assert AuditEntry.objects.count() == 0


def test_a_duplicate_that_slips_past_the_check_is_refused_by_the_index(client, token, monkeypatch):
    # As if another admin created the role between our check and our insert.
    monkeypatch.setattr(role_service, "check_role_name", lambda name: name)

    response = client.post(
        "/admin/roles", data={"csrf_token": token, "name": "Admin", "description": ""}
    )

    assert response.status_code == 422
    assert "A role named Admin already exists." in response.text
    assert Role.objects(name="Admin").count() == 1


def test_edit_a_role_description(client, token):
    role = Role.objects.get(name="Public")

    response = client.post(
        f"/admin/roles/{role.id}",
        data={
            "csrf_token": token,
            "description": "Everyone who signed up.",
            "permissions": ["songs:upload"],
        },
    )

    assert response.status_code == 302
    assert Role.objects.get(id=role.id).description == "Everyone who signed up."
    assert AuditEntry.objects.get().action == "role.update"
    assert User.objects(roles=role.id).count() == 1  # holders are untouched


def test_a_too_long_description_is_explained(client, token):
    role = Role.objects.get(name="Public")

    response = client.post(
        f"/admin/roles/{role.id}", data={"csrf_token": token, "description": "x" * 256}
    )

    assert response.status_code == 422
    assert "must be at most 255 characters" in response.text
