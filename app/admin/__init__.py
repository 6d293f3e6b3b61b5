"""The admin area at /admin (Admin role only): dashboard, users, roles, songs and
albums, and the audit log of every change made here."""

from __future__ import annotations

from flask import Flask


def init_admin(app: Flask) -> None:
    """Register the admin blueprint with every admin page attached."""
    from app.admin import audit_views, content_views, role_views, user_views  # noqa: F401
    from app.admin.views import blueprint

    app.register_blueprint(blueprint)
