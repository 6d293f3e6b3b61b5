"""Documents looked up by the id in a URL: an unknown id, an id that is not an ObjectId
and another member's document all answer 404 (never 403, never 500) with the reason, as
our error page or as RFC 7807 problem JSON."""

from __future__ import annotations

import pytest

from app.accounts.models import Role, User
from app.notifications.models import Notification
from tests.factories import (
    AlbumFactory,
    NotificationFactory,
    SongFactory,
    UserFactory,
)
from tests.helpers import csrf_token
from tests.logins import bearer, log_in_api, log_in_client

API = "/api/v1"
UNKNOWN, MALFORMED = "0" * 24, "not-an-id"


def assert_error_page(response, reason: str) -> None:
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>404 · Not found</h1>" in response.text
    assert f'<p class="lead">{reason}</p>' in response.text


def assert_problem(response, reason: str) -> None:
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "status": 404,
        "title": "Not found",
        "detail": reason,
    }


@pytest.fixture
def mia(app) -> User:
    return UserFactory(username="mia")


@pytest.fixture
def admin(app) -> User:
    return UserFactory(username="boss", admin=True)


@pytest.fixture
def others(app) -> dict[str, str]:
    """The ids of another member's song and album."""
    otto = UserFactory(username="otto")
    return {
        "song": str(SongFactory(owner=otto, title="Theirs").id),
        "album": str(AlbumFactory(owner=otto, title="Theirs").id),
    }


@pytest.mark.parametrize("kind", ["song", "album"])
@pytest.mark.parametrize("which", [UNKNOWN, MALFORMED, "theirs"])
def test_a_song_or_album_that_is_not_the_members_is_404(client, mia, others, kind, which):
    document_id = others[kind] if which == "theirs" else which
    log_in_client(client, mia)

    page = client.get(f"/{kind}s/{document_id}")
    problem = client.get(f"{API}/{kind}s/{document_id}", headers=bearer(log_in_api(client, mia)))

    assert_error_page(page, f"No such {kind}.")
    assert_problem(problem, f"No such {kind}.")


@pytest.mark.parametrize("kind", ["song", "album"])
def test_an_admin_finds_anyones_song_or_album_by_id(client, admin, others, kind):
    log_in_client(client, admin)

    assert client.get(f"/{kind}s/{others[kind]}").status_code == 200
    assert (
        client.get(f"{API}/{kind}s/{others[kind]}", headers=bearer(log_in_api(client, admin))).json[
            "id"
        ]
        == (others[kind])
    )


@pytest.mark.parametrize("user_id", [UNKNOWN, MALFORMED])
def test_an_unknown_user_is_404_on_the_admin_page_and_in_the_api(client, admin, user_id):
    log_in_client(client, admin)

    page = client.get(f"/admin/users/{user_id}")
    problem = client.get(f"{API}/users/{user_id}", headers=bearer(log_in_api(client, admin)))

    assert_error_page(page, "No such user.")
    assert_problem(problem, "No such user.")


@pytest.mark.parametrize("role_id", [UNKNOWN, MALFORMED])
def test_an_unknown_role_is_404_as_a_page_and_as_json(client, admin, role_id):
    log_in_client(client, admin)

    page = client.get(f"/admin/roles/{role_id}")
    problem = client.get(f"/admin/roles/{role_id}", headers={"Accept": "application/json"})

    assert_error_page(page, "No such role.")
    assert_problem(problem, "No such role.")


def test_a_role_is_found_by_its_id(app, client, admin):
    log_in_client(client, admin)
    with app.app_context():
        public = Role.objects.get(name="Public")

    assert "<h1>Role Public</h1>" in client.get(f"/admin/roles/{public.id}").text


@pytest.mark.parametrize("which", [UNKNOWN, MALFORMED, "theirs"])
def test_a_notification_that_is_not_the_members_is_404_and_stays_unread(app, client, mia, which):
    theirs = NotificationFactory(text="Not for Mia")
    notification_id = str(theirs.id) if which == "theirs" else which
    token = csrf_token(log_in_client(client, mia).text)

    page = client.post(f"/notifications/{notification_id}/read", headers={"X-CSRFToken": token})
    problem = client.post(
        f"{API}/notifications/{notification_id}/read", headers=bearer(log_in_api(client, mia))
    )

    assert_error_page(page, "No such notification.")
    assert_problem(problem, "No such notification.")
    assert Notification.objects.get(id=theirs.id).read is False


def test_a_members_own_notification_is_marked_read(app, client, mia):
    note = NotificationFactory(user=mia, text="For Mia", link="/songs")
    log_in_client(client, mia)

    response = client.post(
        f"{API}/notifications/{note.id}/read", headers=bearer(log_in_api(client, mia))
    )

    assert response.status_code == 200
    assert response.get_json()["read"] is True
    assert Notification.objects.get(id=note.id).read is True
