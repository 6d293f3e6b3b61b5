"""The REST API: tokens, songs (streamed upload, Range download), albums, notifications,
admin users, problem details, rate limits."""

from __future__ import annotations

import io
import time

import pytest
from flask import url_for

from app.accounts.services import set_active
from app.library.models import Song
from tests.factories import MP3, TEST_PASSWORD, NotificationFactory, SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.helpers import csrf_token
from tests.library import post_multipart
from tests.logins import bearer, log_in_api, log_in_client

API = "/api/v1"


def request_token(client, identity: str, password: str = TEST_PASSWORD):
    """The token endpoint's own answer, for the tests of that endpoint."""
    return client.post(f"{API}/auth/token", json={"identity": identity, "password": password})


@pytest.fixture
def member(app):
    return UserFactory(username="ada", email="ada@example.org", first_name="Ada")


@pytest.fixture
def headers(client, member):
    return bearer(log_in_api(client, "ada"))


def test_a_token_for_email_or_username_in_any_case(client, member):
    for identity in ("ada@example.org", "ADA"):
        response = request_token(client, identity)
        assert response.status_code == 200
        body = response.get_json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 24 * 3600
        assert body["user"]["username"] == "ada"


@pytest.mark.parametrize(("identity", "password"), [("ada", "wrong"), ("nobody", "wrong")])
def test_no_token_for_bad_credentials_and_the_same_answer_either_way(
    client, member, identity, password
):
    response = request_token(client, identity, password)

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "Wrong identity or password, or inactive account."


def test_no_token_for_a_deactivated_account(client):
    UserFactory(username="ada", inactive=True)

    assert request_token(client, "ada").status_code == 401


def test_token_request_is_validated(client):
    response = client.post(f"{API}/auth/token", json={"identity": "ada"})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"password": "Missing data for required field."}


def test_me_needs_a_token(client, headers):
    assert client.get(f"{API}/me").status_code == 401
    assert client.get(f"{API}/me", headers=bearer("forged")).status_code == 401
    me = client.get(f"{API}/me", headers=headers)
    assert me.status_code == 200
    assert me.get_json()["first_name"] == "Ada"


def test_logging_out_with_a_token_needs_no_csrf_token(client, headers):
    response = client.post("/logout", headers=headers)

    assert response.status_code == 200
    assert response.get_json()["meta"]["code"] == 200


def test_revoking_ends_every_token(client, member, headers):
    other = bearer(log_in_api(client, "ada"))

    assert client.delete(f"{API}/auth/token", headers=headers).status_code == 204

    assert client.get(f"{API}/me", headers=headers).status_code == 401
    assert client.get(f"{API}/me", headers=other).status_code == 401


def test_deactivation_ends_tokens(app, client, member, headers):
    with app.app_context():
        set_active(member, False)

    assert client.get(f"{API}/me", headers=headers).status_code == 401


def upload_api(client, headers, path=MP3, **fields):
    data = {**fields, "file": (io.BytesIO(path.read_bytes()), path.name)}
    return post_multipart(client, f"{API}/songs", data, headers=headers)


@pytest.mark.usefixtures("worker")
def test_upload_wait_for_ready_and_download_with_a_token(client, headers):
    response = upload_api(client, headers, title="Via API", rating="4")
    assert response.status_code == 201, response.get_json()
    song = response.get_json()
    assert song["status"] == "queued"
    assert song["rating"] == 4

    deadline = time.monotonic() + 20
    while song["status"] != "ready" and time.monotonic() < deadline:
        time.sleep(0.2)
        song = client.get(f"{API}/songs/{song['id']}", headers=headers).get_json()
    assert song["status"] == "ready"
    assert song["duration"] == pytest.approx(5.0, abs=0.05)

    download = client.get(song["download_url"], headers=headers)
    assert download.data == MP3.read_bytes()
    assert "filename*=UTF-8''tone-440hz-5s.mp3" in download.headers["Content-Disposition"]
    ranged = client.get(song["stream_url"], headers={**headers, "Range": "bytes=0-9"})
    assert ranged.status_code == 206
    assert ranged.data == MP3.read_bytes()[:10]


