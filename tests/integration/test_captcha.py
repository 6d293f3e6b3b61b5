"""reCAPTCHA on registration: off without keys, required and verified with them."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from tests.fakes import FakeRecaptcha
from tests.helpers import register


@pytest.fixture
def recaptcha():
    fake = FakeRecaptcha()
    yield fake
    fake.close()


@pytest.fixture
def captcha_client(make_app, recaptcha):
    app = make_app(
        TESTING=False,  # Flask-WTF skips the captcha check in testing mode
        RECAPTCHA_PUBLIC_KEY="site-key",
        RECAPTCHA_PRIVATE_KEY="secret-key",
        RECAPTCHA_ENABLED=True,
        RECAPTCHA_VERIFY_SERVER=recaptcha.url,
    )
    return app.test_client()


def test_no_captcha_without_keys(app, client):
    response = client.get("/register")

    assert response.status_code == 200
    assert "<h1>Create your account</h1>" in response.text
    assert 'value="Register"' in response.text
    assert "g-recaptcha" not in response.text


def test_captcha_is_shown_with_keys(captcha_client):
    page = captcha_client.get("/register").text

    assert 'class="g-recaptcha"' in page
    assert 'data-sitekey="site-key"' in page


def test_missing_captcha_is_refused(captcha_client, recaptcha):
    response = register(captcha_client)

    assert "tick the captcha box" in response.text
    assert User.objects.count() == 0
    assert recaptcha.requests == []


def test_failed_captcha_is_refused(captcha_client, recaptcha):
    response = register(captcha_client, **{"g-recaptcha-response": "robot-token"})

    assert "tick the captcha box" in response.text
    assert User.objects.count() == 0
    assert recaptcha.requests[0]["secret"] == ["secret-key"]


def test_solved_captcha_registers(captcha_client, recaptcha):
    register(captcha_client, **{"g-recaptcha-response": FakeRecaptcha.ACCEPTED})

    assert User.objects(username="bobby").count() == 1
    assert recaptcha.requests[0]["response"] == [FakeRecaptcha.ACCEPTED]
