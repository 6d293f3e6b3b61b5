"""Each member's storage quota and upload rate: refused uploads say what is left and when
to try again, and leave nothing stored; the storage a member uses is a counter kept by
the services that store, replace and delete songs, and repaired by a recount."""

from __future__ import annotations

import io

import pytest

from app.accounts.models import User
from app.admin.models import AuditEntry
from app.database import get_database
from app.library.models import Song
from app.library.quota import recount_storage
from tests.factories import MP3, TEST_PASSWORD, SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.helpers import csrf_token
from tests.library import post_multipart, upload
from tests.logins import log_in_client

OGG = audio_file("tone-523hz-5s.ogg")
MP3_SIZE = MP3.stat().st_size
#: Room for one MP3 fixture and a bit, not for two.
QUOTA_MB = 0.1
QUOTA_BYTES = int(QUOTA_MB * 1024 * 1024)


def files_stored() -> int:
    return get_database()["songs.files"].count_documents({})


def used(user: User) -> int:
    return User.objects.get(id=user.id).storage_bytes


@pytest.fixture
def member(app):
    return UserFactory(username="mia")


def test_the_counter_follows_upload_replace_and_delete(app, client, member):
    token = csrf_token(log_in_client(client, member).text)

    song_id = upload(client, token, MP3).get_json()["id"]
    assert used(member) == MP3_SIZE
    replaced = post_multipart(
        client,
        f"/songs/{song_id}/replace",
        {"file": (io.BytesIO(OGG.read_bytes()), OGG.name)},
        {"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert replaced.status_code == 200
    assert used(member) == OGG.stat().st_size
    second = upload(client, token, MP3).get_json()["id"]
    assert used(member) == OGG.stat().st_size + MP3_SIZE

    client.post(f"/songs/{song_id}/delete", data={"csrf_token": token})
    assert used(member) == MP3_SIZE
    client.delete(f"/api/v1/songs/{second}", headers={"X-CSRFToken": token})
    assert used(member) == 0


def test_an_upload_past_the_quota_is_refused_while_streaming_and_nothing_stays(make_app, member):
    app = make_app(STORAGE_QUOTA_MB=QUOTA_MB)
    client = app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    assert upload(client, token, MP3).status_code == 201

    refused = upload(client, token, MP3)

    assert refused.status_code == 413
    problem = refused.get_json()
    assert problem["title"] == "Storage quota exceeded"
    assert problem["available_bytes"] == QUOTA_BYTES - MP3_SIZE
    assert problem["quota_bytes"] == QUOTA_BYTES
    assert "left" in problem["errors"]["file"]
    with app.app_context():
        assert Song.objects.count() == 1
        assert files_stored() == 1
        assert used(member) == MP3_SIZE


@pytest.mark.parametrize("path", ["/songs", "/api/v1/songs"])
def test_a_declared_length_past_the_quota_is_refused_before_reading(make_app, member, path):
    app = make_app(STORAGE_QUOTA_MB=QUOTA_MB)
    client = app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    body = io.BytesIO(b"\0" * 5 * 1024 * 1024)

    refused = client.post(
        path,
        input_stream=body,
        content_length=5 * 1024 * 1024,
        content_type="multipart/form-data; boundary=x",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )

    assert refused.status_code == 413
    assert refused.get_json()["available_bytes"] == QUOTA_BYTES
    assert body.tell() == 0  # not a byte read


def test_a_replacement_may_use_the_room_its_old_file_frees(make_app, member):
    app = make_app(STORAGE_QUOTA_MB=QUOTA_MB)
    client = app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    song_id = upload(client, token, MP3).get_json()["id"]

    replaced = post_multipart(
        client,
        f"/songs/{song_id}/replace",
        {"file": (io.BytesIO(MP3.read_bytes()), "again.mp3")},
        {"X-CSRFToken": token, "Accept": "application/json"},
    )

    assert replaced.status_code == 200, replaced.text
    with app.app_context():
        assert used(member) == MP3_SIZE
        assert files_stored() == 1


def test_the_recount_repairs_a_counter_that_drifted(app, runner, member):
    other = UserFactory()
    with app.app_context():
        SongFactory(owner=member, title="One")
        SongFactory(owner=member, title="Two", content=b"x" * 10)
        User.objects(id=member.id).update_one(set__storage_bytes=12345)
        User.objects(id=other.id).update_one(set__storage_bytes=99)

        assert recount_storage() == 2

        assert used(member) == MP3_SIZE + 10
        assert used(other) == 0
        assert recount_storage() == 0
        User.objects(id=other.id).update_one(set__storage_bytes=7)
    result = runner.invoke(args=["users", "recount-storage"])
    assert result.exit_code == 0
    assert "1 user corrected" in result.output
    assert used(other) == 0


def test_the_upload_page_shows_what_is_used_and_left(make_app, member):
    app = make_app(STORAGE_QUOTA_MB=QUOTA_MB)
    client = app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    upload(client, token, MP3)

    page = client.get("/songs/upload").text

    assert "79.3 KB of 102.4 KB used, 23.1 KB left" in page


def test_admins_see_and_change_a_quota_and_the_change_is_audited(app, client):
    admin = UserFactory(username="boss", admin=True)
    member = UserFactory(username="mia")
    members_client = app.test_client()
    upload(members_client, csrf_token(log_in_client(members_client, member).text), MP3)
    token = csrf_token(log_in_client(client, admin).text)

    page = client.get(f"/admin/users/{member.id}").text
    assert "79.3 KB of 2 GB used" in page

    response = client.post(
        f"/admin/users/{member.id}",
        data={
            "csrf_token": token,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "roles": ["Public"],
            "active": "y",
            "storage_quota_mb": "500",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(id=member.id).storage_quota_mb == 500
    entry = AuditEntry.objects.get(action="user.quota")
    assert entry.details == {"storage_quota_mb": {"from": None, "to": 500.0}}
    assert "79.3 KB of 500 MB used" in client.get(f"/admin/users/{member.id}").text

    client.post(
        f"/admin/users/{member.id}",
        data={
            "csrf_token": token,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "roles": ["Public"],
            "active": "y",
            "storage_quota_mb": "-1",
        },
    )
    assert User.objects.get(id=member.id).storage_quota_mb == 500


def test_a_member_quota_set_by_an_admin_wins_over_the_default(make_app, member):
    app = make_app(STORAGE_QUOTA_MB=1000)
    with app.app_context():
        User.objects(id=member.id).update_one(set__storage_quota_mb=QUOTA_MB)
    client = app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    upload(client, token, MP3)

    assert upload(client, token, MP3).status_code == 413


def test_uploads_past_the_rate_are_429_per_member_with_when_to_retry(make_app):
    app = make_app(UPLOAD_RATE_LIMIT="2 per minute")
    member, other = UserFactory(), UserFactory()
    client = app.test_client()
    token = csrf_token(log_in_client(client, member).text)
    bearer = client.post(
        "/api/v1/auth/token", json={"identity": member.username, "password": TEST_PASSWORD}
    ).get_json()["token"]

    assert upload(client, token, MP3).status_code == 201
    through_api = post_multipart(
        app.test_client(),
        "/api/v1/songs",
        {"file": (io.BytesIO(MP3.read_bytes()), "api.mp3")},
        {"Authorization": f"Bearer {bearer}"},
    )
    assert through_api.status_code == 201
    refused = upload(client, token, MP3)

    assert refused.status_code == 429
    problem = refused.get_json()
    assert 0 < problem["retry_after"] <= 60
    assert f"Try again in {problem['retry_after']} s" in problem["detail"]
    assert "2 per 1 minute" in problem["detail"]
    assert abs(int(refused.headers["Retry-After"]) - problem["retry_after"]) <= 1
    with app.app_context():
        assert Song.objects(owner=member.id).count() == 2
        assert files_stored() == 2
    other_client = app.test_client()
    assert (
        upload(other_client, csrf_token(log_in_client(other_client, other).text), MP3).status_code
        == 201
    )
