"""Development secrets: generated once per instance folder, so sessions survive restarts
and every local process (web, worker, CLI) signs with the same key."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask

GENERATED = ("SECRET_KEY", "SECURITY_PASSWORD_SALT")


def ensure_secrets(app: Flask) -> None:
    """Fill unset secrets from ``instance/secrets/`` (production refuses to get here)."""
    folder = Path(app.instance_path) / "secrets"
    for name in GENERATED:
        if app.config.get(name):
            continue
        path = folder / name.lower()
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        app.config[name] = path.read_text().strip()
