"""The main journey once in German: the language is chosen in the navbar menu, and the
account pages, the activation mail, the upload page and the library speak German."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from tests.factories import STRONG_PASSWORD
from tests.fixtures import audio_file

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app", "worker")]


def test_register_activate_log_in_and_upload_in_german(page):
    page.goto("/")
    page.get_by_test_id("language-menu").click()
    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")

    page.get_by_role("link", name="Registrieren").first.click()
    expect(page.locator("h1")).to_have_text("Konto anlegen")
    page.fill("#username", "greta")
    page.fill("#first_name", "Greta")
    page.fill("#last_name", "Keller")
    page.fill("#email", "greta@example.org")
    page.fill("#password", STRONG_PASSWORD)
    page.fill("#password_confirm", STRONG_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("h1")).to_have_text("Sehen Sie in Ihr Postfach")

    page.goto("/dev/outbox/")
    page.get_by_role("link", name=re.compile("Willkommen")).first.click()
    page.locator("[data-testid=mail-text] a[href*='/confirm/']").first.click()
    expect(page.locator(".flashes .alert").first).to_contain_text("bestätigt")

    expect(page.locator("h1")).to_have_text("Anmelden")
    expect(page.locator("label[for=email]")).to_have_text("E-Mail oder Benutzername")
    page.fill("#email", "greta")
    page.fill("#password", STRONG_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("h1")).to_have_text("Willkommen, Greta")
    # The language cookie set before registering still holds once signed in.
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert User.objects.get(username="greta").confirmed_at is not None

    page.goto("/songs/upload")
    page.set_input_files("#files", str(audio_file("tone-523hz-5s.ogg")))
    page.click("#start-uploads")
    row = page.locator("tr.upload-row")
    expect(row.locator(".status")).to_have_text("bereit", timeout=30_000)
    expect(row.locator(".transfer a")).to_have_text("Song öffnen")

    page.goto("/account")
    expect(page.locator("h1")).to_have_text("Mein Konto")
    expect(page.get_by_role("button", name="Überall abmelden")).to_be_visible()
