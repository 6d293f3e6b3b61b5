"""Small helpers the tests share: CSRF tokens, the registration form, waiting for mail,
finding links, sockets held open like a tab's."""

from __future__ import annotations

import queue
import re
import threading
import time
from pathlib import Path

from app.mail import outbox
from app.mail.message import MailMessage
from tests.factories import STRONG_PASSWORD

MAIL_WAIT_SECONDS = 20


def csrf_token(html: str) -> str:
    """The CSRF token of the first form (or the page's meta tag) in ``html``."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def register(client, **overrides):
    """Submit the registration form for Bob Marley (username Bobby, Bob@Example.org,
    STRONG_PASSWORD); ``overrides`` change fields, None leaves one out."""
    token = csrf_token(client.get("/register").text)
    form = {
        "username": "Bobby",
        "first_name": "Bob",
        "last_name": "Marley",
        "email": "Bob@Example.org",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
        "csrf_token": token,
    }
    form.update(overrides)
    return client.post("/register", data={k: v for k, v in form.items() if v is not None})


def wait_for_mail(instance_path: str, to: str, *, count: int = 1) -> list[MailMessage]:
    """Wait until the worker has delivered ``count`` mails to ``to`` in the outbox."""
    folder = outbox.outbox_folder(instance_path)
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        found = [entry.message for entry in outbox.entries(folder) if entry.message.to == to]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} arrived within {MAIL_WAIT_SECONDS} s")


def mails_to(instance_path: str, to: str) -> list[MailMessage]:
    return [
        entry.message
        for entry in outbox.entries(outbox.outbox_folder(instance_path))
        if entry.message.to == to
    ]


def link_in(text: str, path: str) -> str:
    """The first URL in ``text`` whose path starts with ``path``."""
    match = re.search(rf"https?://[^\s\"'<>]+{re.escape(path)}[^\s\"'<>]*", text)
    assert match, f"no {path} link in:\n{text}"
    return match.group(0)


def clear_outbox(instance_path: str) -> None:
    folder = outbox.outbox_folder(instance_path)
    if folder.is_dir():
        for path in Path(folder).glob("*.json"):
            path.unlink()


def assert_websocket_connects(url: str, http, **client_options) -> None:
    """A Socket.IO client authenticated by ``http``'s session cookie connects to ``url``
    over a WebSocket (no polling fallback)."""
    import socketio

    client = socketio.Client(reconnection=False, **client_options)
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    # The namespace's answer may take more than the client's default 1 s on a busy machine.
    client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=15)
    try:
        assert client.connected
        assert client.transport() == "websocket"
    finally:
        client.disconnect()


class SocketTab:
    """One open socket, as a tab of the site holds: whether the server closed it, and the
    payloads of the ``events`` it listens to, in order."""

    def __init__(self, client, events: tuple[str, ...] = ()) -> None:
        self.client = client
        self.closed = threading.Event()
        self.heard: queue.Queue = queue.Queue()
        client.on("disconnect", lambda *reason: self.closed.set())
        for event in events:
            client.on(event, self.heard.put)

    def is_closed_within(self, seconds: float) -> bool:
        return self.closed.wait(seconds)

    def stays_open(self, seconds: float) -> bool:
        return not self.closed.wait(seconds) and self.client.connected

    def close(self) -> None:
        self.client.disconnect()
        # python-engineio leaves open the WebSocket of a connection the server closed.
        websocket = getattr(self.client.eio, "ws", None)
        if websocket is not None:
            websocket.shutdown()


def open_tab(
    url: str,
    http=None,
    *,
    events: tuple[str, ...] = (),
    origin: str | None = None,
    **client_options,
) -> SocketTab:
    """Connect a python-socketio client to ``url`` over a WebSocket with the cookies of
    ``http`` (a requests session), listening to ``events``. ``origin`` is the Origin
    header of the handshake (by default ``url``'s own, as a page of the site sends);
    ``client_options`` go to ``socketio.Client``. Close it with ``tab.close()``."""
    import socketio

    if origin is not None:
        client_options["websocket_extra_options"] = {"origin": origin}
    client = socketio.Client(reconnection=False, **client_options)
    tab = SocketTab(client, events)
    headers = {}
    if http is not None:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    try:
        client.connect(url, headers=headers, transports=["websocket"], wait_timeout=10)
    except Exception:
        client.disconnect()
        raise
    return tab


EXPORT_WAIT_SECONDS = 30


def wait_for_export(export_id, *, state: str = "ready"):
    """Wait until the worker has brought the export to ``state``; the Export, reloaded."""
    from app.exports.models import Export

    deadline = time.monotonic() + EXPORT_WAIT_SECONDS
    while time.monotonic() < deadline:
        export = Export.objects(id=export_id).first()
        if export is not None and export.state == state:
            return export
        time.sleep(0.1)
    raise AssertionError(f"export {export_id} not {state} within {EXPORT_WAIT_SECONDS} s")


def start_export(client) -> str:
    """Start an export from the account page's button, as its script does; the id."""
    token = csrf_token(client.get("/account").text)
    response = client.post(
        "/account/exports", headers={"X-CSRFToken": token, "Accept": "application/json"}
    )
    assert response.status_code == 202, response.text
    return response.get_json()["id"]