@pytest.mark.usefixtures("worker")
def test_an_upload_without_title_takes_title_artist_and_the_asked_album_from_the_tags(
    client, headers
):
    created = upload_api(client, headers, album="tags").get_json()
    assert (created["title"], created["artist"]) == ("tone-440hz-5s", "")

    song = wait_until_processed(client, headers, created["id"])

    assert (song["title"], song["artist"]) == ("Sine_A440", "Encore_Test_Tones")
    album = client.get(f"{API}/albums/{song['album']}", headers=headers).get_json()
    assert (album["title"], album["artist"]) == ("Fixtures", "Encore_Test_Tones")
    changed = client.patch(
        f"{API}/songs/{song['id']}", json={"title": "Renamed", "artist": "Someone"}, headers=headers
    ).get_json()
    assert (changed["title"], changed["artist"], changed["album"]) == (
        "Renamed",
        "Someone",
        song["album"],
    )


@pytest.mark.usefixtures("worker")
def test_an_api_upload_without_album_makes_no_album_from_the_tags(client, headers):
    created = upload_api(client, headers, title="Kept").get_json()

    song = wait_until_processed(client, headers, created["id"])

    assert (song["title"], song["artist"], song["album"]) == ("Kept", "Encore_Test_Tones", None)
    assert client.get(f"{API}/albums", headers=headers).get_json() == []


def wait_until_processed(client, headers, song_id: str) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        song = client.get(f"{API}/songs/{song_id}", headers=headers).get_json()
        if song["status"] in ("ready", "failed"):
            return song
        time.sleep(0.2)
    raise AssertionError(f"song {song_id} still {song['status']}")


def test_bad_upload_is_a_problem_naming_the_field(client, headers):
    response = upload_api(client, headers, audio_file("not-audio.mp3"))

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": "This file is not audio: it looks like HTML."}
    assert Song.objects.count() == 0


def test_upload_without_a_token_or_session_is_refused_unread(client):
    response = upload_api(client, {"Accept": "application/json"})

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="encore"'
    assert Song.objects.count() == 0


def test_session_upload_through_the_api_needs_csrf(client, member):

    log_in_client(client, member)

    response = upload_api(client, {"Accept": "application/json"})

    assert response.status_code == 400
    assert Song.objects.count() == 0


def test_list_filters_and_pages_with_next_links(app, client, member, headers):
    for number in range(5):
        SongFactory(owner=member, title=f"Track {number}", rating=number + 1)

    first = client.get(f"{API}/songs?sort=title&limit=2", headers=headers).get_json()
    second = client.get(first["next"], headers=headers).get_json()
    third = client.get(second["next"], headers=headers).get_json()

    assert first["total"] == 5
    titles = [song["title"] for page in (first, second, third) for song in page["items"]]
    assert titles == [f"Track {n}" for n in range(5)]
    assert third["next"] is None
    bad = client.get(f"{API}/songs?sort=loudness", headers=headers)
    assert bad.status_code == 422
    assert "sort" in bad.get_json()["errors"]


def test_patch_and_delete_a_song(app, client, member, headers):
    song = SongFactory(owner=member, title="Before")

    patched = client.patch(
        f"{API}/songs/{song.id}", json={"title": "After", "rating": 5}, headers=headers
    )
    invalid = client.patch(f"{API}/songs/{song.id}", json={"rating": 9}, headers=headers)
    deleted = client.delete(f"{API}/songs/{song.id}", headers=headers)

    assert patched.get_json()["title"] == "After"
    assert invalid.status_code == 422
    assert "rating" in invalid.get_json()["errors"]
    assert deleted.status_code == 204
    assert Song.objects.count() == 0


