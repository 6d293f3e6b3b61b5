"""REST API at /api/v1: flask-smorest (marshmallow schemas, OpenAPI 3), token auth.

The OpenAPI document is served at /api/v1/openapi.json and browsable in Swagger UI at
/api/docs (its assets are served from our own static files, no CDN).
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_security.decorators import default_unauthn_handler, default_unauthz_handler
from flask_smorest import Api

from app.accounts.decorators import unauthenticated
from app.api.auth import BearerTokenMiddleware
from app.errors import problem


def _unauthenticated(mechanisms, headers=None):
    if request.path.startswith("/api/"):
        return unauthenticated()
    return default_unauthn_handler(mechanisms, headers)


def _unauthorised(func_name, params):
    if request.path.startswith("/api/"):
        return problem(403, "Forbidden", _("This needs the Admin role."))
    return default_unauthz_handler(func_name, params)


def init_api(app: Flask) -> Api:
    from app.api import albums, auth, notifications, songs, users

    api = Api(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "Flask-Security token"}
    )
    prefix = app.config["OPENAPI_URL_PREFIX"]
    for module in (auth, songs, albums, notifications, users):
        api.register_blueprint(module.blueprint, url_prefix=f"{prefix}{module.PREFIX}")
    app.wsgi_app = BearerTokenMiddleware(app.wsgi_app)
    security = app.extensions["security"]
    security.unauthn_handler(_unauthenticated)
    security.unauthz_handler(_unauthorised)
    app.add_url_rule("/api/docs", "api_docs", swagger_ui)
    return api


def swagger_ui():
    """Swagger UI, initialised by a static script (no inline JavaScript)."""
    spec_url = url_for("api-docs.openapi_json")
    return render_template(
        "api/docs.html", spec_url=spec_url, title=current_app.config["API_TITLE"]
    )
