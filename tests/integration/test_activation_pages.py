"""Between registering and activating: a page that says to check the inbox and can send
the mail again, and a login that says the account is not activated yet."""

from __future__ import annotations

from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import register
from tests.logins import log_in_client


def test_registering_leads_to_check_your_inbox_with_a_resend_form(app, client):
    response = register(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/register/check-inbox"
    page = client.get(response.headers["Location"]).text
    assert "<h1>Check your inbox</h1>" in page
    assert 'action="/confirm"' in page
    assert 'name="email"' in page


def test_the_resend_form_sends_the_activation_mail_again(app, client):
    UserFactory(email="una@example.org", unconfirmed=True)
    form = client.get("/register/check-inbox").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    response = client.post(
        "/confirm", data={"email": "una@example.org", "csrf_token": token}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "Confirmation instructions have been sent to una@example.org" in response.text


def test_an_unactivated_account_with_the_right_password_is_told_so(app, client):
    UserFactory(username="ursula", unconfirmed=True)

    page = log_in_client(client, "ursula", TEST_PASSWORD, check=False).text

    assert "This account is not activated yet" in page
    assert 'href="/confirm"' in page
    assert "Welcome" not in page


def test_a_wrong_password_says_nothing_about_activation(app, client):
    UserFactory(username="ursula", unconfirmed=True)

    page = log_in_client(client, "ursula", "not the password", check=False).text

    assert "not activated" not in page
    assert "Welcome" not in page
