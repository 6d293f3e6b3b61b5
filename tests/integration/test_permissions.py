"""Roles grant permissions, and permissions are what pages, the API and the admin area
check: a role made in the role editor works everywhere without touching the code."""

from __future__ import annotations

import io

import pytest

from app.accounts.models import Role, User
from app.admin.models import AuditEntry
from app.library.models import Song
from tests.factories import AlbumFactory, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.library import post_multipart, upload
from tests.logins import bearer, log_in_api, log_in_client

MODERATOR = ["songs:manage-all", "admin:view"]


@pytest.fixture
def boss(app) -> User:
    return UserFactory(username="boss", roles=["Admin", "Public"])


@pytest.fixture
def admin_client(app, boss):
    client = app.test_client()
    client.token = csrf_token(log_in_client(client, boss).text)
    return client


def create_role(admin_client, name: str, permissions: list[str], description: str = ""):
    return admin_client.post(
        "/admin/roles",
        data={
            "csrf_token": admin_client.token,
            "name": name,
            "description": description,
            "permissions": permissions,
        },
    )


def edit_role(admin_client, name: str, permissions: list[str]):
    role = Role.objects.get(name=name)
    return admin_client.post(
        f"/admin/roles/{role.id}",
        data={
            "csrf_token": admin_client.token,
            "description": role.description,
            "permissions": permissions,
        },
    )


def lead(html: str) -> str:
    return html.split('<p class="lead">', 1)[1].split("</p>", 1)[0]


def test_a_moderator_made_in_the_role_editor_manages_all_songs_but_not_users(
    app, admin_client, client
):
    created = create_role(admin_client, "Moderator", MODERATOR, "Looks after the library.")
    assert created.status_code == 302
    assert Role.objects.get(name="Moderator").permissions == MODERATOR
    member = UserFactory(username="mia")
    song = SongFactory(owner=member, title="Mia's song")
    album = AlbumFactory(owner=member, title="Mia's album")
    moderator = UserFactory(username="mod", roles=["Moderator", "Public"])

    log_in_client(client, moderator)
    token = log_in_api(client, moderator)

    # The library's own pages and the API: every song, anyone's.
    assert "Mia&#39;s song" in client.get("/songs").text
    assert client.get(f"/songs/{song.id}").status_code == 200
    assert client.get(f"/songs/{song.id}/edit").status_code == 200
    assert client.get(f"/albums/{album.id}").status_code == 200
    patched = client.patch(
        f"/api/v1/songs/{song.id}", json={"title": "Renamed"}, headers=bearer(token)
    )
    assert patched.status_code == 200, patched.text
    assert Song.objects.get(id=song.id).title == "Renamed"
    listed = client.get("/api/v1/songs", headers=bearer(token)).json
    assert [item["title"] for item in listed["items"]] == ["Renamed"]

    # The admin area's content sections, and only those in its navigation.
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    for section in ("/admin/songs", "/admin/albums"):
        assert client.get(section).status_code == 200, section
        assert f'href="{section}"' in dashboard.text
    for section in ("/admin/users", "/admin/roles", "/admin/audit"):
        assert f'href="{section}"' not in dashboard.text

    # Users, roles and the audit log: 403, pages and API alike.
    for url in ("/admin/users", f"/admin/users/{member.id}", "/admin/roles", "/admin/audit"):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "users:manage" in lead(refused.text) or "audit:read" in lead(refused.text)
    api = client.get("/api/v1/users", headers=bearer(token))
    assert api.status_code == 403
    assert api.mimetype == "application/problem+json"
    assert api.json["detail"] == (
        "This needs the permission users:manage (manage users and roles (and unlock "
        "accounts)), which none of your roles grants."
    )
    deleted = client.post(
        f"/admin/songs/{song.id}/delete", data={"csrf_token": csrf_token(dashboard.text)}
    )
    assert deleted.status_code == 302
    assert Song.objects(id=song.id).count() == 0


