"""Sockets follow the account, with a real python-socketio client on the real web server.

A member's open sockets are closed within seconds when an admin deactivates or deletes
them (admin pages, API, CLI), when they sign out everywhere or change their password, and
a logout closes that session's sockets only. The live server re-checks its sockets only
every SOCKET_RECHECK_SECONDS (60 s here), so a socket closed within ENDED_WITHIN seconds
was closed by the message the change sent through Redis; the CLI runs in this test
process, so its message reaches the server through Redis only. The re-check itself is
proven on a server of its own that runs it twice a second.

The handshake also checks ``Origin``: a page of another site cannot open a socket.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests
import socketio
from click.testing import CliRunner

from app.accounts.models import User
from app.realtime import notify
from tests import helpers
from tests.factories import STRONG_PASSWORD, TEST_PASSWORD, UserFactory
from tests.helpers import SocketTab, csrf_token
from tests.logins import bearer, log_in_api, log_in_http
from tests.servers import LiveServer, start_live_server

ENDED_WITHIN = 5.0
STILL_OPEN_AFTER = 1.5


@pytest.fixture
def open_tab() -> Iterator[Callable[..., SocketTab]]:
    """:func:`tests.helpers.open_tab`, listening to ``notification.new``; every tab is
    closed after the test."""
    tabs: list[SocketTab] = []

    def connect(url: str, http: requests.Session | None = None, **options) -> SocketTab:
        tab = helpers.open_tab(url, http, events=("notification.new",), **options)
        tabs.append(tab)
        return tab

    yield connect
    for tab in tabs:
        tab.close()


@dataclass
class Scene:
    live_server: LiveServer
    runner: CliRunner
    admin: requests.Session
    member: User

    def admin_page_token(self, path: str) -> str:
        return csrf_token(self.admin.get(f"{self.live_server.url}{path}", timeout=10).text)

    def admin_api(self) -> dict[str, str]:
        token = log_in_api(requests, User.objects.get(username="boss"), url=self.live_server.url)
        return bearer(token)


def deactivate_on_the_admin_page(scene: Scene) -> None:
    page = f"/admin/users/{scene.member.id}"
    answer = scene.admin.post(
        f"{scene.live_server.url}{page}",
        data={
            "csrf_token": scene.admin_page_token(page),
            "first_name": scene.member.first_name,
            "last_name": scene.member.last_name,
            "roles": ["Public"],
            # "active" unchecked
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text


def deactivate_in_bulk(scene: Scene) -> None:
    answer = scene.admin.post(
        f"{scene.live_server.url}/admin/users/bulk",
        data={
            "csrf_token": scene.admin_page_token("/admin/users"),
            "ids": [str(scene.member.id)],
            "action": "deactivate",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text


def deactivate_through_the_api(scene: Scene) -> None:
    answer = requests.patch(
        f"{scene.live_server.url}/api/v1/users/{scene.member.id}",
        json={"active": False},
        headers=scene.admin_api(),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def deactivate_with_the_cli(scene: Scene) -> None:
    result = scene.runner.invoke(args=["users", "deactivate", scene.member.email])
    assert result.exit_code == 0, result.output


def delete_on_the_admin_page(scene: Scene) -> None:
    page = f"/admin/users/{scene.member.id}"
    answer = scene.admin.post(
        f"{scene.live_server.url}{page}/delete",
        data={"csrf_token": scene.admin_page_token(page)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text


def delete_through_the_api(scene: Scene) -> None:
    answer = requests.delete(
        f"{scene.live_server.url}/api/v1/users/{scene.member.id}",
        headers=scene.admin_api(),
        timeout=10,
    )
    assert answer.status_code == 204, answer.text


def delete_with_the_cli(scene: Scene) -> None:
    result = scene.runner.invoke(args=["users", "delete", scene.member.email, "--yes"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "end_account",
    [
        deactivate_on_the_admin_page,
        deactivate_in_bulk,
        deactivate_through_the_api,
        deactivate_with_the_cli,
        delete_on_the_admin_page,
        delete_through_the_api,
        delete_with_the_cli,
    ],
)
def test_an_account_ended_by_an_admin_loses_its_sockets_at_once(
    end_account, live_server, app, runner, login, open_tab
):
    member, bystander = UserFactory(), UserFactory()
    admin = login(UserFactory(username="boss", admin=True))
    member_http = login(member)
    tabs = [open_tab(live_server.url, member_http), open_tab(live_server.url, login(member))]
    bystanders_tab = open_tab(live_server.url, login(bystander))

    end_account(Scene(live_server, runner, admin, member))

    assert all(tab.is_closed_within(ENDED_WITHIN) for tab in tabs)
    assert bystanders_tab.stays_open(STILL_OPEN_AFTER)
    with pytest.raises(socketio.exceptions.ConnectionError):
        open_tab(live_server.url, member_http)  # the old cookie opens nothing either


def test_signing_out_everywhere_closes_every_session_s_sockets(live_server, app, login, open_tab):
    member = UserFactory()
    tabs = [open_tab(live_server.url, login(member)) for _ in range(2)]
    token = log_in_api(requests, member, url=live_server.url)

    answer = requests.delete(
        f"{live_server.url}/api/v1/auth/token", headers=bearer(token), timeout=10
    )

    assert answer.status_code == 204
    assert all(tab.is_closed_within(ENDED_WITHIN) for tab in tabs)


def test_a_new_password_closes_the_account_s_sockets(live_server, app, login, open_tab):
    member = UserFactory()
    http, elsewhere = login(member), login(member)
    tab = open_tab(live_server.url, elsewhere)
    form = http.get(f"{live_server.url}/change", timeout=10).text

    http.post(
        f"{live_server.url}/change",
        data={
            "password": TEST_PASSWORD,
            "new_password": STRONG_PASSWORD,
            "new_password_confirm": STRONG_PASSWORD,
            "csrf_token": csrf_token(form),
        },
        timeout=10,
    )

    assert tab.is_closed_within(ENDED_WITHIN)


def test_a_logout_closes_that_session_s_sockets_only(live_server, app, login, open_tab):
    member = UserFactory()
    leaving, staying = login(member), login(member)
    leaving_tabs = [open_tab(live_server.url, leaving) for _ in range(2)]
    staying_tab = open_tab(live_server.url, staying)
    token = csrf_token(leaving.get(f"{live_server.url}/", timeout=10).text)

    answer = leaving.post(
        f"{live_server.url}/logout", json={}, headers={"X-CSRFToken": token}, timeout=10
    )

    assert answer.status_code == 200, answer.text
    assert all(tab.is_closed_within(ENDED_WITHIN) for tab in leaving_tabs)
    assert staying_tab.stays_open(STILL_OPEN_AFTER)
    with app.app_context():
        notify(str(member.id), "notification.new", {"text": "still here"})
    assert staying_tab.heard.get(timeout=ENDED_WITHIN) == {"text": "still here"}


def test_a_login_brought_back_by_the_remember_me_cookie_is_a_session_too(
    live_server, app, open_tab
):
    """The browser kept only the remember-me cookie (the session cookie ended with the
    browser); the next page restores the login, and its logout closes its sockets."""
    member = UserFactory()
    http = requests.Session()
    page = http.get(f"{live_server.url}/login", timeout=10)
    http.post(
        f"{live_server.url}/login",
        json={"email": member.email, "password": TEST_PASSWORD, "remember": True},
        headers={"X-CSRFToken": csrf_token(page.text)},
        timeout=10,
    )
    assert "remember_token" in http.cookies
    http.cookies.set("session", None)
    token = csrf_token(http.get(f"{live_server.url}/", timeout=10).text)  # restored here
    tab = open_tab(live_server.url, http)

    http.post(f"{live_server.url}/logout", json={}, headers={"X-CSRFToken": token}, timeout=10)

    assert tab.is_closed_within(ENDED_WITHIN)


def connect_in_process(app, user: User, monkeypatch, *, while_joining=lambda: None) -> bool:
    """What the connect handler answers for a socket of ``user``'s session, run in this
    process with the joins recorded instead of made; ``while_joining`` runs at the first
    join, between the handler's first read of the account and its second."""
    from flask import request
    from flask_login import login_user

    from app.realtime import events

    joined: list[str] = []

    def join_room(room: str) -> None:
        if not joined:
            while_joining()
        joined.append(room)

    monkeypatch.setattr(events, "join_room", join_room)
    monkeypatch.setattr(app.extensions["socketio"].server, "save_session", lambda *a, **k: None)
    with app.test_request_context("/socket.io/"):
        request.sid = "in-process"
        login_user(user)
        answer = events.on_connect()
    assert joined[0] == f"user:{user.id}"
    assert joined[1].startswith("session:")
    return answer


