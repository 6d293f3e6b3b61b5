"""Login, permission and CSRF answers for pages and API alike, and the login and CSRF
checks for views that stream their request body.

Flask-Security's ``auth_required`` parses the form to look for a CSRF token, which would
spool an upload to disk. These views ask only who is logged in, and check the CSRF token
themselves, from the header or from a field that comes before the file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_security import current_user, url_for_security
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app.accounts.permissions import CATALOGUE
from app.errors import Forbidden, error_response, problem, wants_json


def member_required_streaming(view: Callable) -> Callable:
    """``auth_required("session", "token")`` that leaves the request body unread. The view
    must check CSRF itself for session callers (:func:`csrf_before_storing`)."""

    @functools.wraps(view)
    def checked(*args: object, **kwargs: object) -> object:
        if not current_user.is_authenticated:
            return unauthenticated()
        return view(*args, **kwargs)

    return checked


def unauthenticated() -> ResponseReturnValue:
    """401 problem JSON (with a Bearer challenge) for the API and JSON callers; browsers
    are sent to the login page, and back here afterwards."""
    if wants_json():
        response = problem(
            401,
            "Unauthorized",
            _("Log in, or send a valid token: Authorization: Bearer <token>."),
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="encore"'
        return response
    return redirect(url_for_security("login", next=request.path))


def check_csrf_token(token: str | None) -> None:
    """Raise CSRFError (400) unless ``token`` is this session's CSRF token."""
    try:
        validate_csrf(token)
    except ValidationError as error:
        raise CSRFError(str(error)) from None


def csrf_before_storing(fields: dict[str, str]) -> None:
    """The token from the X-CSRFToken header, or else from a field that came before the file."""
    check_csrf_token(request.headers.get("X-CSRFToken") or fields.get("csrf_token"))


def forbidden(func_name: str, params: list[str]) -> ResponseReturnValue:
    """Flask-Security's answer when ``permissions_required`` or ``permissions_accepted``
    refuses: 403, as the error page or problem JSON, naming what was missing."""
    described = [_described(name) for name in params]
    if len(described) == 1:
        text = _("This needs the permission %(needed)s, which none of your roles grants.")
        needed = described[0]
    elif func_name == "permissions_required":
        text = _("This needs all of the permissions %(needed)s, which none of your roles grants.")
        needed = ", ".join(described)
    else:
        text = _("This needs one of the permissions %(needed)s, which none of your roles grants.")
        needed = _(" or ").join(described)
    return error_response(Forbidden(text % {"needed": needed}))


def _described(name: str) -> str:
    """``songs:upload (upload songs and replace their audio)``; German keeps the capital
    letter of a noun that starts the description."""
    if name not in CATALOGUE:
        return name
    text = str(CATALOGUE[name]).rstrip(".")
    if get_locale() is None or get_locale().language != "de":
        text = text[:1].lower() + text[1:]
    return f"{name} ({text})"
