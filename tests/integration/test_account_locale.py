"""The account page's language and time zone card (/account/locale)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.accounts.models import User
from tests.factories import SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


def test_the_card_offers_every_language_and_time_zone_with_utc_chosen(app, client):
    UserFactory(email="ann@example.org")
    log_in_client(client, "ann@example.org")

    page = client.get("/account").text

    assert ">Language and time zone</h2>" in page
    assert '<option selected value="en">English</option>' in page
    assert '<option value="de">Deutsch</option>' in page
    assert '<option value="fr">Français</option>' in page
    assert '<option selected value="UTC">UTC</option>' in page
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in page
    assert page.index('value="Africa/Abidjan"') < page.index('value="Europe/Berlin"')


def test_the_chosen_language_and_time_zone_are_stored_and_used(app, client):
    member = UserFactory(email="ann@example.org")
    song = SongFactory(owner=member, title="So What", status="ready")
    song.update(set__created_at=datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    page = log_in_client(client, "ann@example.org")

    saved = client.post(
        "/account/locale",
        data={"language": "de", "timezone": "Europe/Berlin", "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )

    assert saved.status_code == 200
    assert "Ihre Sprache und Zeitzone wurden gespeichert." in saved.text
    assert '<option selected value="Europe/Berlin">' in saved.text
    stored = User.objects.get(id=member.id)
    assert (stored.locale, stored.timezone) == ("de", "Europe/Berlin")
    assert "09.03.2026, 23:30:00" in client.get(f"/songs/{song.id}").text


def test_an_unknown_time_zone_is_refused_in_the_readers_language(app, client):
    member = UserFactory(email="ann@example.org", locale="fr")
    page = log_in_client(client, "ann@example.org")

    refused = client.post(
        "/account/locale",
        data={
            "language": "de",
            "timezone": "Mars/Olympus_Mons",
            "csrf_token": csrf_token(page.text),
        },
    )

    assert refused.status_code == 422
    assert "« Mars/Olympus_Mons » n\u2019est pas un fuseau horaire" in refused.text
    assert "unknown time zone" not in refused.text
    stored = User.objects.get(id=member.id)
    assert (stored.locale, stored.timezone) == ("fr", None)


def test_an_unknown_language_is_refused_and_nothing_is_saved(app, client):
    member = UserFactory(email="ann@example.org")
    page = log_in_client(client, "ann@example.org")

    refused = client.post(
        "/account/locale",
        data={"language": "xx", "timezone": "Europe/Paris", "csrf_token": csrf_token(page.text)},
    )

    assert refused.status_code == 422
    assert "“xx” is not a language this site offers" in refused.text
    stored = User.objects.get(id=member.id)
    assert (stored.locale, stored.timezone) == (None, None)


def test_the_card_needs_the_forms_csrf_token(app, client):
    member = UserFactory(email="ann@example.org")
    log_in_client(client, "ann@example.org")

    refused = client.post("/account/locale", data={"language": "de", "timezone": "Europe/Paris"})

    assert refused.status_code == 400
    assert User.objects.get(id=member.id).timezone is None