def test_an_account_that_ends_while_its_socket_joins_its_rooms_is_refused(app, monkeypatch):
    """An ending announced between the handler's read of the account and the joins
    misses the socket; reading the account again after joining refuses it."""
    member = UserFactory()
    assert connect_in_process(app, member, monkeypatch) is True

    def deactivate() -> None:
        User.objects(id=member.id).update(set__active=False)

    assert connect_in_process(app, member, monkeypatch, while_joining=deactivate) is False


# --- Origin -------------------------------------------------------------------------


def test_a_page_of_another_site_cannot_open_a_socket(live_server, app, login, open_tab):
    http = login(UserFactory())
    port = live_server.url.rsplit(":", 1)[1]

    for origin in ("https://evil.example", f"http://evil.example:{port}", "http://127.0.0.1:1"):
        with pytest.raises(socketio.exceptions.ConnectionError):
            open_tab(live_server.url, http, origin=origin)


def test_the_site_s_own_pages_open_sockets(live_server, app, login, open_tab):
    """EXTERNAL_URL (unset here: the server's own http://127.0.0.1:PORT) is always
    allowed; another trusted name (localhost) is allowed as the very host addressed,
    never on another port. A client that sends no Origin (not a browser) connects."""
    http = login(UserFactory())
    port = live_server.url.rsplit(":", 1)[1]
    by_name = f"http://localhost:{port}"

    assert open_tab(live_server.url, http, origin=live_server.url).client.connected
    assert open_tab(by_name, http, origin=by_name).client.connected
    assert open_tab(by_name, http, origin=live_server.url).client.connected
    with pytest.raises(socketio.exceptions.ConnectionError):
        open_tab(by_name, http, origin="http://localhost:1")
    no_origin = {"websocket_extra_options": {"suppress_origin": True}}
    assert open_tab(live_server.url, http, **no_origin).client.connected


# --- the re-check -------------------------------------------------------------------


@pytest.fixture(scope="module")
def rechecking_server(settings, tmp_path_factory) -> Iterator[LiveServer]:
    server = start_live_server(
        {**settings, "SOCKET_RECHECK_SECONDS": 0.5},
        tmp_path_factory.mktemp("rechecking") / "web.log",
    )
    yield server
    server.stop()


@pytest.mark.parametrize(
    "change",
    [{"set__active": False}, {"set__fs_uniquifier": "changed-behind-the-app-s-back"}],
    ids=["deactivated", "signed-out"],
)
def test_a_socket_whose_ending_was_never_announced_is_closed_by_the_recheck(
    change, rechecking_server, app, open_tab
):
    """The account changes in MongoDB alone, as if the message had been lost."""
    member, bystander = UserFactory(), UserFactory()
    url = rechecking_server.url
    tab = open_tab(url, log_in_http(url, member))
    bystanders_tab = open_tab(url, log_in_http(url, bystander))

    User.objects(id=member.id).update(**change)

    started = time.monotonic()
    assert tab.is_closed_within(ENDED_WITHIN)
    assert time.monotonic() - started < 3
    assert bystanders_tab.stays_open(STILL_OPEN_AFTER)
