"""The admin area at /admin (Admin role only): the dashboard so far."""

from __future__ import annotations

from flask import Flask


def init_admin(app: Flask) -> None:
    """Register the admin blueprint."""
    from app.admin.views import blueprint

    app.register_blueprint(blueprint)
