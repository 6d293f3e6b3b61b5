"""The language pages are served in: the account's choice, then the cookie the switcher
sets, then the browser's Accept-Language, then English; and the switcher itself."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import User
from tests.factories import UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


def page_language(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def set_language_cookie(app, client, value: str) -> None:
    client.set_cookie("encore_language", value, domain=app.config["SERVER_NAME"].split(":")[0])


def switch(client, language: str, next_url: str | None = "/songs"):
    token = csrf_token(client.get("/", follow_redirects=True).text)
    form = {"language": language, "csrf_token": token}
    if next_url is not None:
        form["next"] = next_url
    return client.post("/language", data=form)


def test_without_any_choice_pages_are_in_english(app, client):
    page = client.get("/").text

    assert page_language(page) == "en"
    assert "Your songs, everywhere" in page


def test_the_browser_language_is_used_when_nothing_else_is_chosen(app, client):
    page = client.get("/", headers={"Accept-Language": "fr-CH, de;q=0.8"}).text

    assert page_language(page) == "fr"
    assert "Vos morceaux, partout" in page


def test_a_language_the_site_does_not_offer_falls_back_to_english(app, client):
    page = client.get("/", headers={"Accept-Language": "ja, pt;q=0.5"}).text

    assert page_language(page) == "en"


def test_the_cookie_wins_over_the_browser_language(app, client):
    set_language_cookie(app, client, "fr")

    page = client.get("/", headers={"Accept-Language": "de"}).text

    assert page_language(page) == "fr"


def test_a_cookie_naming_an_unknown_language_is_ignored(app, client):
    set_language_cookie(app, client, "xx")

    page = client.get("/", headers={"Accept-Language": "de"}).text

    assert page_language(page) == "de"


def test_the_account_choice_wins_over_cookie_and_browser(app, client):
    log_in_client(client, UserFactory(locale="de"))
    set_language_cookie(app, client, "fr")

    page = client.get("/", headers={"Accept-Language": "fr"}).text

    assert page_language(page) == "de"
    assert "Willkommen, " in page  # a first sign-in: not "Bienvenue"


def test_the_switcher_sets_the_cookie_and_goes_back(app, client):
    response = switch(client, "de", next_url="/songs?q=blue")

    assert response.status_code == 302
    assert response.headers["Location"] == "/songs?q=blue"
    assert "encore_language=de" in response.headers["Set-Cookie"]
    assert page_language(client.get("/").text) == "de"


def test_the_switcher_stores_a_signed_in_users_choice(app, client):
    member = UserFactory()
    log_in_client(client, member)

    switch(client, "fr")

    assert User.objects.get(id=member.id).locale == "fr"


def test_the_switcher_is_on_the_login_page(app, client):
    page = client.get("/login").text

    assert 'action="/language"' in page
    assert re.search(r'name="language" value="de"', page)


def test_flask_security_pages_use_their_own_translations(app, client):
    page = client.get("/login", headers={"Accept-Language": "de"}).text

    assert page_language(page) == "de"
    assert "Passwort" in page  # Flask-Security's catalog ("flask_security" domain)
    assert "Registrieren" in page  # ours ("messages" domain): the navbar


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/songs",
        "/\\evil.example",
        "javascript:alert(1)",
        "songs",
        "",
    ],
)
def test_the_switcher_never_leaves_the_site(app, client, target):
    response = switch(client, "fr", next_url=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_switcher_without_a_target_goes_to_the_start_page(app, client):
    response = switch(client, "fr", next_url=None)

    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("language", ["xx", "", "de-DE", "EN"])
def test_an_unknown_language_is_a_clear_400(app, client, language):
    response = switch(client, language)

    assert response.status_code == 400
    assert "is not a language this site offers; choose one of en, de, fr" in response.text
    assert "encore_language" not in response.headers.get("Set-Cookie", "")


def test_an_unknown_language_from_the_api_is_a_problem(app, client):
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/language",
        data={"language": "xx", "csrf_token": token},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Unknown language"


def test_the_switcher_wants_the_csrf_token(app, client):
    response = client.post("/language", data={"language": "de"})

    assert response.status_code == 400
    assert "encore_language" not in response.headers.get("Set-Cookie", "")
