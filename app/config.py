"""Settings, read from environment variables (and ``.env`` outside tests).

Every setting is defined here once:

* :data:`SETTINGS`, the variables a person may set: name, parser, default (per environment
  where it differs) and what it is for. ``docs/configuration.rst`` renders this table and a
  test holds ``.env.example`` to it.
* :data:`FIXED_SETTINGS` and :data:`FIXED_BY_ENVIRONMENT`, the framework settings the app
  fixes (Flask, Flask-Security, Flask-WTF, Flask-Limiter, Flask-SocketIO, flask-smorest).
* :func:`derived_settings`, the settings that follow from others.

``ENCORE_ENV`` picks the environment; a test fails when code reads a key defined nowhere
here.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "testing", "production")


def N_(text: str) -> str:  # noqa: N802 - the name Babel extracts
    """Mark ``text`` for ``make translations`` (one of Babel's default keywords) without
    translating it: for messages fixed before any request, looked up where they are shown."""
    return text


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which variable and why."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {value!r}")


_DURATION_UNITS = ("seconds", "minutes", "hours", "days", "weeks")


def _duration(value: str) -> timedelta:
    """'3 days', '90 minutes', '1 hour' or a plain number of seconds."""
    parts = value.strip().lower().split()
    try:
        amount = float(parts[0])
    except (IndexError, ValueError):
        raise ValueError(f"expected a duration like '3 days', got {value!r}") from None
    unit = parts[1] if len(parts) == 2 else "seconds"
    unit = unit if unit.endswith("s") else unit + "s"
    if len(parts) > 2 or unit not in _DURATION_UNITS or amount <= 0:
        raise ValueError(f"expected a duration like '3 days', got {value!r}")
    return timedelta(**{unit: amount})


def _optional(value: str) -> str | None:
    return value.strip() or None


def _names(value: str) -> list[str]:
    """Comma-separated names; blanks around each are dropped."""
    return [name.strip() for name in value.split(",") if name.strip()]


# What each parser accepts, as the documentation names it.
TYPE_NAMES: dict[Callable[[str], Any], str] = {
    str: "text",
    _optional: "text, may be empty",
    int: "integer",
    float: "number",
    _bool: "true/false",
    _duration: "duration",
    _names: "comma-separated list",
}


def environment_text(value: Any) -> str:
    """``value`` spelled as it is set in the environment: what the parsers read back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
            if seconds % size == 0:
                amount = seconds // size
                return f"{amount} {unit}{'' if amount == 1 else 's'}"
        return str(seconds)
    return str(value)


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, how to parse it, its default and what it is for.

    ``default`` applies in every environment not named in ``env_defaults``.
    """

    name: str
    parse: Callable[[str], Any]
    default: Any
    doc: str
    env_defaults: Mapping[str, Any] = field(default_factory=dict)

    def default_in(self, environment: str) -> Any:
        return self.env_defaults.get(environment, self.default)

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.parse]


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ENCORE_ENV",
        str,
        "development",
        "Which defaults apply: development, testing or production.",
    ),
    Setting(
        "SECRET_KEY",
        _optional,
        None,
        "Signs sessions, CSRF tokens and auth tokens. Required in production; elsewhere "
        "generated once and kept in instance/secrets/.",
    ),
    Setting(
        "SECURITY_PASSWORD_SALT",
        _optional,
        None,
        "Salt for the tokens in confirmation and password-reset links. Required in "
        "production; elsewhere generated like SECRET_KEY.",
    ),
    Setting(
        "TWO_FACTOR_KEYS",
        _names,
        [],
        "Keys that encrypt each account's authenticator secret and key the hashes of its "
        "recovery codes, comma-separated, newest first: the first is used for new ones, "
        "every one still decrypts a secret or checks a code, so a new key goes in front and "
        "an old one leaves once nothing uses it. Required in "
        "production; elsewhere generated like SECRET_KEY.",
    ),
    Setting(
        "MONGODB_URI",
        _optional,
        None,
        "MongoDB connection string with the database name, e.g. "
        "mongodb://localhost:27017/encore. Unset: the embedded SecantusDB server is started "
        "(development only).",
    ),
    Setting(
        "REDIS_URL",
        _optional,
        None,
        "Redis for the Celery broker, the Socket.IO message queue and the rate-limit counts, "
        "e.g. redis://localhost:6379/0. Unset: a private redis-server is started "
        "(development only).",
    ),
    Setting(
        "INSTANCE_PATH",
        _optional,
        None,
        "Folder for local data: the embedded servers' files and logs, the outbox, generated "
        "development secrets. Unset: instance/ in the project folder.",
    ),
    Setting("DEBUG", _bool, False, "Flask's debug mode; refused in production."),
    Setting("WEB_HOST", str, "127.0.0.1", "Address the web server binds."),
    Setting("WEB_PORT", int, 5000, "Port the web server listens on."),
    Setting("LOG_LEVEL", str, "INFO", "Log level of the web and worker processes."),
    Setting(
        "LOG_FORMAT",
        str,
        "text",
        "text, or json: one JSON object per line with time, level, logger, message and request id.",
        env_defaults={"production": "json"},
    ),
    Setting(
        "EXTERNAL_URL",
        _optional,
        None,
        "The address people reach the site at, e.g. https://music.example.org (no path). "
        "Every absolute link, those in mail included, is built on it, never on the Host a "
        "request names. Required in production (https); elsewhere unset means "
        "http://WEB_HOST:WEB_PORT (https with WEB_TLS_CERT).",
    ),
    Setting(
        "TRUSTED_HOSTS",
        _names,
        ["localhost", "127.0.0.1"],
        "Host names requests may be addressed to besides EXTERNAL_URL's; any other Host "
        "(or X-Forwarded-Host from a trusted proxy) is answered 400. A leading dot admits "
        "subdomains (.example.org). The loopback names serve local tools and the container "
        "health check.",
    ),
    Setting(
        "PROXY_FIX_HOPS",
        int,
        0,
        "Proxies in front whose X-Forwarded-For, -Proto and -Host headers are trusted.",
        env_defaults={"production": 1},
    ),
    Setting(
        "WEB_TLS_CERT",
        _optional,
        None,
        "Certificate file for HTTPS served by the app itself, or adhoc for a throw-away "
        "self-signed one.",
    ),
    Setting("WEB_TLS_KEY", _optional, None, "Private key file matching WEB_TLS_CERT."),
    Setting(
        "MAIL_BACKEND",
        str,
        "outbox",
        "outbox keeps mail as files under instance/outbox/ (shown at /dev/outbox); smtp "
        "sends it. Production refuses outbox.",
        env_defaults={"production": "smtp"},
    ),
    Setting("MAIL_SERVER", str, "localhost", "SMTP host."),
    Setting(
        "MAIL_PORT",
        int,
        25,
        "SMTP port; usually 587 with MAIL_USE_TLS, 465 with MAIL_USE_SSL.",
    ),
    Setting("MAIL_USE_TLS", _bool, False, "Upgrade the SMTP connection with STARTTLS."),
    Setting("MAIL_USE_SSL", _bool, False, "Speak TLS to the SMTP server from the first byte."),
    Setting("MAIL_USERNAME", _optional, None, "SMTP login, when the server asks for one."),
    Setting("MAIL_PASSWORD", _optional, None, "SMTP password."),
    Setting(
        "MAIL_DEFAULT_SENDER",
        str,
        "Encore <no-reply@localhost>",
        "The From address of every mail.",
    ),
    Setting(
        "MAIL_TIMEOUT_SECONDS",
        float,
        10.0,
        "SMTP connect and command timeout, in seconds.",
    ),
    Setting(
        "MAIL_MAX_RETRIES",
        int,
        5,
        "Delivery attempts after the first before a mail is given up.",
    ),
    Setting(
        "MAIL_RETRY_DELAY_SECONDS",
        float,
        10.0,
        "Seconds before the first retry; doubled on each further one.",
    ),
    Setting(
        "SECURITY_REGISTERABLE",
        _bool,
        True,
        "Whether visitors may create accounts themselves; when false, accounts are made "
        "with flask users create.",
    ),
    Setting("DEFAULT_USER_ROLE", str, "Public", "Role given to self-registered users."),
    Setting(
        "SECURITY_CONFIRM_EMAIL_WITHIN",
        _duration,
        timedelta(days=3),
        "How long an activation link stays valid.",
    ),
    Setting(
        "SECURITY_RESET_PASSWORD_WITHIN",
        _duration,
        timedelta(hours=1),
        "How long a password-reset link stays valid.",
    ),
    Setting(
        "SECURITY_CHANGE_EMAIL_WITHIN",
        _duration,
        timedelta(hours=2),
        "How long the link confirming a new email address stays valid; the old address "
        "keeps working until it is followed.",
    ),
    Setting(
        "SECURITY_FRESHNESS",
        _duration,
        timedelta(hours=1),
        "How recent a login must be to change the email address or username, or to delete "
        "the account; an older one is asked for the password again. (Changing the "
        "password asks for the current one anyway.)",
    ),
    Setting(
        "RECAPTCHA_PUBLIC_KEY",
        _optional,
        None,
        "reCAPTCHA v2 site key; with RECAPTCHA_PRIVATE_KEY set too, the registration form "
        "asks for the captcha.",
    ),
    Setting("RECAPTCHA_PRIVATE_KEY", _optional, None, "reCAPTCHA v2 secret key."),
    Setting(
        "TWO_FACTOR_REQUIRED_ROLES",
        _names,
        ["Admin"],
        "Roles whose members must sign in with a second factor (an authenticator app or a "
        "passkey); one who has none set up is taken to set one up at login, before "
        "anything else. Empty: second factors stay optional for everyone.",
    ),
    Setting(
        "LOGIN_RATE_LIMIT",
        str,
        "10 per minute",
        "Login attempts allowed per client address; the same number again for second "
        "factors (authenticator codes, recovery codes, passkeys).",
    ),
    Setting(
        "REGISTER_RATE_LIMIT",
        str,
        "5 per minute",
        "Registrations, password-reset requests, activation-mail resends and email or "
        "username changes allowed per client address.",
    ),
    Setting(
        "OAUTH_GITHUB_CLIENT_ID",
        _optional,
        None,
        "Client ID of a GitHub OAuth app; with OAUTH_GITHUB_CLIENT_SECRET set too, the "
        "login page offers Sign in with GitHub.",
    ),
    Setting("OAUTH_GITHUB_CLIENT_SECRET", _optional, None, "Client secret of that GitHub app."),
    Setting(
        "OAUTH_GOOGLE_CLIENT_ID",
        _optional,
        None,
        "Client ID of a Google OAuth client; with OAUTH_GOOGLE_CLIENT_SECRET set too, the "
        "login page offers Sign in with Google.",
    ),
    Setting("OAUTH_GOOGLE_CLIENT_SECRET", _optional, None, "Client secret of that Google client."),
    Setting(
        "OIDC_ISSUER",
        _optional,
        None,
        "Issuer URL of an OpenID Connect provider (Keycloak, Authentik, GitLab, ...), e.g. "
        "https://sso.example.org/realms/music; its settings are read from "
        "ISSUER/.well-known/openid-configuration. With OIDC_CLIENT_ID and "
        "OIDC_CLIENT_SECRET set too, the login page offers Sign in with OIDC_NAME.",
    ),
    Setting("OIDC_CLIENT_ID", _optional, None, "Client ID registered with that provider."),
    Setting("OIDC_CLIENT_SECRET", _optional, None, "Client secret registered with it."),
    Setting(
        "OIDC_NAME",
        str,
        "single sign-on",
        "What the login page calls that provider: Sign in with OIDC_NAME.",
    ),
    Setting(
        "PASSWORD_HASH_MEMORY_KIB",
        int,
        65536,
        "Memory each Argon2id password hash takes, in KiB (with PASSWORD_HASH_ROUNDS: "
        "RFC 9106's second recommended setting by default). A stored hash made with other "
        "costs is redone with these at the account's next login. Tests hash cheaply.",
        env_defaults={"testing": 64},
    ),
    Setting(
        "PASSWORD_HASH_ROUNDS",
        int,
        3,
        "Passes over that memory each Argon2id password hash makes (its time cost).",
        env_defaults={"testing": 1},
    ),
    Setting(
        "LOCKOUT_MAX_ATTEMPTS",
        int,
        5,
        "Failed logins for one identity (an email or username, whether or not it has an "
        "account) within LOCKOUT_WINDOW_SECONDS that lock it for LOCKOUT_SECONDS.",
    ),
    Setting(
        "LOCKOUT_WINDOW_SECONDS",
        float,
        900.0,
        "How long failed logins count towards a lockout, from the first one.",
    ),
    Setting(
        "LOCKOUT_SECONDS",
        float,
        900.0,
        "How long a locked identity stays locked, unless an admin unlocks it or its "
        "password is reset.",
    ),
    Setting(
        "MAX_REQUEST_KB",
        int,
        1024,
        "Largest request body accepted, in KiB, except by the three upload endpoints (which "
        "stream the file and enforce MAX_UPLOAD_MB); a larger body is answered 413 unread.",
    ),
    Setting("MAX_UPLOAD_MB", float, 200.0, "Largest audio file accepted, in MiB."),
    Setting(
        "STORAGE_QUOTA_MB",
        float,
        2048.0,
        "Audio each member may store, in MiB, unless an admin sets their own quota; 0 for "
        "no limit.",
    ),
    Setting(
        "UPLOAD_RATE_LIMIT",
        str,
        "60 per hour",
        "Uploads and replacements allowed per member, pages and API together.",
    ),
    Setting(
        "STUCK_SONG_SECONDS",
        float,
        600.0,
        "A song still queued after this many seconds is queued again.",
    ),
    Setting(
        "PROCESSING_LEASE_SECONDS",
        float,
        60.0,
        "A processing song whose worker has not renewed its claim for this many seconds is "
        "queued again.",
    ),
    Setting(
        "SWEEP_INTERVAL_SECONDS",
        float,
        60.0,
        "How often Celery beat looks for stuck songs, in seconds.",
    ),
    Setting(
        "MAX_AUDIO_SECONDS",
        float,
        14400.0,
        "Longest audio a song may hold, in seconds (14400: 4 hours). Processing decodes a "
        "file no further than this, whatever its size or header says; a longer one fails "
        "saying so.",
    ),
    Setting(
        "PROCESSING_TIME_LIMIT_SECONDS",
        float,
        300.0,
        "Longest one song's processing may take, in seconds; then it stops and the song "
        "fails saying so. A worker process still busy 30 seconds later is killed.",
    ),
    Setting(
        "PROCESSING_MAX_ATTEMPTS",
        int,
        3,
        "Times a song's processing may start without finishing (its worker died or was "
        "killed) before the sweep fails it instead of queuing it again.",
    ),
    Setting(
        "EXPORT_TTL_HOURS",
        float,
        24.0,
        "How long the archive a member exports of their data can be downloaded, in hours "
        "from when it is ready; then Celery beat deletes it.",
    ),
    Setting(
        "SECURITY_TOKEN_MAX_AGE",
        _duration,
        timedelta(hours=24),
        "How long an API token stays valid.",
    ),
    Setting(
        "SESSION_IDLE_DAYS",
        float,
        30.0,
        "How long a browser session stays listed on the account page without being used, "
        "in days; then Celery beat removes its record (a remember-me cookie that brings it "
        "back lists it again).",
    ),
    Setting(
        "API_WRITE_RATE_LIMIT",
        str,
        "120 per minute",
        "API writes (POST, PATCH, DELETE) allowed per client address.",
    ),
    Setting(
        "SOCKET_RECHECK_SECONDS",
        float,
        60.0,
        "How often each web process closes its sockets whose account was deactivated, "
        "deleted or signed out everywhere since they connected, in seconds. Those sockets "
        "are closed at once when it happens; this catches any whose closing was lost while "
        "Redis was unreachable.",
    ),
    Setting(
        "HEALTH_TIMEOUT_SECONDS",
        float,
        1.0,
        "How long /healthz waits for each dependency, the worker ping included, in seconds.",
        env_defaults={"testing": 2.0},
    ),
)


# Framework settings the app fixes: not read from the environment, the same everywhere
# unless FIXED_BY_ENVIRONMENT says otherwise. A comment says why where the value is a choice.
FIXED_SETTINGS: dict[str, Any] = {
    "TESTING": False,
    # Starts MongoDB and Redis for this process when their URLs are unset.
    "EMBEDDED_SERVERS": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Redis down must not turn a login into a 500: count in memory until it is back.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "encore",
    # Flask-SocketIO picks eventlet whenever it is installed; only wsgi.py asks for it.
    "SOCKETIO_ASYNC_MODE": "threading",
    "SOCKETIO_CHANNEL": "encore-socketio",
    # CSRF: forms check their own token, and Flask-Security's auth_required checks it for
    # callers authenticated by session cookie or basic auth, not for bearer tokens (so no
    # global check); so does its logout view (SECURITY_LOGOUT_CSRF). These must be set
    # before Security(app).
    "WTF_CSRF_CHECK_DEFAULT": False,
    "SECURITY_CSRF_PROTECT_MECHANISMS": ["session", "basic"],
    "SECURITY_CSRF_IGNORE_UNAUTH_ENDPOINTS": False,
    "SECURITY_PASSWORD_HASH": "argon2",
    "SECURITY_USERNAME_ENABLE": True,
    "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
    "SECURITY_USERNAME_REQUIRED": True,
    "SECURITY_USE_REGISTER_V2": True,
    "SECURITY_PASSWORD_CONFIRM_REQUIRED": True,
    "SECURITY_SEND_REGISTER_EMAIL": True,
    "SECURITY_CONFIRMABLE": True,
    "SECURITY_AUTO_LOGIN_AFTER_CONFIRM": False,
    "SECURITY_RECOVERABLE": True,
    "SECURITY_CHANGEABLE": True,
    "SECURITY_TRACKABLE": True,
    "SECURITY_RETURN_GENERIC_RESPONSES": True,
    "SECURITY_LOGOUT_METHODS": ["POST"],
    "SECURITY_LOGOUT_CSRF": True,
    "SECURITY_PASSWORD_LENGTH_MIN": 10,
    "SECURITY_PASSWORD_COMPLEXITY_CHECKER": "zxcvbn",
    "SECURITY_POST_LOGIN_VIEW": "/",
    "SECURITY_POST_REGISTER_VIEW": "accounts.check_inbox",
    # Said only once the password is right (Flask-Security checks it first), so it tells
    # nothing about which accounts exist; app/accounts/forms.py keeps it from being
    # replaced by the generic "invalid" message.
    "SECURITY_MSG_CONFIRMATION_REQUIRED": (
        N_(
            "This account is not activated yet: follow the link in the mail we sent when you "
            "registered, or have that mail sent again."
        ),
        "error",
    ),
    "SECURITY_POST_CONFIRM_VIEW": "/login",
    # Second factors (docs/accounts.rst): an authenticator app (TOTP) with one-time
    # recovery codes, and passkeys, which may also stand alone as a first factor. Secrets
    # are stored encrypted and recovery codes as keyed hashes, both under TWO_FACTOR_KEYS
    # (two_factor_settings).
    "SECURITY_TWO_FACTOR": True,
    "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
    # Every login asks for the second factor: no "remember this browser" cookie.
    "SECURITY_TWO_FACTOR_ALWAYS_VALIDATE": True,
    # Authenticator codes are accepted up to this many seconds early or late (clock drift);
    # each is still accepted once only (app/accounts/two_factor.py).
    "SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY": 60,
    # No code by mail: a lost phone is what recovery codes (and an admin's reset) are for.
    "SECURITY_TWO_FACTOR_RESCUE_EMAIL": False,
    "SECURITY_TOTP_ISSUER": "Encore",
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
    "SECURITY_MULTI_FACTOR_RECOVERY_CODES_N": 8,
    "SECURITY_WEBAUTHN": True,
    "SECURITY_WAN_RP_NAME": "Encore",
    "SECURITY_WAN_ALLOW_AS_FIRST_FACTOR": True,
    # A passkey that verified its user (PIN, fingerprint) is two factors in itself.
    "SECURITY_WAN_ALLOW_AS_MULTI_FACTOR": True,
    "SECURITY_MSG_TWO_FACTOR_INVALID_TOKEN": (
        N_(
            "That code is wrong or was used already: enter the code your authenticator app "
            "shows now (each code works once)."
        ),
        "error",
    ),
    "SECURITY_MSG_INVALID_RECOVERY_CODE": (
        N_("That recovery code is wrong or was used already: each code works once."),
        "error",
    ),
    # Sign-in with GitHub, Google or OpenID Connect: app/accounts/oauth.py registers the
    # configured providers itself (with their client IDs, from our settings).
    "SECURITY_OAUTH_BUILTIN_PROVIDERS": [],
    # The account page (/account): change the email address (confirmed by a link sent to
    # the new one; app/receivers.py tells the old one) and the username, each after a
    # fresh login (SECURITY_FRESHNESS). The grace period keeps a user who re-authenticated
    # from being asked again halfway through.
    "SECURITY_CHANGE_EMAIL": True,
    "SECURITY_CHANGE_USERNAME": True,
    "SECURITY_POST_CHANGE_EMAIL_VIEW": "accounts.account",
    "SECURITY_POST_CHANGE_USERNAME_VIEW": "accounts.account",
    "SECURITY_POST_CHANGE_VIEW": "accounts.account",
    "SECURITY_FRESHNESS_GRACE_PERIOD": timedelta(minutes=5),
    # Where an expired or unusable change-email link leads: a page that says why, open
    # to whoever follows the link (the old browser session may be gone).
    "SECURITY_CHANGE_EMAIL_ERROR_VIEW": "accounts.email_link_refused",
    # Flask-Security's own default: the one place a token is read from (Authorization:
    # Bearer fills it).
    "SECURITY_TOKEN_AUTHENTICATION_HEADER": "Authentication-Token",
    # Flask-Security's own default; a request carrying it in the URL is refused
    # (app/accounts/tokens.py).
    "SECURITY_TOKEN_AUTHENTICATION_KEY": "auth_token",
    # Our own `flask users` group replaces Flask-Security's users/roles commands.
    "SECURITY_CLI_USERS_NAME": False,
    "SECURITY_CLI_ROLES_NAME": False,
    # Translations (app/i18n/, docs/translations.rst): the languages offered, the first the
    # fallback; our catalogs live in app/translations, Flask-Security's pages and messages
    # use the catalogs it ships (its "flask_security" domain).
    "LANGUAGES": ["en", "de", "fr"],
    "LANGUAGE_COOKIE": "encore_language",
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "BABEL_TRANSLATION_DIRECTORIES": "translations",
    "SECURITY_I18N_DOMAIN": "flask_security",
    "SECURITY_I18N_DIRNAME": "builtin",
    # Bootstrap-Flask: its copy of Bootstrap is served by the app itself, so the CSP
    # allows no other origin; messages without a category are plain information.
    "BOOTSTRAP_SERVE_LOCAL": True,
    "BOOTSTRAP_MSG_CATEGORY": "info",
    # flask-smorest: the REST API and its OpenAPI document under /api/v1.
    "API_TITLE": "Encore API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Songs, albums and notifications of an Encore library. "
            "Get a token with POST /api/v1/auth/token and send it as "
            "`Authorization: Bearer <token>`. Errors are RFC 7807 problem details.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
    },
}

FIXED_BY_ENVIRONMENT: dict[str, dict[str, Any]] = {
    "development": {},
    "testing": {
        "TESTING": True,
        # Tests pass their private servers explicitly; never start or attach to others.
        "EMBEDDED_SERVERS": False,
    },
    "production": {
        "EMBEDDED_SERVERS": False,
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
    },
}


def local_url(settings: Mapping[str, Any]) -> str:
    """Where a server started here answers: http(s)://WEB_HOST:WEB_PORT."""
    host = settings["WEB_HOST"]
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - every address: name one of them
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if settings.get("WEB_TLS_CERT") else "http"
    return f"{scheme}://{host}:{settings['WEB_PORT']}"


def split_external_url(url: str) -> tuple[str, str, str]:
    """The scheme, host[:port] (without the scheme's default port) and host name of an
    EXTERNAL_URL; ConfigError unless it is http(s)://host[:port] with no path."""
    parts = urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = parts._replace(netloc="")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(f"EXTERNAL_URL must be http(s)://host[:port] with no path, not {url!r}")
    default_port = {"http": ":80", "https": ":443"}[parts.scheme]
    return parts.scheme, parts.netloc.lower().removesuffix(default_port), parts.hostname


#: Each sign-in provider and the settings that, all set, turn it on.
OAUTH_PROVIDER_SETTINGS: dict[str, tuple[str, ...]] = {
    "github": ("OAUTH_GITHUB_CLIENT_ID", "OAUTH_GITHUB_CLIENT_SECRET"),
    "google": ("OAUTH_GOOGLE_CLIENT_ID", "OAUTH_GOOGLE_CLIENT_SECRET"),
    "oidc": ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"),
}
#: Where GitHub and Google show their sign-in pages (the OpenID Connect provider's is on
#: its issuer's origin).
PROVIDER_SIGN_IN_ORIGINS = {"github": "https://github.com", "google": "https://accounts.google.com"}


def oauth_providers(settings: Mapping[str, Any]) -> list[str]:
    """The sign-in providers whose settings are all set; ConfigError for one set in part."""
    providers = []
    for provider, names in OAUTH_PROVIDER_SETTINGS.items():
        present = [name for name in names if settings.get(name)]
        if present and len(present) < len(names):
            missing = ", ".join(name for name in names if name not in present)
            raise ConfigError(f"{', '.join(present)} set without {missing}")
        if present:
            providers.append(provider)
    return providers


def sign_in_origins(settings: Mapping[str, Any], providers: list[str]) -> list[str]:
    """The origins of the providers' sign-in pages, where the login page's sign-in forms
    lead (the Content-Security-Policy's form-action must allow them)."""
    origins = []
    for provider in providers:
        if provider == "oidc":
            parts = urlsplit(settings["OIDC_ISSUER"].strip())
            origins.append(f"{parts.scheme}://{parts.netloc}")
        else:
            origins.append(PROVIDER_SIGN_IN_ORIGINS[provider])
    return origins


def derived_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings that follow from others, so each fact is configured once."""
    scheme, server_name, hostname = split_external_url(
        settings.get("EXTERNAL_URL") or local_url(settings)
    )
    providers = oauth_providers(settings)
    return {
        # Flask builds absolute URLs on SERVER_NAME and this scheme (app/web_security.py).
        "SERVER_NAME": server_name,
        "PREFERRED_URL_SCHEME": scheme,
        # Flask answers 400 to any other Host.
        "TRUSTED_HOSTS": list(dict.fromkeys([hostname, *settings["TRUSTED_HOSTS"]])),
        # Raised per request for the upload endpoints only (app/web_security.py).
        "MAX_CONTENT_LENGTH": settings["MAX_REQUEST_KB"] * 1024,
        "SECURITY_EMAIL_SENDER": settings["MAIL_DEFAULT_SENDER"],
        # Argon2id's costs (passlib's option names); Flask-Security rehashes on login.
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {
            "argon2__memory_cost": settings["PASSWORD_HASH_MEMORY_KIB"],
            "argon2__rounds": settings["PASSWORD_HASH_ROUNDS"],
        },
        "RECAPTCHA_ENABLED": bool(
            settings.get("RECAPTCHA_PUBLIC_KEY") and settings.get("RECAPTCHA_PRIVATE_KEY")
        ),
        # Passkeys belong to this domain (app/accounts/passkeys.py).
        "WAN_RP_ID": passkey_domain(hostname),
        # Sign-in with GitHub, Google or OpenID Connect (app/accounts/oauth.py).
        "OAUTH_PROVIDERS": providers,
        "SECURITY_OAUTH_ENABLE": bool(providers),
        "OAUTH_SIGN_IN_ORIGINS": sign_in_origins(settings, providers),
        # Rate-limit counts live in the same Redis, shared by every web process.
        "RATELIMIT_STORAGE_URI": settings["REDIS_URL"],
        # flask-mongoengine's connection, from MONGODB_URI (app/database.py).
        "MONGODB_SETTINGS": [
            {
                "host": settings["MONGODB_URI"],
                "alias": "default",
                "uuidRepresentation": "standard",
                "tz_aware": True,
                "serverSelectionTimeoutMS": 5000,
            }
        ],
    }


#: Browsers refuse an IP address as a passkey's domain; a site reached at a loopback
#: address offers passkeys at localhost, which is as local and as secure a context.
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1", "[::1]")


def passkey_domain(hostname: str) -> str:
    """The WebAuthn relying party id for a site at ``hostname``."""
    return "localhost" if hostname in LOOPBACK_ADDRESSES else hostname


def two_factor_settings(keys: list[str]) -> dict[str, Any]:
    """Flask-Security's keys for the second factors, from TWO_FACTOR_KEYS (newest first).

    Authenticator secrets: passlib encrypts with the highest numbered tag, so the first key
    gets the highest number. Recovery codes: Fernet keys (MultiFernet encrypts with the
    first), each derived from one of the same keys so that one setting rotates both.
    """
    return {
        "SECURITY_TOTP_SECRETS": {str(len(keys) - index): key for index, key in enumerate(keys)},
        "SECURITY_MULTI_FACTOR_RECOVERY_CODES_KEYS": [
            base64.urlsafe_b64encode(hashlib.sha256(b"recovery-codes:" + key.encode()).digest())
            for key in keys
        ],
    }


#: Argon2 needs 8 KiB per lane (passlib hashes with 4); production asks for OWASP's
#: minimum memory for Argon2id.
LEAST_HASH_MEMORY_KIB = 32
LEAST_PRODUCTION_HASH_MEMORY_KIB = 19456


def check_password_hash_costs(settings: Mapping[str, Any]) -> None:
    """Raise ConfigError for password hash costs Argon2 cannot use, or, in production,
    that are weaker than OWASP's minimum."""
    memory, rounds = settings["PASSWORD_HASH_MEMORY_KIB"], settings["PASSWORD_HASH_ROUNDS"]
    if rounds < 1:
        raise ConfigError("PASSWORD_HASH_ROUNDS must be 1 or more")
    least = LEAST_HASH_MEMORY_KIB
    if settings["ENCORE_ENV"] == "production":
        least = LEAST_PRODUCTION_HASH_MEMORY_KIB
    if memory < least:
        raise ConfigError(
            f"PASSWORD_HASH_MEMORY_KIB must be {least} or more in {settings['ENCORE_ENV']}, "
            f"not {memory}"
        )


def refuse_unsafe(settings: Mapping[str, Any]) -> None:
    """Raise ConfigError when the settings are unsafe for their environment."""
    if settings["ENCORE_ENV"] != "production":
        return
    required = (
        "SECRET_KEY",
        "SECURITY_PASSWORD_SALT",
        "TWO_FACTOR_KEYS",
        "MONGODB_URI",
        "REDIS_URL",
        "EXTERNAL_URL",
    )
    missing = [name for name in required if not settings.get(name)]
    if missing:
        raise ConfigError(f"production needs {', '.join(missing)} to be set")
    if not settings["EXTERNAL_URL"].startswith("https://"):
        raise ConfigError("production needs an https:// EXTERNAL_URL")
    if settings.get("DEBUG"):
        raise ConfigError("production refuses DEBUG=true")
    if settings.get("MAIL_BACKEND") != "smtp":
        raise ConfigError("production refuses MAIL_BACKEND other than smtp (no outbox)")


def defaults_for(environment: str) -> dict[str, Any]:
    """Every setting's value in ``environment`` before the environment variables apply."""
    defaults = {setting.name: setting.default_in(environment) for setting in SETTINGS}
    defaults.update(FIXED_SETTINGS)
    defaults.update(FIXED_BY_ENVIRONMENT[environment])
    return copy.deepcopy(defaults)


def read_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse the declared variables present in ``environ`` (default: the process's)."""
    if environ is None:
        if os.environ.get("ENCORE_ENV") != "testing":
            load_dotenv(PROJECT_ROOT / ".env", override=False)
        environ = os.environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        if raw is None:
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as error:
            raise ConfigError(f"{setting.name}: {error}") from error
    return values


def load_config(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Settings for one app: defaults, then the environment, then ``overrides``."""
    from_env = read_environment(environ)
    overrides = dict(overrides or {})
    env_name = overrides.get("ENCORE_ENV") or from_env.get("ENCORE_ENV") or "development"
    if env_name not in ENVIRONMENTS:
        names = ", ".join(ENVIRONMENTS)
        raise ConfigError(f"ENCORE_ENV must be one of {names}, not {env_name!r}")
    settings = defaults_for(env_name)
    settings.update(from_env)
    settings.update(overrides)
    settings["ENCORE_ENV"] = env_name
    settings["INSTANCE_PATH"] = str(settings["INSTANCE_PATH"] or PROJECT_ROOT / "instance")
    check_password_hash_costs(settings)
    settings.update(derived_settings(settings))
    refuse_unsafe(settings)
    return settings


def child_environment(settings: Mapping[str, Any]) -> dict[str, str]:
    """The environment for programs this process starts: its own, with the server URLs
    it resolved, so every child uses the same MongoDB and Redis."""
    return {
        **os.environ,
        "MONGODB_URI": settings["MONGODB_URI"],
        "REDIS_URL": settings["REDIS_URL"],
    }


#: Celery's queues. Uploads are processed from Celery's default queue; mail has a queue of
#: its own, consumed by a worker of its own (see docs/operations.rst), so that no upload can
#: delay an activation mail.
PROCESSING_QUEUE = "celery"
MAIL_QUEUE = "mail"
#: A processing task still running this long after its time limit is killed with its
#: worker process (the limit itself raises in the task, which fails the song).
PROCESSING_KILL_GRACE_SECONDS = 30


def celery_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Celery configuration for the broker at ``settings["REDIS_URL"]``."""
    time_limit = settings["PROCESSING_TIME_LIMIT_SECONDS"]
    return {
        "broker_url": settings["REDIS_URL"],
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        # Never give up reconnecting: a worker outlives a Redis restart.
        "broker_connection_max_retries": None,
        "broker_transport_options": {"socket_connect_timeout": 3},
        # A web request that enqueues while Redis is down gives up fast (the song stays
        # queued and the sweep picks it up) instead of hanging.
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "worker_hijack_root_logger": False,
        "worker_prefetch_multiplier": 1,
        "include": [
            "tasks.accounts",
            "tasks.counters",
            "tasks.exports",
            "tasks.mail",
            "tasks.uploads",
        ],
        "task_default_queue": PROCESSING_QUEUE,
        # A worker started without --queues consumes both.
        "task_queues": {PROCESSING_QUEUE: {}, MAIL_QUEUE: {}},
        "task_routes": {"mail.send_mail": {"queue": MAIL_QUEUE}},
        "task_annotations": {
            "uploads.process_song": {
                "soft_time_limit": time_limit,
                "time_limit": time_limit + PROCESSING_KILL_GRACE_SECONDS,
            }
        },
        "beat_schedule": {
            "requeue-stuck-songs": {
                "task": "uploads.requeue_stuck_songs",
                "schedule": settings["SWEEP_INTERVAL_SECONDS"],
            },
            "repair-counters": {"task": "counters.repair", "schedule": 3600.0},
            "remove-expired-exports": {"task": "exports.remove_expired", "schedule": 900.0},
            "finish-account-deletions": {"task": "accounts.finish_deletions", "schedule": 3600.0},
            "remove-expired-logins": {"task": "accounts.remove_expired_logins", "schedule": 3600.0},
        },
    }
