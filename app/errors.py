"""Our exceptions, and how every error becomes an HTML page or RFC 7807 problem JSON.

Titles and details are in the request's language (app/i18n): our exceptions carry lazy
titles and details translated when raised; HTTP errors get the titles and default
descriptions below.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from mongoengine import NotUniqueError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_JSON = "application/problem+json"

#: HTTP status titles (Werkzeug's English names) in the reader's language.
HTTP_TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    409: _l("Conflict"),
    413: _l("Request Entity Too Large"),
    415: _l("Unsupported Media Type"),
    416: _l("Range Not Satisfiable"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}
_TITLES_BY_NAME = {HTTP_STATUS_CODES[status]: title for status, title in HTTP_TITLES.items()}

#: Werkzeug's default descriptions, translated; a description a view gave is kept.
HTTP_DESCRIPTIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    401: _l(
        "The server could not verify that you are authorized to access the URL requested. "
        "You either supplied the wrong credentials (e.g. a bad password), or your browser "
        "doesn't understand how to supply the credentials required."
    ),
    403: _l(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    404: _l(
        "The requested URL was not found on the server. If you entered the URL manually "
        "please check your spelling and try again."
    ),
    405: _l("The method is not allowed for the requested URL."),
    413: _l("The data value transmitted exceeds the capacity limit."),
    415: _l("The server does not support the media type transmitted in the request."),
    416: _l("The server cannot provide the requested range."),
    429: _l("This user has exceeded an allotted request count. Try again later."),
    500: _l(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
}


def http_title(status: int, name: str) -> str:
    """The title of an HTTP status in the reader's language."""
    return str(HTTP_TITLES.get(status, name))


def _described(error: HTTPException) -> str:
    default = type(error).description
    if error.description == default and error.code in HTTP_DESCRIPTIONS:
        return str(HTTP_DESCRIPTIONS[error.code])
    return error.description or error.name


class EncoreError(Exception):
    """Base of the errors our services raise; each maps to one HTTP status."""

    status = 400
    title = _l("Bad request")

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def problem_fields(self) -> dict[str, Any]:
        """Members of the problem JSON besides type, status, title and detail."""
        return {}

    def headers(self) -> dict[str, str]:
        """Headers the answer carries."""
        return {}


class ValidationFailed(EncoreError):
    """Input that breaks a rule; ``errors`` maps each field to the reason."""

    status = 422
    title = _l("Invalid input")

    def __init__(self, errors: dict[str, str]) -> None:
        detail = "; ".join(f"{field}: {reason}" for field, reason in errors.items())
        super().__init__(detail)
        self.errors = errors

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": self.errors}


class NotFound(EncoreError):
    status = 404
    title = _l("Not found")


class Forbidden(EncoreError):
    """The caller is known but may not do this (a permission none of their roles grants)."""

    status = 403
    title = _l("Forbidden")


class Conflict(EncoreError):
    status = 409
    title = _l("Conflict")


class Gone(EncoreError):
    """It existed, and is no more (an expired download link, for one)."""

    status = 410
    title = _l("Gone")


