"""Development secrets: generated once per instance folder, so sessions survive restarts
and every local process (web, worker, CLI) signs with the same key."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask

from app.config import two_factor_settings

GENERATED = ("SECRET_KEY", "SECURITY_PASSWORD_SALT", "TWO_FACTOR_KEYS")


def ensure_secrets(app: Flask) -> None:
    """Fill unset secrets from ``instance/secrets/`` (production refuses to get here), then
    the Flask-Security keys that follow from TWO_FACTOR_KEYS."""
    folder = Path(app.instance_path) / "secrets"
    for name in GENERATED:
        if app.config.get(name):
            continue
        path = folder / name.lower()
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        value = path.read_text().strip()
        app.config[name] = [value] if name == "TWO_FACTOR_KEYS" else value
    app.config.update(two_factor_settings(app.config["TWO_FACTOR_KEYS"]))
