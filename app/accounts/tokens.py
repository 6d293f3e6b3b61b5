"""Where an API token may come from: the token header only.

Flask-Security also takes a token from an ``auth_token`` query argument or JSON field. A
token in a URL ends up in server logs, browser history and ``Referer`` headers; and
looking for one in JSON means parsing the body of every anonymous JSON request before
anything else has run. So a request with a token in its query string is refused, and
Flask-Security's loader is consulted only when the header is there (``Authorization:
Bearer`` fills it, see app/api/auth.py). Whether a token really authenticated the request
is then :func:`token_authenticated`, never the mere presence of the header.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from flask_security import Security, get_request_attr
from werkzeug.exceptions import BadRequest

from app.accounts.models import User

RequestLoader = Callable[[Request], User | None]


def header_only(load: RequestLoader) -> RequestLoader:
    """``load`` (Flask-Security's request loader), asked only when the token header is
    present."""

    def load_from_header(request: Request) -> User | None:
        if not request.headers.get(current_app.config["SECURITY_TOKEN_AUTHENTICATION_HEADER"]):
            return None
        return load(request)

    return load_from_header


def refuse_token_in_url() -> None:
    """A token in the query string is refused (400), before any view runs."""
    if current_app.config["SECURITY_TOKEN_AUTHENTICATION_KEY"] in request.args:
        raise BadRequest(
            _("Tokens are not accepted in the URL: send yours as Authorization: Bearer <token>.")
        )


def token_authenticated() -> bool:
    """Whether a valid token, not a session cookie, identified the caller."""
    return get_request_attr("fs_authn_via") == "token"


def init_tokens(app: Flask, security: Security) -> None:
    login_manager = security.login_manager
    login_manager.request_loader(header_only(login_manager.request_callback))
    app.before_request(refuse_token_in_url)
