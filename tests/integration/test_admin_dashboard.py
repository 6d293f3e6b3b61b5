"""The admin dashboard: users, songs by status, GridFS storage, health, last failures."""

from __future__ import annotations

import pytest

from app.accounts.services import set_roles
from tests.library import client_login, make_song


@pytest.mark.usefixtures("worker")
def test_the_dashboard_counts_users_songs_storage_and_failures(app, client, make_user):
    admin = make_user(username="boss")
    member = make_user()
    make_user(username="newcomer", confirmed_at=None, active=False)
    with app.app_context():
        set_roles(admin, ["Admin"])
        make_song(member, "Fine", status="ready")
        broken = make_song(
            member, "Broken", status="failed", status_reason="This file is not audio."
        )
    client_login(client, admin)

    page = client.get("/admin/").text

    assert "<strong>3</strong> in all, 2 active,\n         1 not yet confirmed" in page
    assert "ready: <strong>1</strong>" in page
    assert "failed: <strong>1</strong>" in page
    assert "queued: <strong>0</strong>" in page
    assert "162.5 kB" in page  # two copies of the 81,227-byte fixture
    assert "This file is not audio." in page
    assert f'<a href="/songs/{broken.id}">Broken</a>' in page
    assert 'worker: <span class="status status-ready">up</span>' in page