def test_another_members_song_is_404_and_users_need_admin(app, client, headers):
    theirs = SongFactory(owner=UserFactory(), title="Theirs")

    for method, path in [
        ("get", f"/songs/{theirs.id}"),
        ("patch", f"/songs/{theirs.id}"),
        ("delete", f"/songs/{theirs.id}"),
        ("get", f"/songs/{theirs.id}/download"),
    ]:
        response = getattr(client, method)(f"{API}{path}", headers=headers, json={})
        assert response.status_code == 404, path
    assert client.get(f"{API}/users", headers=headers).status_code == 403


def test_admin_manages_users(app, client):
    admin = UserFactory(username="root", admin=True)
    other = UserFactory(username="olga")
    headers = bearer(log_in_api(client, "root"))

    listed = client.get(f"{API}/users", headers=headers).get_json()
    patched = client.patch(
        f"{API}/users/{other.id}",
        json={"roles": ["Admin", "Public"], "active": False},
        headers=headers,
    ).get_json()
    self_demotion = client.patch(
        f"{API}/users/{admin.id}", json={"roles": ["Public"]}, headers=headers
    )

    assert {user["username"] for user in listed} == {"root", "olga"}
    assert patched["roles"] == ["Admin", "Public"]
    assert patched["active"] is False
    assert self_demotion.status_code == 422
    assert client.delete(f"{API}/users/{other.id}", headers=headers).status_code == 204


def test_albums_crud(client, headers):
    created = client.post(
        f"{API}/albums", json={"title": "Blue", "artist": "Joni", "year": 1971}, headers=headers
    )
    album = created.get_json()
    renamed = client.patch(
        f"{API}/albums/{album['id']}", json={"title": "Blue (remaster)"}, headers=headers
    )
    bad = client.post(f"{API}/albums", json={"title": ""}, headers=headers)

    assert created.status_code == 201
    assert renamed.get_json()["title"] == "Blue (remaster)"
    assert bad.status_code == 422
    assert [a["title"] for a in client.get(f"{API}/albums", headers=headers).get_json()] == [
        "Blue (remaster)"
    ]
    assert client.delete(f"{API}/albums/{album['id']}", headers=headers).status_code == 204


def test_notifications_list_and_mark_read(app, client, member, headers):
    note = NotificationFactory(user=member, text="Hello", link="/")

    listed = client.get(f"{API}/notifications", headers=headers).get_json()
    read = client.post(f"{API}/notifications/{note.id}/read", headers=headers).get_json()

    assert listed["unread"] == 1
    assert read["read"] is True
    assert client.get(f"{API}/notifications", headers=headers).get_json()["unread"] == 0


def test_token_requests_are_rate_limited(make_app, member):
    client = make_app(LOGIN_RATE_LIMIT="2 per minute").test_client()

    statuses = [request_token(client, "ada", "wrong").status_code for _ in range(3)]

    assert statuses[:2] == [401, 401]
    assert statuses[2] == 429
    blocked = request_token(client, "ada", "wrong")
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.mimetype == "application/problem+json"


WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}


def test_every_api_write_is_rate_limited_and_reads_are_not(make_app):
    limited = make_app(API_WRITE_RATE_LIMIT="1 per minute")
    client = limited.test_client()
    writes = []
    with limited.test_request_context():
        for rule in limited.url_map.iter_rules():
            if rule.rule.startswith(API) and rule.endpoint != "api_auth.issue_token":
                url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "0" * 24))
                writes += [(method, url) for method in sorted(rule.methods & WRITE_METHODS)]
    assert ("POST", f"{API}/songs") in writes

    for method, url in writes:
        first = client.open(url, method=method, headers={"Accept": "application/json"})
        second = client.open(url, method=method, headers={"Accept": "application/json"})
        assert first.status_code == 401, (method, url)
        assert second.status_code == 429, (method, url)
        assert second.mimetype == "application/problem+json"
    assert [client.get(f"{API}/songs").status_code for _ in range(3)] == [401, 401, 401]
    assert [request_token(client, "nobody", "wrong").status_code for _ in range(3)] == [401] * 3


