"""Sign in with an OpenID Connect provider, end to end against a real one (oidc-provider-mock
on a local port): the login page's button, the provider's authorization page, the callback,
the session. GitHub and Google go through the same views and rules."""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import mongoengine
import pytest

from app.accounts.models import LoginRecord, User
from app.accounts.oauth_accounts import ExternalLogin
from app.accounts.services import delete_user
from app.processes import free_port
from tests.factories import UserFactory
from tests.helpers import csrf_token
from tests.oidc_provider import authorize, deny, provider_settings, running_provider, set_claims


@pytest.fixture(scope="module")
def issuer():
    with running_provider() as url:
        yield url


@pytest.fixture
def sso_app(make_app, issuer):
    return make_app(**provider_settings(issuer))


@pytest.fixture
def client(sso_app):
    return sso_app.test_client()


def press_sign_in_button(client, query: str = ""):
    """Open the login page (with ``query``) and press Sign in with Example SSO."""
    page = client.get(f"/login{query}").text
    form = page[page.index('<form action="/login/oauthstart/oidc') :].split("</form>", 1)[0]
    assert "Sign in with Example SSO" in form
    action = html.unescape(form.split('action="', 1)[1].split('"', 1)[0])
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client.post(action, data={"csrf_token": token})


def start_sign_in(client, query: str = "") -> str:
    """Press the button; the provider's authorization URL it leads to."""
    answer = press_sign_in_button(client, query)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def sign_in(client, issuer: str, subject: str, **claims: object):
    """The whole round trip as ``subject``; the page the browser ends on."""
    set_claims(issuer, subject, **claims)
    callback = authorize(start_sign_in(client), subject)
    return client.get(callback, follow_redirects=True)


def users_snapshot() -> dict[str, list[dict]]:
    """The accounts and the provider links, as stored."""
    database = mongoengine.get_db()
    return {
        name: list(database[name].find({}, sort=[("_id", 1)]))
        for name in ("users", "external_logins")
    }


def links() -> list[tuple[str, str, str]]:
    return [(link.provider, link.subject, link.user.email) for link in ExternalLogin.objects]


def test_no_button_without_a_configured_provider(app):
    page = app.test_client().get("/login")

    assert page.status_code == 200
    assert "Sign in with" not in page.text
    assert "oauthstart" not in page.text
    assert app.test_client().post("/login/oauthstart/oidc").status_code == 404
    assert "form-action 'self';" in page.headers["Content-Security-Policy"]


def test_the_login_page_may_send_its_forms_to_the_provider_only(client, issuer):
    policy = client.get("/login").headers["Content-Security-Policy"]

    assert f"form-action 'self' {issuer};" in policy


def test_a_verified_email_signs_in_to_its_account(sso_app, client, issuer):
    ann = UserFactory(email="ann@example.org", first_name="Ann", username="annlee")
    logins_before = ann.login_count or 0

    page = sign_in(client, issuer, "ann-at-sso", email="Ann@Example.org", email_verified=True)

    assert page.request.path == "/"
    assert "Welcome, Ann" in page.text
    ann.reload()
    assert ann.login_count == logins_before + 1
    assert User.objects.count() == 1
    assert links() == [(issuer, "ann-at-sso", "ann@example.org")]
    assert LoginRecord.objects(user=ann.id, kind="session").count() == 1  # listed on My account


def test_later_sign_ins_follow_the_link_whatever_the_addresses(sso_app, client, issuer):
    ann = UserFactory(email="ann@example.org", first_name="Ann")
    sign_in(client, issuer, "ann-at-sso", email="ann@example.org", email_verified=True)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    ann.update(email="ann.lee@example.org")
    UserFactory(email="ann@example.org", first_name="Other")

    page = sign_in(client, issuer, "ann-at-sso", email="ann@example.org", email_verified=False)

    assert "Welcome back, Ann" in page.text
    assert links() == [(issuer, "ann-at-sso", "ann.lee@example.org")]


def test_deleting_an_account_deletes_its_link(sso_app, client, issuer):
    ann = UserFactory(email="ann@example.org")
    sign_in(client, issuer, "ann-at-sso", email="ann@example.org", email_verified=True)
    assert len(links()) == 1

    with sso_app.test_request_context():
        delete_user(ann)

    assert links() == []


def test_a_new_verified_email_makes_an_account(sso_app, client, issuer):
    UserFactory(username="carla", email="someone.else@example.org")

    page = sign_in(
        client,
        issuer,
        "carla-sub",
        email="Carla.Diaz@example.org",
        email_verified=True,
        preferred_username="Carla",
        given_name="Carla",
        family_name="Díaz",
    )

    assert "Welcome, Carla" in page.text
    carla = User.objects.get(email="carla.diaz@example.org")
    assert carla.username == "carla2"  # carla was taken
    assert (carla.first_name, carla.last_name) == ("Carla", "Díaz")
    assert carla.confirmed_at is not None
    assert carla.active
    assert [role.name for role in carla.roles] == ["Public"]
    assert links() == [(issuer, "carla-sub", "carla.diaz@example.org")]


