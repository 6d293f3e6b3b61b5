"""The pages, the API's problems, dates, numbers and sizes in German and French."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest
from flask import render_template_string, url_for

from app.accounts.models import User
from tests.factories import AlbumFactory, NotificationFactory, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.logins import TEST_PASSWORD, bearer, log_in_api, log_in_client

#: English interface phrases none of which a German or French page may show.
ENGLISH = [
    "Skip to content",
    "Mark all read",
    "All notifications",
    "Log out",
    "Change password",
    "Welcome back",
    "Latest songs",
    "Upload songs",
    "Your songs",
    "Search title",
    "Sort by",
    "Any status",
    "Default order",
    "Download",
    "Edit",
    "Delete song",
    "Delete album",
    "Rating",
    "Duration",
    "File Name",
    "Uploaded",
    "Unknown artist",
    "Audio files",
    "Upload all",
    "No album",
    "Nothing yet",
    "Not Found",
    "Back to the start page",
    "ready",
    "Colour theme",
    "used, no quota",
]


def visible_text(html: str) -> str:
    """What a reader sees or hears: text and readable attributes, no markup or code."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    attributes = re.findall(
        r'(?:title|aria-label|placeholder|data-confirm|data-label)="([^"]*)"', html
    )
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join([text, *attributes])


@pytest.fixture
def library(app):
    member = UserFactory(first_name="Ada")
    album = AlbumFactory(owner=member, title="Kind of Blue")
    song = SongFactory(owner=member, title="So What", status="ready", album=album, rating=4)
    NotificationFactory(user=member, text="Willkommen")
    return member, album, song


@pytest.mark.parametrize("language", ["de", "fr"])
def test_no_english_is_left_on_the_translated_pages(app, client, library, language):
    member, album, song = library
    member.update(set__locale=language)
    log_in_client(client, member)

    pages = {
        path: client.get(path)
        for path in (
            "/",
            "/songs",
            f"/songs/{song.id}",
            f"/albums/{album.id}",
            "/songs/upload",
            "/notifications/",
            "/no-such-page",
        )
    }

    for path, response in pages.items():
        assert response.status_code == (404 if path == "/no-such-page" else 200), path
        assert f'<html lang="{language}">' in response.text
        text = visible_text(response.text)
        assert [phrase for phrase in ENGLISH if phrase in text] == [], path


#: English phrases of the account and admin pages none of which a German or French page
#: may show.
ENGLISH_ACCOUNT_AND_ADMIN = [
    "Email or username",
    "Forgot your password?",
    "Create an account",
    "Log in with a passkey",
    "Resend the activation mail",
    "Create your account",
    "Already registered?",
    "First name",
    "Last name",
    "Send it again",
    "My account",
    "Signed in as",
    "Save name",
    "Email address",
    "Change email address",
    "Change username",
    "Your second factors",
    "Authenticator app",
    "Recovery codes",
    "Sessions and API tokens",
    "This login",
    "Sign out everywhere",
    "Export my data",
    "Delete my account",
    "Admin dashboard",
    "Manage users",
    "Manage songs",
    "Stored audio",
    "Last failed songs",
    "Audit log",
    "Newest first",
    "Any",
    "Apply",
    "Joined",
    "Confirmed",
    "Username",
    "Choose all",
    "Activate",
    "in all",
    "Manages users, roles and all content",
    "A member: manages",
    "New role",
    "Second factors",
    "Send password reset",
    "Delete this user",
]


@pytest.mark.parametrize("language", ["de", "fr"])
def test_no_english_is_left_on_the_account_and_admin_pages(app, client, language):
    admin = UserFactory(username="boss", admin=True, locale=language)
    member = UserFactory(username="member", first_name="Mia")
    SongFactory(owner=admin, title="Broken", status="failed", status_reason="Kaputt")
    asked = {"Accept-Language": language}

    pages = {path: client.get(path, headers=asked) for path in ("/login", "/register")}
    log_in_client(client, admin)
    for path in (
        "/account",
        "/songs/upload",
        "/admin/",
        "/admin/users",
        f"/admin/users/{member.id}",
        "/admin/roles",
    ):
        pages[path] = client.get(path)

    for path, response in pages.items():
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.text, path
        text = visible_text(response.text)
        found = [phrase for phrase in [*ENGLISH, *ENGLISH_ACCOUNT_AND_ADMIN] if phrase in text]
        assert found == [], path


