"""HTTP hardening: proxy headers, security headers and a Content-Security-Policy that the
app's own pages satisfy (they use no inline script)."""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

RECAPTCHA_HOSTS = ["https://www.google.com/recaptcha/", "https://www.gstatic.com/recaptcha/"]


def content_security_policy(recaptcha: bool) -> dict[str, str | list[str]]:
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
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def init_web_security(app: Flask) -> None:
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
        content_security_policy=content_security_policy(app.config["RECAPTCHA_ENABLED"]),
        frame_options="DENY",
        # Talisman writes these back into app.config: hand it the configured values.
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        referrer_policy="strict-origin-when-cross-origin",
    )
