"""HTTPS served by the app itself, for development (production terminates TLS at the proxy)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.serving import make_ssl_devcert

ADHOC = "adhoc"


def tls_files(app: Flask) -> tuple[str, str] | None:
    """(certificate, key) to serve HTTPS with, or None for plain HTTP.

    ``WEB_TLS_CERT=adhoc`` makes a throw-away self-signed pair under instance/certs/.
    """
    cert = app.config["WEB_TLS_CERT"]
    if not cert:
        return None
    if cert == ADHOC:
        folder = Path(app.instance_path) / "certs"
        folder.mkdir(parents=True, exist_ok=True)
        return make_ssl_devcert(str(folder / "adhoc"), host="localhost")
    key = app.config["WEB_TLS_KEY"]
    if not key:
        raise ValueError("WEB_TLS_KEY must name the key file that matches WEB_TLS_CERT")
    return cert, key
