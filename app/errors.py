"""Our exceptions, and how every error becomes an HTML page or RFC 7807 problem JSON."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from mongoengine import NotUniqueError
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


class EncoreError(Exception):
    """Base of the errors our services raise; each maps to one HTTP status."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationFailed(EncoreError):
    """Input that breaks a rule; ``errors`` maps each field to the reason."""

    status = 422
    title = "Invalid input"

    def __init__(self, errors: dict[str, str]) -> None:
        detail = "; ".join(f"{field}: {reason}" for field, reason in errors.items())
        super().__init__(detail)
        self.errors = errors


class NotFound(EncoreError):
    status = 404
    title = "Not found"


class Conflict(EncoreError):
    status = 409
    title = "Conflict"


def wants_json() -> bool:
    """API paths and clients that prefer JSON get problem details instead of pages."""
    if request.path.startswith("/api/"):
        return True
    accepted = request.accept_mimetypes
    return accepted["application/json"] > accepted["text/html"]


def problem(status: int, title: str, detail: str, **extra) -> Response:
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def _field_errors(error: HTTPException) -> dict[str, str]:
    """Per-field reasons from request-parsing errors (webargs puts them in ``data``)."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    flat: dict[str, str] = {}
    for location in messages.values():
        for field, reasons in (location or {}).items():
            flat[field] = " ".join(reasons) if isinstance(reasons, list) else str(reasons)
    return flat


def handle_http_error(error: HTTPException):
    if wants_json():
        errors = _field_errors(error)
        detail = "; ".join(f"{name}: {reason}" for name, reason in errors.items())
        response = problem(
            error.code or 500,
            error.name,
            detail or error.description or error.name,
            **({"errors": errors} if errors else {}),
        )
    else:
        page = render_template(
            "error.html", code=error.code, name=error.name, detail=error.description
        )
        response = Response(page, status=error.code, mimetype="text/html")
    for header in ("Retry-After", "Allow", "WWW-Authenticate"):
        original = error.get_response().headers.get(header)
        if original:
            response.headers[header] = original
    return response


def handle_encore_error(error: EncoreError):
    if wants_json():
        extra = {"errors": error.errors} if isinstance(error, ValidationFailed) else {}
        return problem(error.status, error.title, error.detail, **extra)
    page = render_template("error.html", code=error.status, name=error.title, detail=error.detail)
    return Response(page, status=error.status, mimetype="text/html")


def handle_not_unique(error: NotUniqueError):
    """The unique indexes caught a duplicate our checks could not see (two requests at
    once): a clear 409, never a 500."""
    return handle_encore_error(
        Conflict("That was just taken by someone else (a username or email, for example).")
    )


def register_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(EncoreError, handle_encore_error)
    app.register_error_handler(NotUniqueError, handle_not_unique)
