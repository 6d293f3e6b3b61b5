"""/dev/outbox: development mail, readable with clickable links; absent in production."""

from __future__ import annotations

import pytest

from app.mail import outbox
from app.mail.message import MailMessage

MESSAGE = MailMessage(
    to="bob@example.org",
    subject="Confirm <your> account",
    sender="Encore <no-reply@localhost>",
    text="Hello Bob,\nconfirm here: http://localhost/confirm/abc?x=1&y=2\n<script>alert(1)</script>",
    html="<p>Hello <b>Bob</b></p>",
    template="welcome",
)


def deliver(settings) -> str:
    return outbox.save(outbox.outbox_folder(settings["INSTANCE_PATH"]), MESSAGE).id


def test_outbox_lists_mail_newest_first(app, client, settings):
    first = deliver(settings)
    second = deliver(settings)

    page = client.get("/dev/outbox/").text

    assert page.index(second) < page.index(first)
    assert "Confirm &lt;your&gt; account" in page
    assert "bob@example.org" in page


def test_a_mail_shows_its_text_with_clickable_links_and_escaped_markup(app, client, settings):
    page = client.get(f"/dev/outbox/{deliver(settings)}").text

    assert '<a href="http://localhost/confirm/abc?x=1&amp;y=2">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert 'sandbox="allow-popups allow-top-navigation-by-user-activation"' in page


def test_unknown_mail_is_404(app, client):
    assert client.get("/dev/outbox/" + "0" * 32).status_code == 404
    assert client.get("/dev/outbox/../../etc").status_code == 404


def test_empty_outbox_says_so(app, client):
    assert "The outbox is empty." in client.get("/dev/outbox/").text


def test_no_outbox_in_production(make_app):
    production = make_app(
        ENCORE_ENV="production", MAIL_BACKEND="smtp", EXTERNAL_URL="https://songs.example"
    )

    assert production.test_client().get("/dev/outbox/").status_code == 404


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1"])
def test_the_outbox_answers_loopback_clients(app, settings, address):
    deliver(settings)

    response = app.test_client().get("/dev/outbox/", environ_base={"REMOTE_ADDR": address})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("hops", "peer", "forwarded_for"),
    [
        (0, "203.0.113.9", None),
        # No proxy is trusted: a client claiming to be local is not believed.
        (0, "203.0.113.9", "127.0.0.1"),
        # One proxy on this machine: what it appends is the real client.
        (1, "127.0.0.1", "127.0.0.1, 203.0.113.9"),
        (1, "127.0.0.1", "203.0.113.9"),
    ],
)
def test_the_outbox_is_404_for_everyone_else(make_app, settings, hops, peer, forwarded_for):
    mail_id = deliver(settings)
    client = make_app(PROXY_FIX_HOPS=hops).test_client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    for path in ("/dev/outbox/", f"/dev/outbox/{mail_id}"):
        response = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": peer})
        assert response.status_code == 404, path
        assert MESSAGE.to not in response.text
