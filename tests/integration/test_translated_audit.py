"""Audit entries name their target and details in the reader's language."""

from __future__ import annotations

import html

from app.admin.audit import describe_album, describe_role, describe_song, record
from app.admin.models import AuditEntry
from tests.factories import AlbumFactory, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


def test_targets_are_stored_as_kind_and_names_and_in_english(app, client):
    admin = UserFactory(username="boss", admin=True, locale="de")
    member = UserFactory(username="mia")
    song = SongFactory(owner=member, title="Doomed", status="ready")
    token = csrf_token(log_in_client(client, admin).text)

    client.post(f"/admin/songs/{song.id}/delete", data={"csrf_token": token})

    entry = AuditEntry.objects.get(action="song.delete")
    assert (entry.target_kind, entry.target_names) == ("song", {"title": "Doomed", "owner": "mia"})
    assert entry.target == "song “Doomed” of mia"


def test_the_german_audit_page_words_targets_and_details_in_german(app, client):
    admin = UserFactory(username="boss", admin=True, locale="de")
    member = UserFactory(username="mia", first_name="Mia", last_name="Old")
    album = AlbumFactory(owner=member, title="Gone")
    token = csrf_token(log_in_client(client, admin).text)
    client.post(
        f"/admin/users/{member.id}",
        data={
            "csrf_token": token,
            "first_name": "Mia",
            "last_name": "New",
            "roles": ["Public"],
            "active": "y",
        },
    )
    client.post("/admin/roles", data={"csrf_token": token, "name": "Editor"})
    with app.app_context():
        record(admin, "album.delete", describe_album("Gone", "mia"), album.id, songs_deleted=2)

    page = html.unescape(client.get("/admin/audit").text)

    assert "Rolle Editor" in page
    assert "Album „Gone“ von mia" in page
    assert "gelöschte Songs: 2" in page
    assert "Nachname: Old → New" in page
    assert "role Editor" not in page
    assert "last_name" not in page


def test_the_french_audit_page_words_a_role_and_a_status_in_french(app, client):
    admin = UserFactory(username="boss", admin=True, locale="fr")
    with app.app_context():
        record(admin, "role.create", describe_role("Editor"))
        record(admin, "song.requeue", describe_song("Intro", "mia"), previous="failed")
    log_in_client(client, admin)

    page = html.unescape(client.get("/admin/audit").text)

    assert "rôle Editor" in page
    assert "morceau « Intro » de mia" in page
    assert "statut précédent: échec" in page


def test_entries_stored_as_text_alone_are_shown_as_stored(app, client):
    admin = UserFactory(username="boss", admin=True, locale="fr")
    with app.app_context():
        record(admin, "role.update", "role Legacy", unknown_key="kept")
    log_in_client(client, admin)

    page = html.unescape(client.get("/admin/audit").text)

    assert "role Legacy" in page
    assert "unknown_key: kept" in page
