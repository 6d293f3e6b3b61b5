"""The admin area: Admin role only (anonymous -> login, members -> 403), dashboard figures."""

from __future__ import annotations

import pytest

from app.accounts.services import set_roles
from tests.library import client_login, make_song


def admin_urls(app) -> list[str]:
    return sorted(
        str(rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")
    )


def test_there_are_admin_pages(app):
    assert admin_urls(app)


def test_anonymous_visitors_are_sent_to_log_in(app, client):
    for url in admin_urls(app):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
        assert client.get(url, headers={"Accept": "application/json"}).status_code == 401


def test_members_get_403(app, client, make_user):
    client_login(client, make_user())

    for url in admin_urls(app):
        assert client.get(url).status_code == 403, url


@pytest.mark.usefixtures("worker")
def test_the_dashboard_counts_users_songs_storage_and_failures(app, client, make_user):
    admin = make_user(username="boss")
    member = make_user()
    with app.app_context():
        set_roles(admin, ["Admin"])
        make_song(member, "Fine", status="ready")
        make_song(member, "Broken", status="failed", status_reason="This file is not audio.")
    client_login(client, admin)

    page = client.get("/admin/").text

    assert "<strong>2</strong> in all, 2 active" in page
    assert "ready: <strong>1</strong>" in page
    assert "failed: <strong>1</strong>" in page
    assert "162.5 kB" in page  # two copies of the 81,227-byte fixture
    assert "This file is not audio." in page
    assert 'worker: <span class="status status-ready">up</span>' in page