#: More English phrases of the account, second-factor and admin pages.
ENGLISH_MORE = [
    "Back to my account",
    "Two-factor and passkeys",
    "You have no recovery codes",
    "Add a passkey",
    "Your address now",
    "Your username now",
    "Confirm it is you",
    "This cannot be undone",
    "Keep it",
    "Every change made in the admin area",
    "Check your inbox",
    "Back to the site",
]


def test_the_other_account_and_admin_pages_in_german(app, client):
    admin = UserFactory(username="boss", admin=True, locale="de")
    AlbumFactory(owner=admin, title="Kind of Blue")
    SongFactory(owner=admin, title="So What")
    log_in_client(client, admin)
    with app.test_request_context():
        paths = [
            url_for(f"security.{endpoint}")
            for endpoint in (
                "two_factor_setup",
                "mf_recovery_codes",
                "wan_register",
                "change_email",
                "change_username",
                "change_password",
                "verify",
                "wan_verify",
            )
        ]
    paths += ["/account/delete", "/admin/songs", "/admin/albums", "/admin/audit"]
    paths += ["/register/check-inbox", "/api/docs"]

    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="de">' in response.text, path
        text = visible_text(response.text)
        phrases = [*ENGLISH, *ENGLISH_ACCOUNT_AND_ADMIN, *ENGLISH_MORE]
        assert [phrase for phrase in phrases if phrase in text] == [], path


def test_the_account_page_in_german(app, client):
    member = UserFactory(username="ada", locale="de")
    log_in_client(client, member)

    page = client.get("/account").text

    assert "Angemeldet als <strong>ada</strong>" in page
    assert "Überall abmelden" in page
    # A duration setting in the page's language.
    assert "gilt 1 Tag, sofern es nicht widerrufen wird" in page


def test_flask_security_messages_we_override_are_translated(app, client):
    member = UserFactory(username="newbie", unconfirmed=True)
    token = csrf_token(client.get("/login", headers={"Accept-Language": "fr"}).text)

    page = client.post(
        "/login",
        data={"email": "newbie", "password": TEST_PASSWORD, "csrf_token": token},
        headers={"Accept-Language": "fr"},
    ).text

    assert member.confirmed_at is None
    assert "Ce compte n\u2019est pas encore activé" in html.unescape(page)