def test_openapi_document_and_swagger_ui_are_served_locally(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    page = client.get("/api/docs").text

    assert spec["openapi"].startswith("3.")
    assert "/api/v1/songs/{song_id}/download" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "https://" not in page


def test_changing_the_password_ends_tokens(app, client, member, headers):

    log_in_client(client, member)
    form = client.get("/change").text
    client.post(
        "/change",
        data={
            "password": TEST_PASSWORD,
            "new_password": "blue-velvet-harmonica-42",
            "new_password_confirm": "blue-velvet-harmonica-42",
            "csrf_token": csrf_token(form),
        },
    )

    cookieless = app.test_client()
    assert cookieless.get(f"{API}/me", headers=headers).status_code == 401


def test_admin_changes_through_the_api_are_audited(app, client):
    from app.admin.models import AuditEntry

    UserFactory(username="chief", admin=True)
    other = UserFactory(username="ursula")
    headers = bearer(log_in_api(client, "chief"))

    client.patch(f"{API}/users/{other.id}", json={"active": False}, headers=headers)
    client.delete(f"{API}/users/{other.id}", headers=headers)

    actions = [entry.action for entry in AuditEntry.objects.order_by("created_at")]
    assert actions == ["user.deactivate", "user.delete"]


# --- edges: how a caller is recognised, and what a link may carry ------------------------


@pytest.mark.parametrize(
    "token_header",
    [{"Authentication-Token": "bogus"}, {"Authorization": "Bearer bogus"}],
)
def test_a_session_caller_with_a_bogus_token_header_still_needs_csrf(
    app, client, member, token_header
):

    log_in_client(client, member)
    with app.app_context():
        song = SongFactory(owner=member, title="Kept")
    headers = {"Accept": "application/json", **token_header}

    uploaded = upload_api(client, headers)
    patched = client.patch(f"{API}/songs/{song.id}", json={"title": "Changed"}, headers=headers)
    deleted = client.delete(f"{API}/songs/{song.id}", headers=headers)

    assert [uploaded.status_code, patched.status_code, deleted.status_code] == [400] * 3
    assert [song.title for song in Song.objects] == ["Kept"]


def test_a_token_in_the_query_string_is_refused(client, headers):
    token = headers["Authorization"].removeprefix("Bearer ")

    response = client.get(f"{API}/me?auth_token={token}")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "Authorization: Bearer" in response.get_json()["detail"]
    assert client.get(f"{API}/me?auth_token={token}", headers=headers).status_code == 400


def test_a_token_in_a_json_body_is_not_read(client, headers):
    token = headers["Authorization"].removeprefix("Bearer ")

    response = client.delete(
        f"{API}/auth/token", json={"auth_token": token}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 401
    assert client.get(f"{API}/me", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("identity", "password"),
    [("ada", TEST_PASSWORD), ("ada", "wrong"), ("nobody@example.org", "wrong")],
)
def test_the_token_endpoint_checks_one_password_hash_whether_or_not_the_account_exists(
    app, client, member, monkeypatch, identity, password
):
    context = app.extensions["security"].pwd_context
    checked = []
    verify = context.verify

    def counting_verify(secret, hashed, *args, **kwargs):
        checked.append(hashed)
        return verify(secret, hashed, *args, **kwargs)

    monkeypatch.setattr(context, "verify", counting_verify)

    request_token(client, identity, password)

    assert len(checked) == 1
    assert checked[0].startswith("$argon2")


@pytest.mark.parametrize("extra", ["_method=DELETE", "endpoint=x", "_scheme=javascript"])
def test_unexpected_query_arguments_stay_out_of_the_next_link(app, client, member, headers, extra):
    with app.app_context():
        for number in range(3):
            SongFactory(owner=member, title=f"Track {number}", content=b"x")

    response = client.get(f"{API}/songs?limit=2&sort=title&{extra}", headers=headers)

    assert response.status_code == 200
    assert response.get_json()["next"].startswith(f"{API}/songs?")
    assert extra.split("=")[0] not in response.get_json()["next"]


def test_a_body_that_is_not_json_is_a_problem_not_a_crash(client):
    response = client.post(
        f"{API}/auth/token", data=b"not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {"json": "Invalid JSON body."}
