"""HTTPS served by the app (make run-https), security headers, request ids, JSON logs."""

from __future__ import annotations

import json
import logging
import re
import warnings

import pytest
import requests
from werkzeug.serving import make_ssl_devcert

from app.logs import JsonFormatter
from tests.factories import UserFactory
from tests.helpers import assert_websocket_connects
from tests.logins import log_in_client, log_in_http
from tests.servers import start_live_server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_ssl_devcert(str(tmp_path_factory.mktemp("tls") / "dev"), host="localhost")


@pytest.fixture(scope="module", params=["files", "adhoc"])
def https_server(request, settings, certificate, tmp_path_factory):
    cert, key = certificate if request.param == "files" else ("adhoc", "")
    server = start_live_server(
        {**settings, "WEB_TLS_CERT": cert, "WEB_TLS_KEY": key},
        tmp_path_factory.mktemp("https") / "web.log",
        scheme="https",
    )
    yield server
    server.stop()


def test_https_request_and_socket(app, https_server):
    user = UserFactory()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the certificate is self-signed
        http = requests.Session()
        http.trust_env = False  # or REQUESTS_CA_BUNDLE would win over the session's verify
        http.verify = False
        page = http.get(f"{https_server.url}/login", timeout=10)
        assert page.status_code == 200
        assert page.url.startswith("https://")
        assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
        # Over HTTPS the CSRF check also wants a same-origin Referer, as browsers send.
        log_in_http(https_server.url, user, http=http)

        assert_websocket_connects(https_server.url, http, ssl_verify=False)


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "logged_in"),
    [
        ("/", True),
        ("/login", False),  # a member asking for it is sent on
        ("/register", False),
        ("/songs/upload", True),
        ("/api/docs", True),
    ],
)
def test_pages_have_no_inline_script(client, app, path, logged_in):
    if logged_in:
        log_in_client(client, UserFactory())

    response = client.get(path)
    html = response.text

    assert response.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts  # the page does load scripts, each from a file
    assert all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


def test_every_response_has_a_request_id_and_keeps_a_given_one(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
    refused = client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert kept == "abc-123"
    assert refused != "bad id!"
    assert re.fullmatch(r"[0-9a-f]{32}", refused)  # a new one instead


def test_json_log_lines(app):
    record = logging.LogRecord("encore", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.request_id = "abc"

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "hello world"
    assert line["level"] == "INFO"
    assert line["request_id"] == "abc"


def test_production_logs_json_and_trusts_one_proxy(make_app):
    production = make_app(
        ENCORE_ENV="production", MAIL_BACKEND="smtp", EXTERNAL_URL="https://songs.example"
    )

    response = production.test_client().get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "songs.example"}
    )

    assert production.config["LOG_FORMAT"] == "json"
    assert "Strict-Transport-Security" in response.headers  # seen as HTTPS via the proxy
