"""Our exceptions, and how every error becomes an HTML page or RFC 7807 problem JSON."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


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


def handle_http_error(error: HTTPException):
    if wants_json():
        response = problem(error.code or 500, error.name, error.description or error.name)
    else:
        page = render_template("error.html", error=error)
        response = Response(page, status=error.code, mimetype="text/html")
    for header in ("Retry-After", "Allow", "WWW-Authenticate"):
        original = error.get_response().headers.get(header)
        if original:
            response.headers[header] = original
    return response


def register_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
