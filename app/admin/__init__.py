"""The admin area at /admin: users, roles, all content, dashboard and audit log."""

from __future__ import annotations

from flask import Flask


def init_admin(app: Flask) -> None:
    """Register the admin blueprint(s)."""