def test_without_songs_upload_a_member_cannot_upload(app, admin_client, client):
    create_role(admin_client, "Listener", [])
    listener = UserFactory(username="lee", roles=["Listener"])
    expected = (
        "This needs the permission songs:upload (upload songs and replace their audio), "
        "which none of your roles grants."
    )

    songs_page = log_in_client(client, listener)
    page = client.get("/songs/upload")
    posted = upload(client, csrf_token(songs_page.text))
    api = post_multipart(
        client,
        "/api/v1/songs",
        {"title": "Nope", "file": (io.BytesIO(b"ID3" + b"\0" * 100), "a.mp3")},
        headers=bearer(log_in_api(client, listener)),
    )

    assert page.status_code == 403
    assert lead(page.text) == expected
    assert 'href="/songs/upload"' not in client.get("/songs").text
    assert posted.status_code == 403
    assert posted.json["detail"] == expected
    assert api.status_code == 403
    assert api.json["detail"] == expected
    assert Song.objects.count() == 0


def test_public_members_may_upload(app, client):
    member = UserFactory()

    log_in_client(client, member)

    assert client.get("/songs/upload").status_code == 200
    assert 'href="/songs/upload"' in client.get("/songs").text


def test_the_role_editor_sets_permissions_and_audits_the_change(app, admin_client):
    create_role(admin_client, "Moderator", ["songs:manage-all"])

    page = admin_client.get(f"/admin/roles/{Role.objects.get(name='Moderator').id}")
    saved = edit_role(admin_client, "Moderator", ["admin:view", "songs:manage-all"])

    assert 'value="users:manage"' in page.text
    assert "Manage users and roles" in page.text
    assert saved.status_code == 302
    assert Role.objects.get(name="Moderator").permissions == MODERATOR
    entry = AuditEntry.objects.get(action="role.permissions")
    assert (entry.actor, entry.target) == ("boss", "role Moderator")
    assert entry.details == {"permissions": {"from": ["songs:manage-all"], "to": MODERATOR}}
    assert "changed the permissions of role" in admin_client.get("/admin/audit").text


def test_unknown_permissions_are_refused_with_the_known_ones(app, admin_client):
    created = create_role(admin_client, "Editor", ["songs:upload", "songs:delete-everything"])
    edited = edit_role(admin_client, "Public", ["songs:upload", "root"])

    message = (
        "Unknown permission: {} (known: songs:upload, songs:manage-all, users:manage, "
        "admin:view, audit:read)."
    )
    assert created.status_code == 422
    assert message.format("songs:delete-everything") in created.text
    assert edited.status_code == 422
    assert message.format("root") in edited.text
    assert Role.objects(name="Editor").count() == 0
    assert Role.objects.get(name="Public").permissions == ["songs:upload"]
    assert AuditEntry.objects.count() == 0


def test_the_last_role_granting_users_manage_keeps_it(app, admin_client, boss):
    refused = edit_role(admin_client, "Admin", ["songs:upload", "admin:view"])

    assert refused.status_code == 422
    assert (
        "Role Admin must keep users:manage: no active user would be left who can manage "
        "users and roles." in refused.text
    )
    assert "users:manage" in Role.objects.get(name="Admin").permissions


def test_a_role_cannot_take_users_manage_from_the_admin_editing_it(app, admin_client, boss):
    create_role(admin_client, "Managers", ["users:manage", "admin:view"])
    UserFactory(username="carol", roles=["Managers"])

    refused = edit_role(admin_client, "Admin", ["songs:upload", "admin:view"])
    boss.update(push__roles=Role.objects.get(name="Managers"))
    allowed = edit_role(admin_client, "Admin", ["songs:upload", "admin:view"])

    assert refused.status_code == 422
    assert "Role Admin must keep users:manage: it is how you manage users yourself." in (
        refused.text
    )
    assert allowed.status_code == 302
    assert Role.objects.get(name="Admin").permissions == ["songs:upload", "admin:view"]
    assert User.objects.get(id=boss.id).has_permission("users:manage")


def test_the_last_admin_cannot_be_demoted_through_the_api(app, client, boss):
    token = log_in_api(client, boss)

    response = client.patch(
        f"/api/v1/users/{boss.id}", json={"roles": ["Public"]}, headers=bearer(token)
    )

    assert response.status_code == 422
    assert response.json["errors"] == {
        "roles": "You cannot take away your own users:manage permission (keep a role that "
        "grants it)."
    }
    assert "Admin" in [role.name for role in User.objects.get(id=boss.id).roles]