def test_a_new_account_without_names_takes_them_from_the_email(sso_app, client, issuer):
    page = sign_in(client, issuer, "d", email="Dee.Jay@example.org", email_verified=True)

    dee = User.objects.get(email="dee.jay@example.org")
    assert dee.username == "deejay"
    assert f"Welcome, {dee.first_name}" in page.text


def test_a_new_email_is_refused_when_registration_is_off(make_app, issuer):
    client = make_app(**provider_settings(issuer), SECURITY_REGISTERABLE=False).test_client()
    UserFactory(email="ann@example.org")
    before = users_snapshot()

    page = sign_in(client, issuer, "eve", email="eve@example.org", email_verified=True)

    assert page.status_code == 403
    assert "No account here uses eve@example.org" in page.text
    assert "Welcome" not in client.get("/").text
    assert users_snapshot() == before


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_email_is_refused(sso_app, client, issuer, verified):
    UserFactory(email="ann@example.org", first_name="Ann")
    before = users_snapshot()
    claims = {"email": "ann@example.org"}
    if verified is not None:
        claims["email_verified"] = verified

    page = sign_in(client, issuer, f"ann-{verified}", **claims)

    assert page.status_code == 403
    assert '<p class="lead">Example SSO has not verified the email address' in page.text
    assert "Welcome" not in client.get("/").text
    assert users_snapshot() == before


def test_an_inactive_account_is_refused_as_at_login(sso_app, client, issuer):
    UserFactory(email="ann@example.org", inactive=True)
    before = users_snapshot()

    page = sign_in(client, issuer, "ann", email="ann@example.org", email_verified=True)

    assert page.request.path == "/login"
    assert "Account is disabled." in page.text
    assert "Welcome" not in client.get("/").text
    assert users_snapshot() == before


def test_an_account_not_activated_yet_is_refused(sso_app, client, issuer):
    UserFactory(email="ann@example.org", unconfirmed=True)
    before = users_snapshot()

    page = sign_in(client, issuer, "ann", email="ann@example.org", email_verified=True)

    assert page.status_code == 403
    assert "This account is not activated yet" in page.text
    assert users_snapshot() == before


def test_a_forged_state_is_refused(sso_app, client, issuer):
    UserFactory(email="ann@example.org")
    before = users_snapshot()
    set_claims(issuer, "ann", email="ann@example.org", email_verified=True)
    callback = urlsplit(authorize(start_sign_in(client), "ann"))
    query = dict(parse_qsl(callback.query))
    query["state"] = "forged" + query["state"]

    page = client.get(urlunsplit(callback._replace(query=urlencode(query))))

    assert page.status_code == 400
    assert '<p class="lead">This answer from Example SSO does not belong to a sign-in' in page.text
    assert "Welcome" not in client.get("/").text
    assert users_snapshot() == before


def test_a_callback_used_twice_is_refused_the_second_time(sso_app, client, issuer):
    UserFactory(email="ann@example.org", first_name="Ann")
    set_claims(issuer, "ann", email="ann@example.org", email_verified=True)
    callback = authorize(start_sign_in(client), "ann")
    assert "Welcome, Ann" in client.get(callback, follow_redirects=True).text
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})

    page = client.get(callback)

    assert page.status_code == 400
    assert "does not belong to a sign-in started in this browser" in page.text
    assert "Welcome" not in client.get("/").text


def test_denied_consent_is_refused(sso_app, client, issuer):
    UserFactory(email="ann@example.org")
    before = users_snapshot()

    page = client.get(deny(start_sign_in(client)))

    assert page.status_code == 400
    assert "You did not let Example SSO share your account" in page.text
    assert "Welcome" not in client.get("/").text
    assert users_snapshot() == before


def test_sign_in_returns_to_the_page_asked_for(sso_app, client, issuer):
    UserFactory(email="ann@example.org")
    set_claims(issuer, "ann", email="ann@example.org", email_verified=True)
    provider_page = start_sign_in(client, "?next=/albums")

    landed = client.get(authorize(provider_page, "ann"))

    assert landed.status_code == 302
    assert urlsplit(landed.headers["Location"]).path == "/albums"


def test_sign_in_does_not_lead_to_another_site(sso_app, client, issuer):
    UserFactory(email="ann@example.org")
    set_claims(issuer, "ann", email="ann@example.org", email_verified=True)
    provider_page = start_sign_in(client, "?next=https://elsewhere.example/")

    landed = client.get(authorize(provider_page, "ann"))

    assert landed.status_code == 302
    assert "elsewhere.example" not in landed.headers["Location"]
    assert urlsplit(landed.headers["Location"]).path == "/"


def test_starting_a_sign_in_needs_the_csrf_token(sso_app, client):
    answer = client.post("/login/oauthstart/oidc")

    assert answer.status_code == 400
    assert "CSRF" in answer.text


def test_an_unreachable_provider_is_an_error_page(make_app):
    client = make_app(**provider_settings(f"http://127.0.0.1:{free_port()}")).test_client()

    answer = press_sign_in_button(client)

    assert answer.status_code == 502
    assert '<p class="lead">Example SSO could not be reached' in answer.text


def test_starting_sign_ins_counts_against_the_login_limit(make_app, issuer):
    client = make_app(**provider_settings(issuer), LOGIN_RATE_LIMIT="2 per minute").test_client()

    statuses = [press_sign_in_button(client).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
