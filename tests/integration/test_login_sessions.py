"""My account lists where the account is signed in: each browser session, with a button
that signs that one out, and each API token issued."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from app.accounts.models import User, utcnow
from app.accounts.sessions import LoginRecord, client_parts, describe_client
from tests import helpers
from tests.factories import STRONG_PASSWORD, TEST_PASSWORD, UserFactory
from tests.helpers import csrf_token
from tests.logins import bearer, log_in_api, log_in_client, log_in_http
from tests.two_factor import authenticator_code, enrol_authenticator, submit_code

FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ON_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(app, user_agent: str):
    """A test client that sends ``user_agent``."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def session_buttons(page: str) -> list[str]:
    """The paths of the "Sign out" buttons of the sessions listed on the account page."""
    return re.findall(r'action="(/account/sessions/[^"]+/sign-out)"', page)


def listed_sessions(page: str) -> list[str]:
    return re.findall(r'data-session="([0-9a-f]{24})"', page)


def test_two_browsers_signed_in_are_two_sessions(app):
    UserFactory(username="ann", email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    phone = browser(app, CHROME_ON_ANDROID)
    log_in_client(laptop, "ann@example.org")
    log_in_client(phone, "ann@example.org")

    page = laptop.get("/account")

    assert page.status_code == 200
    assert len(listed_sessions(page.text)) == 2
    assert "Firefox on Linux" in page.text
    assert "Chrome on Android" in page.text
    assert "from 127.0.0.1" in page.text
    # The phone's session is the newer, listed first; this one is marked and has no
    # button (its own logout signs it out).
    assert page.text.index("Chrome on Android") < page.text.index("Firefox on Linux")
    assert page.text.count(">this session</span>") == 1
    assert re.search(r"Firefox on Linux</strong>\s*<span[^>]*>this session<", page.text)
    assert len(session_buttons(page.text)) == 1


def test_signing_out_another_session_signs_it_out_at_its_next_request(app):
    UserFactory(username="ann", email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    phone = browser(app, CHROME_ON_ANDROID)
    log_in_client(laptop, "ann@example.org")
    log_in_client(phone, "ann@example.org")
    page = laptop.get("/account").text
    [phone_button] = session_buttons(page)

    done = laptop.post(phone_button, data={"csrf_token": csrf_token(page)}, follow_redirects=True)

    assert done.request.path == "/account"
    assert "That session was signed out." in done.text
    assert len(listed_sessions(done.text)) == 1
    assert "Chrome on Android" not in done.text
    refused = phone.get("/account", follow_redirects=True)
    assert refused.request.path == "/login"
    assert "This session was signed out from another one" in refused.text
    assert phone.get("/account").status_code == 302  # and stays signed out
    assert laptop.get("/account").status_code == 200
    # The signed-out browser's record went with its logout.
    assert LoginRecord.objects(browser="Chrome", system="Android").count() == 0


def test_another_user_s_session_cannot_be_signed_out(app):
    UserFactory(username="ann", email="ann@example.org")
    UserFactory(username="bob", email="bob@example.org")
    ann = browser(app, FIREFOX_ON_LINUX)
    bob = browser(app, CHROME_ON_ANDROID)
    log_in_client(ann, "ann@example.org")
    bob_page = log_in_client(bob, "bob@example.org")
    [bob_session] = LoginRecord.objects(user=User.objects.get(username="bob").id)
    page = ann.get("/account").text

    refused = ann.post(
        f"/account/sessions/{bob_session.id}/sign-out", data={"csrf_token": csrf_token(page)}
    )

    assert refused.status_code == 404
    assert "There is no such session." in refused.text
    bob_session.reload()
    assert bob_session.ended_at is None
    assert bob.get("/account").status_code == 200
    assert bob_page.status_code == 200


@pytest.mark.parametrize("record_id", ["not-an-id", "0123456789abcdef01234567"])
def test_an_unknown_session_is_not_found(app, record_id):
    UserFactory(email="ann@example.org")
    client = browser(app, FIREFOX_ON_LINUX)
    page = log_in_client(client, "ann@example.org")

    refused = client.post(
        f"/account/sessions/{record_id}/sign-out", data={"csrf_token": csrf_token(page.text)}
    )

    assert refused.status_code == 404
    assert LoginRecord.objects(ended_at__ne=None).count() == 0


def test_signing_a_session_out_needs_the_csrf_token(app):
    UserFactory(email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    phone = browser(app, CHROME_ON_ANDROID)
    log_in_client(laptop, "ann@example.org")
    log_in_client(phone, "ann@example.org")
    [phone_button] = session_buttons(laptop.get("/account").text)

    refused = laptop.post(phone_button)

    assert refused.status_code == 400
    assert phone.get("/account").status_code == 200


def test_signing_out_everywhere_ends_every_session_and_token(app):
    UserFactory(username="ann", email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    phone = browser(app, CHROME_ON_ANDROID)
    log_in_client(laptop, "ann@example.org")
    log_in_client(phone, "ann@example.org")
    log_in_api(app.test_client(), "ann@example.org")
    ann = User.objects.get(username="ann")
    assert LoginRecord.objects(user=ann.id).count() == 3
    page = laptop.get("/account").text

    laptop.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token(page)})

    assert LoginRecord.objects(user=ann.id).count() == 0
    assert phone.get("/account").status_code == 302
    again = log_in_client(laptop, "ann@example.org")
    page = laptop.get("/account").text
    assert again.status_code == 200
    assert len(listed_sessions(page)) == 1
    assert "No API token is valid." in page


def test_a_new_password_leaves_only_this_session_listed(app):
    UserFactory(email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    phone = browser(app, CHROME_ON_ANDROID)
    log_in_client(phone, "ann@example.org")
    log_in_api(app.test_client(), "ann@example.org")
    log_in_client(laptop, "ann@example.org")
    form = laptop.get("/change").text

    changed = laptop.post(
        "/change",
        data={
            "password": TEST_PASSWORD,
            "new_password": STRONG_PASSWORD,
            "new_password_confirm": STRONG_PASSWORD,
            "csrf_token": csrf_token(form),
        },
    )

    assert changed.status_code == 302
    page = laptop.get("/account").text
    assert len(listed_sessions(page)) == 1
    assert page.count(">this session</span>") == 1
    assert "Chrome on Android" not in page
    assert "No API token is valid." in page
    assert [(record.browser, record.system) for record in LoginRecord.objects] == [
        ("Firefox", "Linux")
    ]


def test_a_sign_in_with_a_second_factor_is_recorded_once_the_code_is_given(app):
    user = UserFactory(email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    log_in_client(laptop, user)
    key = enrol_authenticator(laptop)
    laptop.post("/logout", data={"csrf_token": csrf_token(laptop.get("/").text)})
    assert LoginRecord.objects.count() == 0

    asked = log_in_client(laptop, user)

    assert asked.request.path == "/tf-validate"
    assert LoginRecord.objects.count() == 0
    done = submit_code(laptop, authenticator_code(key, steps_ahead=1))
    assert done.request.path == "/"
    page = laptop.get("/account").text
    assert len(listed_sessions(page)) == 1
    assert page.count(">this session</span>") == 1


def test_issued_tokens_are_listed_with_where_they_were_asked_for(app):
    UserFactory(email="ann@example.org")
    script = browser(app, "python-requests/2.32.3")
    token = log_in_api(script, "ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    log_in_client(laptop, "ann@example.org")

    page = laptop.get("/account").text

    tokens = re.findall(r'data-token="([0-9a-f]{24})"', page)
    assert len(tokens) == 1
    assert re.search(r"<strong>Python</strong>\s*<div[^>]*>\s*Issued", page)
    record = LoginRecord.objects.get(id=tokens[0])
    assert record.expires_at - record.created_at == app.config["SECURITY_TOKEN_MAX_AGE"]
    # A token's requests are not sessions: none is recorded for them.
    assert script.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert LoginRecord.objects(kind="session").count() == 1


def test_a_logout_removes_its_own_session(app):
    UserFactory(email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    phone = browser(app, CHROME_ON_ANDROID)
    log_in_client(laptop, "ann@example.org")
    page = log_in_client(phone, "ann@example.org")

    answer = phone.post("/logout", data={"csrf_token": csrf_token(page.text)})

    assert answer.status_code == 302
    assert [(record.browser, record.system) for record in LoginRecord.objects] == [
        ("Firefox", "Linux")
    ]


def test_last_seen_is_written_only_every_few_minutes(app):
    UserFactory(email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    log_in_client(laptop, "ann@example.org")
    record = LoginRecord.objects.get()
    seen = record.last_seen_at

    laptop.get("/account")
    record.reload()
    assert record.last_seen_at == seen

    earlier = seen - timedelta(minutes=10)
    record.update(set__last_seen_at=earlier)
    laptop.get("/account")
    record.reload()
    assert record.last_seen_at > seen
    assert record.expires_at - record.last_seen_at == timedelta(
        days=app.config["SESSION_IDLE_DAYS"]
    )


def test_expired_records_are_not_listed_and_the_beat_task_removes_them(app, worker):
    UserFactory(email="ann@example.org")
    log_in_api(browser(app, "curl/8.5.0"), "ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    log_in_client(laptop, "ann@example.org")
    LoginRecord.objects(kind="token").update(set__expires_at=utcnow() - timedelta(seconds=1))

    page = laptop.get("/account").text

    assert "No API token is valid." in page
    assert "remove-expired-logins" in app.extensions["celery"].conf.beat_schedule
    app.extensions["celery"].send_task("accounts.remove_expired_logins")
    deadline = time.monotonic() + 15
    while LoginRecord.objects(kind="token").count():
        assert time.monotonic() < deadline, "the expired token was not removed in time"
        time.sleep(0.1)
    assert [record.kind for record in LoginRecord.objects] == ["session"]


def test_a_session_from_before_records_were_kept_is_recorded_at_its_next_request(app):
    UserFactory(email="ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    log_in_client(laptop, "ann@example.org")
    LoginRecord.objects.delete()

    page = laptop.get("/account")

    assert page.status_code == 200
    assert LoginRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (FIREFOX_ON_LINUX, "Firefox on Linux"),
        (CHROME_ON_ANDROID, "Chrome on Android"),
        (SAFARI_ON_IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("curl/8.5.0", "curl"),
        ("Encore-Sync/1.2 (+https://example.org)", "Encore-Sync"),
        ("", "Unknown client"),
    ],
)
def test_clients_are_summed_up_in_a_few_words(app, user_agent, summary):
    with app.test_request_context():
        assert describe_client(*client_parts(user_agent)) == summary


def test_signing_a_session_out_closes_its_sockets_only(live_server, app):
    member = UserFactory()
    leaving = log_in_http(live_server.url, member)
    staying = log_in_http(live_server.url, member)
    leaving_tab = helpers.open_tab(live_server.url, leaving)
    staying_tab = helpers.open_tab(live_server.url, staying)
    try:
        page = staying.get(f"{live_server.url}/account", timeout=10).text
        [button] = session_buttons(page)

        answer = staying.post(
            f"{live_server.url}{button}", data={"csrf_token": csrf_token(page)}, timeout=10
        )

        assert answer.status_code == 200, answer.text
        assert leaving_tab.is_closed_within(5.0)
        assert staying_tab.stays_open(1.5)
    finally:
        leaving_tab.close()
        staying_tab.close()
    refused = leaving.get(f"{live_server.url}/account", timeout=10)
    assert "/login" in refused.url
    assert "This session was signed out from another one" in refused.text


def test_the_list_speaks_the_reader_s_language(app):
    UserFactory(email="ann@example.org", locale="de")
    laptop = browser(app, FIREFOX_ON_LINUX)
    log_in_client(laptop, "ann@example.org")

    page = laptop.get("/account").text

    assert "Firefox unter Linux" in page
    assert ">diese Sitzung</span>" in page
    assert "Kein API-Token ist gültig." in page


def test_one_token_is_revoked_and_the_others_go_on(app):
    UserFactory(email="ann@example.org")
    api = app.test_client()
    kept = log_in_api(api, "ann@example.org")
    revoked = log_in_api(api, "ann@example.org")
    laptop = browser(app, FIREFOX_ON_LINUX)
    log_in_client(laptop, "ann@example.org")
    page = laptop.get("/account").text
    buttons = re.findall(r'action="(/account/tokens/[0-9a-f]{24}/revoke)"', page)
    assert len(buttons) == 2  # newest first: the second token's is the first button

    done = laptop.post(buttons[0], data={"csrf_token": csrf_token(page)}, follow_redirects=True)

    assert "That API token was revoked." in done.text
    assert len(re.findall(r'data-token="', done.text)) == 1
    assert api.get("/api/v1/me", headers=bearer(revoked)).status_code == 401
    assert api.get("/api/v1/me", headers=bearer(kept)).status_code == 200
    assert laptop.get("/account").status_code == 200
    again = laptop.post(buttons[0], data={"csrf_token": csrf_token(page)})
    assert again.status_code == 404
    assert "There is no such API token." in again.text


def test_another_user_s_token_cannot_be_revoked(app):
    UserFactory(email="ann@example.org")
    bob = UserFactory(email="bob@example.org")
    token = log_in_api(app.test_client(), bob)
    [record] = LoginRecord.objects(kind="token")
    laptop = browser(app, FIREFOX_ON_LINUX)
    page = log_in_client(laptop, "ann@example.org").text

    refused = laptop.post(
        f"/account/tokens/{record.id}/revoke", data={"csrf_token": csrf_token(page)}
    )

    assert refused.status_code == 404
    record.reload()
    assert record.ended_at is None
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_a_token_that_names_no_record_is_refused(app):
    """Only the tokens the API issues, each listed on the account page, are accepted."""
    user = UserFactory(email="ann@example.org")
    with app.test_request_context():
        unlisted = user.get_auth_token()

    answer = app.test_client().get("/api/v1/me", headers=bearer(unlisted))

    assert answer.status_code == 401
