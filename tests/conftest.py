"""Fixtures: private servers for the session, a fresh app and a clean database per test."""

from __future__ import annotations

import os

os.environ["ENCORE_ENV"] = "testing"  # before the app reads any configuration

import uuid
from collections.abc import Callable, Iterator

import mongoengine
import pytest
import requests
import socketio
from flask import Flask

from app import create_app
from app.accounts.models import User
from app.accounts.services import ensure_roles
from app.i18n.compile import compile_catalogs
from app.processes import stop
from tests.factories import TEST_PASSWORD, use_app
from tests.helpers import clear_outbox
from tests.logins import log_in_http
from tests.servers import (
    LiveServer,
    ServerUrls,
    private_servers,
    start_live_server,
    start_worker,
)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerUrls]:
    with private_servers(tmp_path_factory.mktemp("servers")) as urls:
        yield urls


@pytest.fixture(scope="session")
def settings(servers: ServerUrls, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What every app, worker and live server of this session is configured with."""
    return {
        "ENCORE_ENV": "testing",
        "MONGODB_URI": servers.mongodb_uri,
        "REDIS_URL": servers.redis_url,
        "SECRET_KEY": "test-secret-key",
        "SECURITY_PASSWORD_SALT": "test-password-salt",
        "TWO_FACTOR_KEYS": ["test-two-factor-key"],
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "LOG_LEVEL": "INFO",
        # Rate-limit tests set their own low limits; elsewhere they must not interfere.
        "LOGIN_RATE_LIMIT": "10000 per minute",
        "REGISTER_RATE_LIMIT": "10000 per minute",
        "UPLOAD_RATE_LIMIT": "10000 per minute",
        # Admins sign in with a password alone, except in the tests of the second factor.
        "TWO_FACTOR_REQUIRED_ROLES": [],
        # Lockout tests make apps with a low count; elsewhere it must not interfere.
        "LOCKOUT_MAX_ATTEMPTS": 1000,
        # Retries fast, so the give-up path can be watched within a test.
        "MAIL_RETRY_DELAY_SECONDS": 0.2,
        "MAIL_MAX_RETRIES": 2,
    }


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The .mo catalogs are build output: compile any that are missing or stale."""
    compile_catalogs()


@pytest.fixture(scope="session", autouse=True)
def _close_mongodb_clients_at_exit():
    """Apps built directly in tests leave their client connected; close the last one."""
    yield
    mongoengine.disconnect_all()


def clean_database() -> None:
    """Empty every collection but keep the indexes, which long-lived processes rely on."""
    database = mongoengine.get_db()
    for name in database.list_collection_names():
        if not name.startswith("system."):
            database[name].delete_many({})


@pytest.fixture
def app(settings: dict) -> Iterator[Flask]:
    app = create_app({**settings, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    clear_outbox(settings["INSTANCE_PATH"])
    with app.app_context():
        clean_database()
        ensure_roles()
    use_app(app)
    yield app
    use_app(None)
    with app.app_context():
        clean_database()
    mongoengine.disconnect()


@pytest.fixture
def make_app(app: Flask, settings: dict) -> Callable[..., Flask]:
    """Another app on the same database and servers, with some settings changed."""

    def make(**overrides) -> Flask:
        return create_app(
            {**settings, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", **overrides}
        )

    return make


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def worker(settings: dict, tmp_path_factory: pytest.TempPathFactory):
    """A real Celery worker process for the whole session."""
    log_path = tmp_path_factory.mktemp("logs") / "worker.log"
    process = start_worker(settings, log_path, name="tests")
    yield process
    stop(process)


@pytest.fixture(scope="session")
def live_server(settings: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real web entry point (eventlet, Flask-SocketIO) on a free port."""
    server = start_live_server(settings, tmp_path_factory.mktemp("logs") / "web.log")
    yield server
    server.stop()


@pytest.fixture
def login(live_server: LiveServer) -> Callable[[User], requests.Session]:
    """Log ``user`` in on the live server; returns the HTTP session holding the cookie."""
    sessions: list[requests.Session] = []

    def log_in(user: User, password: str = TEST_PASSWORD) -> requests.Session:
        http = requests.Session()
        sessions.append(http)
        return log_in_http(live_server.url, user, password, http=http)

    yield log_in
    for http in sessions:
        http.close()


@pytest.fixture
def socket_client(live_server: LiveServer) -> Callable[..., socketio.Client]:
    """Connect a real python-socketio client, with the cookies of ``http`` if given."""
    clients: list[socketio.Client] = []

    def connect(http: requests.Session | None = None) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        clients.append(client)
        headers = {}
        if http is not None:
            cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
            headers["Cookie"] = cookie
        client.connect(live_server.url, headers=headers, transports=["websocket"], wait_timeout=10)
        return client

    yield connect
    for client in clients:
        client.disconnect()
