"""Users in the admin area: search, filters, sorts, pages, editing, bulk (de)activation,
the self-lockout rules, deletion with everything the user owns, password reset mail."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import User
from app.admin.models import AuditEntry
from app.database import get_database
from app.library.models import Song
from tests.factories import SongFactory, UserFactory
from tests.helpers import csrf_token, link_in, wait_for_mail
from tests.logins import log_in_client


@pytest.fixture
def admin(app) -> User:
    return UserFactory(username="boss", email="boss@example.org", first_name="Bea", admin=True)


@pytest.fixture
def token(client, admin) -> str:
    """Log the admin in on ``client``; the CSRF token for its forms."""
    return csrf_token(log_in_client(client, admin).text)


def listed(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/users/[0-9a-f]{24}">([^<]+)</a>', html)


def flashes(html: str) -> list[str]:
    alert = r'<div class="alert alert-\w+[^"]*" role="alert">'
    return re.findall(alert + r"\s*(?:<button[^>]*></button>)?\s*([^<]+?)\s*</div>", html)


def audit_actions() -> list[str]:
    return [entry.action for entry in AuditEntry.objects.order_by("created_at", "id")]


@pytest.fixture
def people(app) -> dict[str, User]:
    return {
        "anna": UserFactory(
            username="annak", email="anna.k@example.org", first_name="Anna", last_name="Karenina"
        ),
        "bob": UserFactory(
            username="bobby", email="robert@example.net", first_name="Robert", last_name="Smith"
        ),
    }


SEARCHES = [  # (what is typed, usernames found)
    ("ROBERT@EX", ["bobby"]),  # email prefix, any case
    ("Bob", ["bobby"]),  # username prefix
    ("BOSS", ["boss"]),
    ("kAREN", ["annak"]),  # last name, any case
    ("anna", ["annak"]),  # username and first name
    ("robert smi", ["bobby"]),  # every word must match
    ("", ["annak", "bobby", "boss"]),
    ("example.org", []),  # prefixes only
    ("(.*", []),  # not a regex
]


def test_search_by_email_username_and_name_in_any_case(client, token, people):
    indexes = User._get_collection().index_information()
    assert {"email_1", "username_1"} <= set(indexes)  # the case SecantusDB gets wrong

    for text, expected in SEARCHES:
        page = client.get("/admin/users", query_string={"q": text, "sort": "username"})
        assert page.status_code == 200, text
        assert listed(page.text) == expected, text


def test_filters_by_role_active_and_confirmed(client, token, app):
    UserFactory(username="sleeper", active=False)
    UserFactory(username="fresh", confirmed_at=None)

    assert listed(client.get("/admin/users?role=Admin").text) == ["boss"]
    assert listed(client.get("/admin/users?active=no").text) == ["sleeper"]
    assert listed(client.get("/admin/users?active=yes&confirmed=no").text) == ["fresh"]
    assert listed(client.get("/admin/users?role=Public&confirmed=yes").text) == ["sleeper"]


def test_sorts_and_bad_filters(client, token, app):
    UserFactory(username="zed", email="a@example.org")
    UserFactory(username="abe", email="z@example.org")

    assert listed(client.get("/admin/users?sort=username").text) == ["abe", "boss", "zed"]
    assert listed(client.get("/admin/users?sort=email").text) == ["zed", "boss", "abe"]
    assert listed(client.get("/admin/users?sort=created").text) == ["abe", "zed", "boss"]
    for query in ("sort=age", "role=Nobody", "active=maybe", "page=0", "page=x"):
        assert client.get(f"/admin/users?{query}").status_code == 422, query
    page = client.get("/admin/users?page=x").text
    assert "Not a valid integer value." in page
    assert "at least 1" not in page  # one reason for one bad value
    assert "Number must be at least 1." in client.get("/admin/users?page=0").text


def insert_users(count: int) -> None:
    """``count`` members in one insert, without hashing a password for each (validated,
    which gives them their search words as a save does)."""
    users = [
        UserFactory.build(
            username=f"user{number:02d}", email=f"user{number:02d}@example.org", password=None
        )
        for number in range(count)
    ]
    for user in users:
        user.validate()
    User.objects.insert(users)


def test_pages_of_fifty(app, client, token):
    with app.app_context():
        insert_users(60)

    first = client.get("/admin/users?sort=username&q=user").text
    second = client.get("/admin/users?sort=username&q=user&page=2").text

    assert listed(first) == [f"user{number:02d}" for number in range(50)]
    assert listed(second) == [f"user{number:02d}" for number in range(50, 60)]
    assert "Page 1 of 2" in first
    assert 'href="/admin/users?page=2&amp;sort=username&amp;q=user"' in first


def test_everyone_newest_first_is_the_default_and_pages_by_position(app, client, token):
    with app.app_context():
        datastore = app.extensions["security"].datastore
        made = [
            datastore.create_user(
                username=f"new{number:02d}", email=f"new{number:02d}@example.org", password="x"
            ).username
            for number in range(55)
        ]
        datastore.delete_user(User.objects.get(username="new50"))
    newest_first = [name for name in reversed(made) if name != "new50"]
    everyone = [*newest_first, "boss"]  # boss (the admin) was made before them

    first, second = client.get("/admin/users").text, client.get("/admin/users?page=2").text

    assert listed(first) == everyone[:50]
    assert listed(second) == everyone[50:]
    assert "55 users" in first
    assert "Page 1 of 2" in first
    assert listed(client.get("/admin/users?page=9").text) == everyone[50:]  # the last page


def test_a_page_past_the_end_shows_the_last_page(app, client, token):
    with app.app_context():
        insert_users(60)

    response = client.get("/admin/users?sort=username&q=user&page=7")

    assert response.status_code == 200
    assert listed(response.text) == [f"user{number:02d}" for number in range(50, 60)]
    assert "Page 2 of 2" in response.text


def test_edit_names_roles_and_active_is_stored_and_audited(client, token, app):
    member = UserFactory(username="mia", first_name="Mia", last_name="Old")
    page = client.get(f"/admin/users/{member.id}")
    assert 'name="password"' not in page.text
    assert member.password not in page.text

    response = client.post(
        f"/admin/users/{member.id}",
        data={
            "csrf_token": token,
            "first_name": "Mia",
            "last_name": "New",
            "roles": ["Admin", "Public"],
            # "active" unchecked
        },
    )

    assert response.status_code == 302
    member.reload()
    assert member.last_name == "New"
    assert sorted(role.name for role in member.roles) == ["Admin", "Public"]
    assert not member.active
    assert audit_actions() == ["user.update", "user.roles", "user.deactivate"]
    roles_entry = AuditEntry.objects.get(action="user.roles")
    assert roles_entry.actor == "boss"
    assert roles_entry.target == f"mia <{member.email}>"
    assert roles_entry.details == {"roles": {"from": ["Public"], "to": ["Admin", "Public"]}}


def test_bad_names_are_explained_and_change_nothing(client, token, app):
    member = UserFactory(username="mia")

    response = client.post(
        f"/admin/users/{member.id}",
        data={"csrf_token": token, "first_name": " ", "last_name": "X", "active": "y"},
    )

    assert response.status_code == 422
    assert "must not be empty" in response.text
    assert User.objects.get(id=member.id).first_name == "Member"
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"roles": ["Admin", "Public"]}, "You cannot deactivate yourself."),
        ({"roles": ["Public"], "active": "y"}, "take away your own users:manage"),
    ],
)
def test_an_admin_cannot_lock_themselves_out(client, token, admin, form, message):
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"csrf_token": token, "first_name": "Bea", "last_name": "1", **form},
    )

    assert response.status_code == 422
    assert message in response.text
    admin.reload()
    assert admin.active
    assert "Admin" in [role.name for role in admin.roles]


def test_bulk_deactivate_and_activate(client, token, app):
    first, second, bystander = UserFactory(), UserFactory(), UserFactory()
    ids = [str(first.id), str(second.id)]

    response = client.post(
        "/admin/users/bulk",
        data={"csrf_token": token, "ids": ids, "action": "deactivate", "next": "/admin/users?q=m"},
        follow_redirects=True,
    )

    assert response.request.path == "/admin/users"
    assert response.request.query_string == b"q=m"
    assert flashes(response.text) == ["2 users deactivated."]
    assert [u.active for u in User.objects(id__in=ids)] == [False, False]
    assert User.objects.get(id=bystander.id).active
    assert audit_actions() == ["user.deactivate", "user.deactivate"]

    client.post("/admin/users/bulk", data={"csrf_token": token, "ids": ids, "action": "activate"})

    assert [u.active for u in User.objects(id__in=ids)] == [True, True]


def test_bulk_deactivation_refuses_the_admin_themselves(client, token, admin, app):
    member = UserFactory()

    response = client.post(
        "/admin/users/bulk",
        data={"csrf_token": token, "ids": [str(member.id), str(admin.id)], "action": "deactivate"},
        follow_redirects=True,
    )

    assert flashes(response.text) == ["You cannot deactivate yourself."]
    assert User.objects.get(id=member.id).active
    assert User.objects.get(id=admin.id).active


def test_a_bulk_action_without_choices_is_explained(client, token):
    response = client.post(
        "/admin/users/bulk", data={"csrf_token": token, "action": "activate"}, follow_redirects=True
    )

    assert flashes(response.text) == ["Choose at least one user."]


def test_deleting_a_user_deletes_their_songs_and_files(app, client, token):
    member = UserFactory(username="leaving", email="leaving@example.org")
    SongFactory(owner=member, title="One")
    SongFactory(owner=member, title="Two")

    response = client.post(
        f"/admin/users/{member.id}/delete", data={"csrf_token": token}, follow_redirects=True
    )

    assert flashes(response.text) == ["User leaving deleted with 2 songs."]
    assert User.objects(id=member.id).count() == 0
    assert Song.objects.count() == 0
    assert get_database()["songs.files"].count_documents({}) == 0
    assert get_database()["songs.chunks"].count_documents({}) == 0
    entry = AuditEntry.objects.get(action="user.delete")
    assert (entry.target, entry.details) == ("leaving <leaving@example.org>", {"songs": 2})


def test_an_admin_cannot_delete_themselves(client, token, admin):
    response = client.post(
        f"/admin/users/{admin.id}/delete", data={"csrf_token": token}, follow_redirects=True
    )

    assert flashes(response.text) == ["You cannot delete yourself."]
    assert User.objects(id=admin.id).count() == 1


def test_an_admin_post_without_csrf_is_refused(client, token, app):
    member = UserFactory()

    response = client.post(f"/admin/users/{member.id}/delete")

    assert response.status_code == 400
    assert User.objects(id=member.id).count() == 1


@pytest.mark.usefixtures("worker")
def test_send_password_reset_mails_a_working_link(client, token, app, settings):
    member = UserFactory(username="forgetful", email="forgetful@example.org")

    response = client.post(
        f"/admin/users/{member.id}/password-reset",
        data={"csrf_token": token},
        follow_redirects=True,
    )

    assert flashes(response.text) == [
        "A password reset link is on its way to forgetful@example.org."
    ]
    (mail,) = wait_for_mail(settings["INSTANCE_PATH"], "forgetful@example.org")
    path = "/reset/" + link_in(mail.text, "/reset/").split("/reset/", 1)[1]
    assert client.get(path).status_code == 200
    assert audit_actions() == ["user.password_reset"]


def test_no_password_reset_for_a_deactivated_user(client, token, app):
    member = UserFactory(username="sleeper", active=False)

    response = client.post(
        f"/admin/users/{member.id}/password-reset",
        data={"csrf_token": token},
        follow_redirects=True,
    )

    assert flashes(response.text) == ["sleeper is deactivated: activate the account first."]
    assert AuditEntry.objects.count() == 0


def test_an_unknown_user_is_404(client, token):
    assert client.get("/admin/users/0123456789abcdef01234567").status_code == 404
    assert client.get("/admin/users/not-an-id").status_code == 404
