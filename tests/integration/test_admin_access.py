"""Every /admin URL, GET and POST: anonymous visitors are sent to log in (JSON clients get
401), members without the admin:view permission get 403, and nothing changes either way."""

from __future__ import annotations

import pytest
from flask import url_for

from app.accounts.models import Role, User
from app.admin.models import AuditEntry
from app.library.models import Album, Song
from tests.factories import AlbumFactory, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client

METHODS = ("GET", "POST")


@pytest.fixture
def targets(app) -> dict:
    """Real objects for every URL parameter of the admin pages."""
    owner = UserFactory(username="owner")
    with app.app_context():
        song = SongFactory(owner=owner, title="Kept")
        album = AlbumFactory(owner=owner, title="Kept album")
        role = Role.objects.get(name="Public")
    return {"user_id": owner.id, "song_id": song.id, "album_id": album.id, "role_id": role.id}


@pytest.fixture
def admin_requests(app, targets) -> list[tuple[str, str]]:
    """(method, url) for every admin rule, its parameters filled from ``targets``."""
    requests = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/admin"):
                continue
            unknown = set(rule.arguments) - set(targets)
            assert not unknown, f"give {rule.rule} a real {unknown} in the targets fixture"
            url = url_for(rule.endpoint, **{name: targets[name] for name in rule.arguments})
            requests += [(method, url) for method in METHODS if method in rule.methods]
    return requests


def harmful_form(targets: dict, token: str | None = None) -> dict:
    """What each admin form would act on if the request got through."""
    return {
        "csrf_token": token or "",
        "ids": [str(targets["user_id"]), str(targets["song_id"])],
        "action": "deactivate",
        "songs": "delete",
        "name": "Intruders",
        "description": "changed",
        "first_name": "Changed",
        "last_name": "Changed",
        "roles": ["Admin"],
    }


def assert_nothing_changed(targets: dict) -> None:
    owner = User.objects.get(id=targets["user_id"])
    assert owner.active
    assert owner.first_name == "Member"
    assert [role.name for role in owner.roles] == ["Public"]
    assert Song.objects(id=targets["song_id"]).count() == 1
    assert Album.objects(id=targets["album_id"]).count() == 1
    assert Role.objects.get(id=targets["role_id"]).description != "changed"
    assert Role.objects(name="Intruders").count() == 0
    assert AuditEntry.objects.count() == 0


def test_every_kind_of_admin_page_is_covered(admin_requests):
    urls = {url for _, url in admin_requests}
    for page in ("/admin/", "/admin/users", "/admin/roles", "/admin/songs", "/admin/albums"):
        assert page in urls
    assert "/admin/audit" in urls
    assert sum(method == "POST" for method, _ in admin_requests) >= 8


def test_anonymous_visitors_are_sent_to_log_in(client, admin_requests, targets):
    for method, url in admin_requests:
        response = client.open(url, method=method, data=harmful_form(targets))
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)

        as_json = client.open(
            url, method=method, data=harmful_form(targets), headers={"Accept": "application/json"}
        )
        assert as_json.status_code == 401, (method, url)

    assert_nothing_changed(targets)


def test_members_get_403_even_with_a_valid_csrf_token(client, app, admin_requests, targets):
    token = csrf_token(log_in_client(client, UserFactory(username="nosy")).text)

    for method, url in admin_requests:
        response = client.open(url, method=method, data=harmful_form(targets, token))
        assert response.status_code == 403, (method, url)
        if method == "GET":
            assert "403 · Forbidden" in response.text

    assert_nothing_changed(targets)


def test_the_admin_link_is_shown_to_admins_only(app, client):
    member = UserFactory()
    log_in_client(client, member)
    assert 'href="/admin/"' not in client.get("/songs").text

    with app.app_context():
        member.update(push__roles=Role.objects.get(name="Admin"))

    assert 'href="/admin/">Admin</a>' in client.get("/songs").text
