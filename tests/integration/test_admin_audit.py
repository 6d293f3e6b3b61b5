"""The audit log at /admin/audit: what admins did, newest first, page by page."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import User
from app.admin.audit import record
from tests.factories import UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


@pytest.fixture
def admin(app) -> User:
    return UserFactory(username="boss", admin=True)


def rows(html: str) -> list[tuple[str, str, str]]:
    """(who, what, to) per row of the audit table."""
    return re.findall(
        r"<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td class=\"details\">",
        html,
    )


def test_changes_made_in_the_admin_area_appear_newest_first(client, admin, app):
    token = csrf_token(log_in_client(client, admin).text)
    member = UserFactory(username="mia", email="mia@example.org")
    client.post(
        "/admin/users/bulk",
        data={"csrf_token": token, "ids": [str(member.id)], "action": "deactivate"},
    )
    client.post("/admin/roles", data={"csrf_token": token, "name": "Editor"})

    page = client.get("/admin/audit").text

    assert rows(page) == [
        ("boss", "created role", "role Editor"),
        ("boss", "deactivated", "mia &lt;mia@example.org&gt;"),
    ]


def test_the_details_of_a_change_read_from_before_to_after(app, client, admin):
    token = csrf_token(log_in_client(client, admin).text)
    member = UserFactory(username="mia", first_name="Mia", last_name="Old")
    client.post(
        f"/admin/users/{member.id}",
        data={
            "csrf_token": token,
            "first_name": "Mia",
            "last_name": "New",
            "roles": ["Admin", "Public"],
            "active": "y",
        },
    )

    page = client.get("/admin/audit").text

    assert "roles: Public → Admin, Public" in page
    assert "last name: Old → New" in page


def test_pages_follow_each_other_without_overlap(app, client, admin):
    with app.app_context():
        for number in range(55):
            record(admin, "role.update", f"role R{number:02d}")
    log_in_client(client, admin)

    first = client.get("/admin/audit").text
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    second = client.get(next_url).text

    targets = [target for _, _, target in rows(first) + rows(second)]
    assert targets == [f"role R{number:02d}" for number in reversed(range(55))]
    assert 'rel="next"' not in second
    assert client.get("/admin/audit?before=nonsense").status_code == 422