def test_a_refused_body_is_explained_in_the_language_asked(make_app):
    small = make_app(MAX_REQUEST_KB=16)
    client = small.test_client()
    with small.app_context():
        member = UserFactory(locale="fr")
    log_in_client(client, member)

    response = client.post(
        "/api/v1/albums",
        data=b"x" * (17 * 1024),
        headers={"Accept-Language": "de", "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    # Accept-Language alone: the body is refused before the account is looked at.
    assert response.get_json()["detail"] == (
        "Der Anfragetext ist größer als 16 KiB, das Höchste, was diese Adresse annimmt."
    )


def test_a_missing_permission_is_explained_in_the_readers_language(app, client):
    member = UserFactory(locale="de")
    log_in_client(client, member)

    page = client.get("/admin/users")
    problem = client.get("/admin/users", headers={"Accept": "application/json"})

    assert page.status_code == 403
    assert "403 · Verboten" in page.text
    assert problem.get_json()["detail"] == (
        "Dafür ist die Berechtigung admin:view (Den Admin-Bereich öffnen; jeder Abschnitt "
        "braucht zusätzlich seine eigene Berechtigung) nötig, die keine Ihrer Rollen gewährt."
    )


def test_the_audit_log_names_actions_in_the_readers_language(app, client):
    admin = UserFactory(username="boss", admin=True, locale="fr")
    member = UserFactory(username="member")
    log_in_client(client, admin)
    page = client.get(f"/admin/users/{member.id}").text
    client.post(
        f"/admin/users/{member.id}/unlock",
        data={"csrf_token": csrf_token(page)},
    )
    client.post(
        f"/admin/users/{member.id}/password-reset",
        data={"csrf_token": csrf_token(page)},
    )

    audit = client.get("/admin/audit").text

    assert 'data-action="user.password_reset"' in audit
    assert "a envoyé une réinitialisation du mot de passe" in html.unescape(audit)


def test_the_welcome_page_in_german(app, client):
    page = client.get("/", headers={"Accept-Language": "de-AT"}).text

    assert "Ihre Songs, überall" in page
    assert ">Registrieren</a>" in page


def script_strings(page: str) -> dict:
    found = re.search(r'<body data-i18n="([^"]*)"', page)
    return json.loads(html.unescape(found.group(1))) if found else {}


def test_pages_carry_the_scripts_strings_in_their_language(app, client):
    french = client.get("/", headers={"Accept-Language": "fr"}).text
    english = client.get("/").text

    assert script_strings(french)["Open song"] == "Ouvrir le morceau"
    assert script_strings(french)["ready"] == "prêt"
    assert script_strings(english) == {}


def test_the_api_answers_problems_in_the_asked_language(app, client):
    member = UserFactory(locale="fr")
    token = log_in_api(client, member)

    missing = client.get(
        "/api/v1/songs/0123456789abcdef01234567",
        headers={**bearer(token), "Accept-Language": "de"},
    )
    invalid = client.post(
        "/api/v1/albums",
        json={"title": " "},
        headers={**bearer(token), "Accept-Language": "de-DE,de;q=0.9"},
    )
    unasked = client.get("/api/v1/songs/0123456789abcdef01234567", headers=bearer(token))

    assert missing.status_code == 404
    assert missing.get_json()["title"] == "Nicht gefunden"
    assert missing.get_json()["detail"] == "Diesen Song gibt es nicht."
    assert invalid.status_code == 422
    assert invalid.get_json()["title"] == "Ungültige Eingabe"
    assert invalid.get_json()["errors"]["title"] == "Bitte geben Sie dem Album einen Titel."
    # Without Accept-Language, the account's language.
    assert unasked.get_json()["detail"] == "Ce morceau n\u2019existe pas."


def test_an_unauthenticated_api_call_is_answered_in_the_asked_language(app, client):
    response = client.get("/api/v1/songs", headers={"Accept-Language": "fr"})

    assert response.status_code == 401
    assert response.get_json()["title"] == "Non authentifié"


@pytest.mark.parametrize(
    ("language", "size", "count"),
    [
        ("en", "3.5 MB", "1,234 songs"),
        ("de", "3,5 MB", "1.234 Songs"),
        ("fr", "3,5\u202fMo", "1\u202f234 morceaux"),
    ],
)
def test_sizes_and_numbers_are_written_the_local_way(app, language, size, count):
    template = (
        '{{ 3_500_000 | file_size }}|{{ ngettext("%(num)s song", "%(num)s songs", 1234, '
        "num=1234 | number) }}"
    )
    with app.test_request_context("/", headers={"Accept-Language": language}):
        rendered = render_template_string(template)

    assert rendered == f"{size}|{count}"


def test_dates_are_in_utc_labelled_as_such_without_a_time_zone(app, client, library):
    member, _album, song = library
    song.update(set__created_at=datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    member.update(set__locale="de")
    log_in_client(client, member)

    page = client.get(f"/songs/{song.id}").text

    assert "09.03.2026, 22:30:00 UTC" in page


def test_dates_are_in_the_users_time_zone_when_they_chose_one(app, client, library):
    member, _album, song = library
    song.update(set__created_at=datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    member.update(set__locale="fr", set__timezone="Europe/Paris")
    log_in_client(client, member)

    page = client.get(f"/songs/{song.id}").text

    assert "9 mars 2026, 23:30:00" in page
    assert "23:30:00 UTC" not in page


def test_a_time_zone_that_does_not_exist_is_refused(app):
    member = UserFactory()
    member.timezone = "Mars/Olympus_Mons"

    with pytest.raises(Exception, match="unknown time zone"):
        member.validate()
    assert User.objects.get(id=member.id).timezone is None
