"""Links in mail are built on EXTERNAL_URL, never on the Host a request names, and a
request for a host the app does not serve is refused (400)."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.helpers import csrf_token, link_in, mails_to, wait_for_mail

pytestmark = pytest.mark.usefixtures("worker")

EXTERNAL = "https://music.example.org"


def ask_for_reset(client, email: str, base_url: str):
    token = csrf_token(client.get("/reset", base_url=base_url).text)
    return client.post("/reset", data={"email": email, "csrf_token": token}, base_url=base_url)


def test_mail_links_use_the_external_url_whichever_host_was_asked(make_app, settings):
    app = make_app(EXTERNAL_URL=EXTERNAL)
    user = UserFactory()

    response = ask_for_reset(app.test_client(), user.email, "http://localhost")

    assert response.status_code in (200, 302)
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], user.email)
    assert link_in(mail.text, "/reset/").startswith(f"{EXTERNAL}/reset/")
    assert "localhost" not in mail.text
    assert f'href="{EXTERNAL}/reset/' in mail.html


def test_a_forged_host_is_refused_before_any_mail(make_app, settings):
    app = make_app(WTF_CSRF_ENABLED=False)  # the Host alone decides here
    user = UserFactory()
    client = app.test_client()

    forged = client.post("/reset", data={"email": user.email}, headers={"Host": "evil.example"})
    registration = client.post(
        "/register",
        data={"username": "eve", "email": "eve@example.org", "password": "x" * 12},
        headers={"Host": "evil.example"},
    )
    honest = client.post("/reset", data={"email": user.email})

    assert forged.status_code == 400
    assert registration.status_code == 400
    assert honest.status_code in (200, 302)
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], user.email)
    assert "evil.example" not in mail.text
    assert mails_to(settings["INSTANCE_PATH"], "eve@example.org") == []


def test_an_untrusted_host_gets_a_problem_or_a_page(app):
    client = app.test_client()

    api = client.get("/api/v1/me", headers={"Host": "evil.example"})
    page = client.get("/login", headers={"Host": "evil.example:5000"})

    assert api.status_code == 400
    assert api.mimetype == "application/problem+json"
    assert page.status_code == 400
    assert page.mimetype == "text/html"


@pytest.mark.parametrize("host", ["127.0.0.1:5000", "localhost:5000", "localhost"])
def test_the_local_names_are_served(make_app, host):
    development_like = make_app(WEB_PORT=5000)

    assert development_like.test_client().get("/login", headers={"Host": host}).status_code == 200


def test_more_hosts_can_be_trusted(make_app):
    app = make_app(EXTERNAL_URL=EXTERNAL, TRUSTED_HOSTS=[".example.net"])
    client = app.test_client()

    assert client.get("/login", headers={"Host": "music.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "www.example.net"}).status_code == 200
    assert client.get("/login", headers={"Host": "localhost"}).status_code == 400
