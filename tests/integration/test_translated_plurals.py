"""Counts read right in every language: one form per count (ngettext), never "1 actifs"."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from app.errors import Gone
from app.exports.models import Export
from app.exports.services import downloadable_export
from app.library.pipeline import _gave_up_reason
from tests.factories import NotificationFactory, SongFactory, UserFactory
from tests.logins import log_in_client


def test_the_french_dashboard_says_one_active_in_the_singular(app, client):
    UserFactory(unconfirmed=True, inactive=True)
    log_in_client(client, UserFactory(admin=True, locale="fr"))

    page = client.get("/admin/").text

    assert "<strong>2</strong> en tout, 1 actif, 1 pas encore confirmé" in page
    assert "actifs" not in page


def test_the_german_dashboard_counts_in_the_plural(app, client):
    UserFactory()
    log_in_client(client, UserFactory(admin=True, locale="de"))

    page = client.get("/admin/").text

    assert "<strong>2</strong> insgesamt, 2 aktiv, 0 noch nicht bestätigt" in page


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "your 1 song with its audio file", "your 2 songs with their audio files"),
        ("de", "Ihren 1 Song mit seiner Audiodatei", "Ihre 2 Songs mit ihren Audiodateien"),
        (
            "fr",
            "votre 1 morceau avec son fichier audio",
            "vos 2 morceaux avec leurs fichiers audio",
        ),
    ],
)
def test_the_delete_page_says_song_and_audio_file_by_the_count(app, client, language, one, two):
    member = UserFactory(locale=language)
    SongFactory(owner=member, status="ready")
    log_in_client(client, member)

    assert one in html.unescape(client.get("/account/delete").text)
    SongFactory(owner=member, status="ready")
    assert two in html.unescape(client.get("/account/delete").text)


def test_the_bell_says_one_unread_in_the_singular(app, client):
    member = UserFactory(locale="fr")
    NotificationFactory(user=member, text="Bonjour")
    log_in_client(client, member)

    page = client.get("/songs").text

    assert 'aria-label="Notifications, 1 non lue"' in page
    assert "Notifications, 1 non lue" in html.unescape(page)  # the script's own message
    NotificationFactory(user=member, text="Encore")
    assert 'aria-label="Notifications, 2 non lues"' in client.get("/songs").text


@pytest.mark.parametrize(
    ("language", "words", "hour"),
    [
        ("en", "for 1 hour after", "1 hour"),
        ("de", "1 Stunde lang", "1 Stunde"),
        ("fr", "pendant 1\xa0heure une fois", "1\xa0heure"),
    ],
)
def test_an_export_kept_one_hour_says_hour(make_app, language, words, hour):
    app = make_app(EXPORT_TTL_HOURS=1.0)
    client = app.test_client()
    member = UserFactory(locale=language)
    log_in_client(client, member)

    assert words in html.unescape(client.get("/account").text)
    expired = Export(
        owner=member, state="ready", expires_at=datetime.now(UTC) - timedelta(minutes=1)
    ).save()
    with app.test_request_context(), force_locale(language), pytest.raises(Gone) as gone:
        downloadable_export(member, str(expired.id))
    assert hour in gone.value.detail


def test_a_song_given_up_after_one_attempt_says_one_time(make_app):
    app = make_app(PROCESSING_MAX_ATTEMPTS=1)

    with app.test_request_context(), force_locale("en"):
        assert _gave_up_reason().startswith("Processing started 1 time without finishing")
    with app.test_request_context(), force_locale("de"):
        assert _gave_up_reason().startswith("Die Verarbeitung wurde 1-mal begonnen")