class RetryLater(EncoreError):
    """Refused for ``retry_after`` seconds: said in the problem and in ``Retry-After``."""

    status = 429
    title = _l("Too Many Requests")

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def problem_fields(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class RateLimited(RetryLater):
    """A rate limit (``limit``, e.g. "10 per 1 minute") was reached; ``retry_after`` is in
    seconds."""

    def __init__(self, limit: str, retry_after: int) -> None:
        super().__init__(
            _(
                "Too many requests: the limit is %(limit)s. Try again in %(seconds)s s.",
                limit=limit,
                seconds=retry_after,
            ),
            retry_after,
        )


class PasskeysElsewhere(EncoreError):
    """A passkey ceremony asked for at a host name passkeys do not belong to."""

    status = 400
    title = _l("Passkeys are not available at this address")


class SignInRefused(EncoreError):
    """A sign-in through GitHub, Google or OpenID Connect that opens no account here."""

    status = 403
    title = _l("Sign-in refused")


class SignInFailed(EncoreError):
    """A sign-in through GitHub, Google or OpenID Connect whose answer cannot be used."""

    status = 400
    title = _l("Sign-in failed")


class SignInProviderFailed(EncoreError):
    """GitHub, Google or the OpenID Connect provider could not be reached, or answered
    with something that cannot be used (a token that does not verify, say)."""

    status = 502
    title = _l("Bad Gateway")


class LoginLocked(RetryLater):
    """Too many failed logins for this identity (app/accounts/lockout.py)."""


def wants_json() -> bool:
    """API paths and clients that prefer JSON get problem details instead of pages."""
    if request.path.startswith("/api/"):
        return True
    accepted = request.accept_mimetypes
    return accepted["application/json"] > accepted["text/html"]


def problem(status: int, title: str, detail: str, **extra) -> Response:
    """RFC 7807 problem JSON; an English HTTP status name as ``title`` is translated."""
    title = _TITLES_BY_NAME.get(str(title), title)
    body = {
        "type": "about:blank",
        "status": status,
        "title": str(title),
        "detail": str(detail),
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def _field_errors(error: HTTPException) -> dict[str, str]:
    """Per-field reasons from request-parsing errors (webargs puts them in ``data``); a
    body that cannot be parsed at all is named by its location (``json``)."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    flat: dict[str, str] = {}
    for location, found in messages.items():
        by_field = found if isinstance(found, dict) else {location: found}
        for field, reasons in by_field.items():
            flat[field] = " ".join(reasons) if isinstance(reasons, list) else str(reasons)
    return flat


def untrusted_host(error: SecurityError) -> Response:
    """400 for a Host the app does not serve (TRUSTED_HOSTS). No URL can be built for
    such a request, so the page is a bare one."""
    detail = _("This site does not answer to that host name.")
    if wants_json():
        return problem(400, "Bad Request", detail)
    page = f"<!doctype html><title>400 Bad Request</title><h1>Bad Request</h1><p>{escape(detail)}"
    return Response(page, status=400, mimetype="text/html")


def handle_http_error(error: HTTPException):
    if error.response is not None:  # answered already (a rate limit's 429, for one)
        return error.response
    if isinstance(error, SecurityError):
        return untrusted_host(error)
    if wants_json():
        errors = _field_errors(error)
        detail = "; ".join(f"{name}: {reason}" for name, reason in errors.items())
        response = problem(
            error.code or 500,
            http_title(error.code or 500, error.name),
            detail or _described(error),
            **({"errors": errors} if errors else {}),
        )
    else:
        page = render_template(
            "error.html",
            code=error.code,
            name=http_title(error.code or 500, error.name),
            detail=_described(error),
        )
        response = Response(page, status=error.code, mimetype="text/html")
    for header in ("Retry-After", "Allow", "WWW-Authenticate"):
        original = error.get_response().headers.get(header)
        if original:
            response.headers[header] = original
    return response


def error_response(error: EncoreError) -> Response:
    """``error`` as problem JSON or as the error page, whichever the caller wants."""
    if wants_json():
        response = problem(error.status, error.title, error.detail, **error.problem_fields())
    else:
        page = render_template(
            "error.html", code=error.status, name=error.title, detail=error.detail
        )
        response = Response(page, status=error.status, mimetype="text/html")
    response.headers.update(error.headers())
    return response


def handle_not_unique(error: NotUniqueError):
    """The unique indexes caught a duplicate our checks could not see (two requests at
    once): a clear 409, never a 500."""
    return error_response(
        Conflict(_("That was just taken by someone else (a username or email, for example)."))
    )


def register_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(EncoreError, error_response)
    app.register_error_handler(NotUniqueError, handle_not_unique)
