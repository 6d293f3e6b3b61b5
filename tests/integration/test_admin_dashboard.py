"""The admin dashboard: users, songs by status, GridFS storage, health, last failures."""

from __future__ import annotations

import pytest

from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_client


@pytest.mark.usefixtures("worker")
def test_the_dashboard_counts_users_songs_storage_and_failures(app, client):
    admin = UserFactory(username="boss", admin=True)
    member = UserFactory()
    UserFactory(username="newcomer", unconfirmed=True, inactive=True)
    SongFactory(owner=member, title="Fine", status="ready")
    broken = SongFactory(
        owner=member, title="Broken", status="failed", status_reason="This file is not audio."
    )
    log_in_client(client, admin)

    page = client.get("/admin/").text

    assert "<strong>3</strong> in all, 2 active, 1 not yet confirmed" in page
    assert "ready: <strong>1</strong>" in page
    assert "failed: <strong>1</strong>" in page
    assert "queued: <strong>0</strong>" in page
    assert "162.5 kB" in page  # two copies of the 81,227-byte fixture
    assert "This file is not audio." in page
    assert f'<a href="/songs/{broken.id}">Broken</a>' in page
    assert 'worker: <span class="status status-ready">up</span>' in page
