"""HTTP hardening: proxy headers, trusted hosts and links built on EXTERNAL_URL, bounded
request bodies, security headers and a Content-Security-Policy that the app's own pages
satisfy (they use no inline script)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Request, current_app, request
from flask_babel import force_locale, format_decimal, gettext
from flask_talisman import Talisman
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import MapAdapter

from app.i18n.selection import header_language

View = TypeVar("View", bound=Callable)


class EncoreFlask(Flask):
    """Flask whose absolute URLs are all built on EXTERNAL_URL: the host from SERVER_NAME
    (Flask's own rule) and, here, the scheme too, instead of the request's. A link mailed
    while answering a request therefore points at the site whatever that request said."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        adapter = super().create_url_adapter(request)
        if adapter is not None:
            adapter.url_scheme = self.config["PREFERRED_URL_SCHEME"]
        return adapter


RECAPTCHA_HOSTS = ["https://www.google.com/recaptcha/", "https://www.gstatic.com/recaptcha/"]


def content_security_policy(
    recaptcha: bool, sign_in_origins: list[str] | None = None
) -> dict[str, str | list[str]]:
    scripts = ["'self'", *(RECAPTCHA_HOSTS if recaptcha else [])]
    return {
        "default-src": "'self'",
        "script-src": scripts,
        # Swagger UI sets style attributes; no script may run inline.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "media-src": "'self'",
        "connect-src": "'self'",
        "frame-src": ["'self'", *(["https://www.google.com/recaptcha/"] if recaptcha else [])],
        "object-src": "'none'",
        "base-uri": "'self'",
        # The login page's sign-in buttons post to us and are redirected to the provider.
        "form-action": ["'self'", *(sign_in_origins or [])],
        "frame-ancestors": "'none'",
    }


def accepts_large_body(limit: Callable[[], int]) -> Callable[[View], View]:
    """Let the view receive a request body of up to ``limit()`` bytes instead of
    MAX_REQUEST_KB: for the views that stream an upload and enforce its size themselves.
    Put it right under the route decorator."""

    def mark(view: View) -> View:
        view.max_content_length = limit  # type: ignore[attr-defined]
        return view

    return mark


def refuse_large_bodies() -> None:
    """Before anything reads the body (or asks who is calling): a declared length past
    this view's limit is answered 413 unread. Werkzeug holds a body without a declared
    length to the same limit as it is read."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_content_length", None)
    if limit is not None:
        request.max_content_length = limit()
    allowed = request.max_content_length
    if allowed is not None and (request.content_length or 0) > allowed:
        # In the language of Accept-Language: the locale selector would load the user.
        with force_locale(header_language()):
            detail = gettext(
                "The request body is larger than %(size)s KiB, the most this address accepts.",
                size=format_decimal(allowed // 1024),
            )
        raise RequestEntityTooLarge(detail)


def init_web_security(app: Flask) -> None:
    # First of the request hooks, so an oversized body is refused before any other runs.
    app.before_request(refuse_large_bodies)
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        # Trust X-Forwarded-For/Proto/Host from this many proxies in front (nginx: one).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Talisman(
        app,
        # The proxy redirects HTTP to HTTPS; the app must still answer plain HTTP health
        # checks from inside its own network.
        force_https=False,
        strict_transport_security=True,
        strict_transport_security_max_age=31_536_000,
        content_security_policy=content_security_policy(
            app.config["RECAPTCHA_ENABLED"], app.config["OAUTH_SIGN_IN_ORIGINS"]
        ),
        frame_options="DENY",
        # Talisman writes these back into app.config: hand it the configured values.
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        referrer_policy="strict-origin-when-cross-origin",
    )
