"""What is written away from the reader's request: mail, the reasons and notifications the
worker writes, in the recipient's language."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app.accounts.services import send_email_changed_notice
from app.library.models import Song
from app.library.pipeline import stuck_songs, utcnow
from app.notifications.models import Notification
from tests.factories import SongFactory, UserFactory
from tests.helpers import csrf_token, wait_for_mail
from tests.library import upload
from tests.logins import log_in_client

pytestmark = pytest.mark.usefixtures("worker")

WAIT_SECONDS = 30


def ask_for_reset(client, email: str, language: str):
    headers = {"Accept-Language": language}
    token = csrf_token(client.get("/reset", headers=headers).text)
    return client.post("/reset", data={"email": email, "csrf_token": token}, headers=headers)


def test_mail_is_in_the_account_language_whatever_page_asked_for_it(app, client, settings):
    user = UserFactory(locale="fr")

    ask_for_reset(client, user.email, "de")

    [mail] = wait_for_mail(settings["INSTANCE_PATH"], user.email)
    assert mail.subject == "Instructions de réinitialisation de votre mot de passe"
    assert "pour réinitialiser votre mot de passe" in mail.text
    assert mail.locale == "fr"


def test_mail_to_an_account_without_a_language_is_in_the_page_language(app, client, settings):
    user = UserFactory()

    ask_for_reset(client, user.email, "de")

    [mail] = wait_for_mail(settings["INSTANCE_PATH"], user.email)
    assert mail.subject == "Anleitung zur Passwortwiederherstellung"
    assert mail.locale == "de"


def test_the_old_address_is_told_of_a_new_one_in_the_account_language(app, settings):
    user = UserFactory(username="ann", email="ann@example.org", first_name="Ann", locale="de")
    user.update(set__email="ann.new@example.org")
    user.reload()

    # Asked from a French page: the notice is written in the account's German.
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        send_email_changed_notice(user, "ann@example.org")

    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "ann@example.org")
    assert mail.subject == "Die E-Mail-Adresse Ihres Encore-Kontos wurde geändert"
    assert "Hallo Ann," in mail.text
    assert "wurde von ann@example.org auf ann.new@example.org geändert" in mail.text
    assert mail.locale == "de"


def wait_for_notification(user) -> Notification:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = Notification.objects(user=user).first()
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no notification for {user} within {WAIT_SECONDS} s")


def test_the_worker_writes_to_the_owner_in_their_language(app, client):
    member = UserFactory(locale="de")
    token = csrf_token(log_in_client(client, member).text)

    upload(client, token, fields={"title": "Sinus"})

    notification = wait_for_notification(member)
    assert notification.text == "„Sinus“ kann jetzt abgespielt werden."


def test_the_upload_page_language_is_used_for_an_owner_without_one(app, client):
    member = UserFactory()
    token = csrf_token(log_in_client(client, member).text)

    client.set_cookie("encore_language", "fr", domain=app.config["SERVER_NAME"].split(":")[0])

    response = upload(client, token, fields={"title": "Sinus"})

    assert response.status_code == 201, response.text
    notification = wait_for_notification(member)
    assert notification.text == "« Sinus » est prêt à être écouté."
    assert Song.objects.get(title="Sinus").status == "ready"


def test_the_sweep_tells_the_owner_in_their_language(app):
    owner = UserFactory(locale="fr")
    with app.app_context():
        song = SongFactory(
            owner=owner,
            title="Usé",
            status="processing",
            lease_until=utcnow() - timedelta(seconds=1),
        )
        Song.objects(id=song.id).update(set__attempts=3)

        stuck_songs()

    reason = Song.objects.get(id=song.id).status_reason
    assert reason.startswith("Le traitement a commencé 3 fois sans aboutir")
    [notification] = Notification.objects(user=owner)
    assert notification.text == f"« Usé » n\u2019a pas pu être traité : {reason}"
