"""Settings, read from environment variables (and ``.env`` outside tests).

Every variable a person may set is declared once in :data:`SETTINGS`; the same list is
documented in ``docs/configuration.rst`` and ``.env.example`` (a test keeps the three in
step). One class per environment holds the defaults; ``ENCORE_ENV`` picks the class.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, how to parse it, and what it is for."""

    name: str
    parse: Callable[[str], Any]
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ENCORE_ENV", str, "development, testing or production (default development)."),
    Setting("SECRET_KEY", _optional, "Signs sessions and tokens. Required in production."),
    Setting(
        "SECURITY_PASSWORD_SALT",
        _optional,
        "Salt for password-reset and confirmation tokens. Required in production.",
    ),
    Setting(
        "MONGODB_URI",
        _optional,
        "MongoDB connection string with database name; unset starts the embedded server.",
    ),
    Setting(
        "REDIS_URL",
        _optional,
        "Redis for the Celery broker and the Socket.IO queue; unset starts an embedded one.",
    ),
    Setting(
        "INSTANCE_PATH",
        _optional,
        "Folder for local data: embedded servers, outbox, generated dev secrets "
        "(default instance/ in the project).",
    ),
    Setting("DEBUG", _bool, "Flask debug mode; refused in production."),
    Setting("WEB_HOST", str, "Address the web server binds (default 127.0.0.1)."),
    Setting("WEB_PORT", int, "Port the web server listens on (default 5000)."),
    Setting("LOG_LEVEL", str, "Log level of web and worker processes (default INFO)."),
    Setting(
        "LOG_FORMAT",
        str,
        "text (default in development) or json (one JSON object per line, production).",
    ),
    Setting(
        "PROXY_FIX_HOPS",
        int,
        "Proxies in front whose X-Forwarded-* headers are trusted (production 1, else 0).",
    ),
    Setting(
        "WEB_TLS_CERT",
        _optional,
        "Certificate file for HTTPS served by the app itself, or 'adhoc' for a "
        "throw-away one (make run-https sets it).",
    ),
    Setting("WEB_TLS_KEY", _optional, "Private key file matching WEB_TLS_CERT."),
    Setting(
        "MAIL_BACKEND",
        str,
        "outbox (files under instance/outbox, shown at /dev/outbox) or smtp; "
        "outbox is refused in production.",
    ),
    Setting("MAIL_SERVER", str, "SMTP host (default localhost)."),
    Setting("MAIL_PORT", int, "SMTP port (default 25; 587 with MAIL_USE_TLS, 465 with SSL)."),
    Setting("MAIL_USE_TLS", _bool, "STARTTLS after connecting (default false)."),
    Setting("MAIL_USE_SSL", _bool, "Implicit TLS from the first byte (default false)."),
    Setting("MAIL_USERNAME", _optional, "SMTP login, if the server wants one."),
    Setting("MAIL_PASSWORD", _optional, "SMTP password."),
    Setting(
        "MAIL_DEFAULT_SENDER",
        str,
        "From address of every mail (default Encore <no-reply@localhost>).",
    ),
    Setting("MAIL_TIMEOUT_SECONDS", float, "SMTP connect and command timeout (default 10)."),
    Setting(
        "MAIL_MAX_RETRIES",
        int,
        "Delivery attempts after the first before a mail is given up (default 5).",
    ),
    Setting(
        "MAIL_RETRY_DELAY_SECONDS",
        float,
        "First retry delay; doubled on each retry (default 10).",
    ),
    Setting(
        "SECURITY_REGISTERABLE",
        _bool,
        "Whether visitors may register themselves (default true).",
    ),
    Setting("DEFAULT_USER_ROLE", str, "Role given to self-registered users (default Public)."),
    Setting(
        "SECURITY_CONFIRM_EMAIL_WITHIN",
        _duration,
        "How long an activation link stays valid, e.g. '3 days' (default).",
    ),
    Setting(
        "SECURITY_RESET_PASSWORD_WITHIN",
        _duration,
        "How long a password-reset link stays valid, e.g. '1 hour' (default).",
    ),
    Setting(
        "RECAPTCHA_PUBLIC_KEY",
        _optional,
        "reCAPTCHA v2 site key; with RECAPTCHA_PRIVATE_KEY it turns the captcha on.",
    ),
    Setting("RECAPTCHA_PRIVATE_KEY", _optional, "reCAPTCHA v2 secret key."),
    Setting(
        "LOGIN_RATE_LIMIT",
        str,
        "Login attempts allowed per client address (default '10 per minute').",
    ),
    Setting(
        "REGISTER_RATE_LIMIT",
        str,
        "Registrations, reset and activation-resend requests per client address "
        "(default '5 per minute').",
    ),
    Setting("MAX_UPLOAD_MB", float, "Largest audio file accepted, in MiB (default 200)."),
    Setting(
        "STUCK_SONG_SECONDS",
        float,
        "A song queued longer than this is queued again (default 600).",
    ),
    Setting(
        "PROCESSING_LEASE_SECONDS",
        float,
        "A processing song whose worker has not renewed its claim for this long is "
        "queued again (default 60).",
    ),
    Setting(
        "SWEEP_INTERVAL_SECONDS",
        float,
        "How often Celery beat looks for stuck songs (default 60).",
    ),
    Setting(
        "SECURITY_TOKEN_MAX_AGE",
        _duration,
        "How long an API token stays valid, e.g. '24 hours' (default).",
    ),
    Setting(
        "API_WRITE_RATE_LIMIT",
        str,
        "API writes (POST, PATCH, DELETE) per client address (default '120 per minute').",
    ),
    Setting(
        "HEALTH_TIMEOUT_SECONDS",
        float,
        "How long /healthz waits for each dependency, the worker ping included (default 1).",
    ),
)


class Config:
    """Defaults shared by every environment."""

    ENCORE_ENV = "base"
    DEBUG = False
    TESTING = False
    SECRET_KEY: str | None = None
    SECURITY_PASSWORD_SALT: str | None = None
    MONGODB_URI: str | None = None
    REDIS_URL: str | None = None
    INSTANCE_PATH: str | None = None
    WEB_HOST = "127.0.0.1"
    WEB_PORT = 5000
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"
    PROXY_FIX_HOPS = 0
    WEB_TLS_CERT: str | None = None
    WEB_TLS_KEY: str | None = None
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Encore <no-reply@localhost>"
    MAIL_TIMEOUT_SECONDS = 10.0
    MAIL_MAX_RETRIES = 5
    MAIL_RETRY_DELAY_SECONDS = 10.0
    HEALTH_TIMEOUT_SECONDS = 1.0
    MAX_UPLOAD_MB = 200.0
    STUCK_SONG_SECONDS = 600.0
    PROCESSING_LEASE_SECONDS = 60.0
    SWEEP_INTERVAL_SECONDS = 60.0
    # Redis down must not turn a login into a 500: count in memory until it is back.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    DEFAULT_USER_ROLE = "Public"
    RECAPTCHA_PUBLIC_KEY: str | None = None
    RECAPTCHA_PRIVATE_KEY: str | None = None
    LOGIN_RATE_LIMIT = "10 per minute"
    API_WRITE_RATE_LIMIT = "120 per minute"
    SECURITY_TOKEN_MAX_AGE = timedelta(hours=24)
    REGISTER_RATE_LIMIT = "5 per minute"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "encore"
    # Flask-SocketIO picks eventlet whenever it is installed; only wsgi.py asks for it.
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_CHANNEL = "encore-socketio"
    # Starts MongoDB and Redis for this process when their URLs are unset.
    EMBEDDED_SERVERS = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # CSRF: forms check their own token, and Flask-Security's auth_required checks it for
    # callers authenticated by session cookie or basic auth, not for bearer tokens (so no
    # global check); so does its logout view (SECURITY_LOGOUT_CSRF). These must be set
    # before Security(app).
    WTF_CSRF_CHECK_DEFAULT = False
    SECURITY_CSRF_PROTECT_MECHANISMS = ["session", "basic"]
    SECURITY_CSRF_IGNORE_UNAUTH_ENDPOINTS = False
    SECURITY_PASSWORD_HASH = "argon2"
    SECURITY_USERNAME_ENABLE = True
    SECURITY_EMAIL_VALIDATOR_ARGS = {"check_deliverability": False}
    SECURITY_USERNAME_REQUIRED = True
    SECURITY_REGISTERABLE = True
    SECURITY_USE_REGISTER_V2 = True
    SECURITY_PASSWORD_CONFIRM_REQUIRED = True
    SECURITY_SEND_REGISTER_EMAIL = True
    SECURITY_CONFIRMABLE = True
    SECURITY_CONFIRM_EMAIL_WITHIN = timedelta(days=3)
    SECURITY_AUTO_LOGIN_AFTER_CONFIRM = False
    SECURITY_RECOVERABLE = True
    SECURITY_RESET_PASSWORD_WITHIN = timedelta(hours=1)
    SECURITY_CHANGEABLE = True
    SECURITY_TRACKABLE = True
    SECURITY_RETURN_GENERIC_RESPONSES = True
    SECURITY_LOGOUT_METHODS = ["POST"]
    SECURITY_LOGOUT_CSRF = True
    SECURITY_PASSWORD_LENGTH_MIN = 10
    SECURITY_PASSWORD_COMPLEXITY_CHECKER = "zxcvbn"
    SECURITY_POST_LOGIN_VIEW = "/"
    SECURITY_POST_REGISTER_VIEW = "/"
    SECURITY_POST_CONFIRM_VIEW = "/login"
    # Our own `flask users` group replaces Flask-Security's users/roles commands.
    SECURITY_CLI_USERS_NAME = False
    SECURITY_CLI_ROLES_NAME = False

    @staticmethod
    def check(settings: Mapping[str, Any]) -> None:
        """Raise ConfigError when the settings are unsafe for this environment."""


def derived_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings that follow from others, so each fact is configured once."""
    return {
        "SECURITY_EMAIL_SENDER": settings["MAIL_DEFAULT_SENDER"],
        "RECAPTCHA_ENABLED": bool(
            settings.get("RECAPTCHA_PUBLIC_KEY") and settings.get("RECAPTCHA_PRIVATE_KEY")
        ),
    }


class DevelopmentConfig(Config):
    ENCORE_ENV = "development"
    MAIL_BACKEND = "outbox"


class TestingConfig(Config):
    ENCORE_ENV = "testing"
    TESTING = True
    MAIL_BACKEND = "outbox"
    # Tests pass their private servers explicitly; never start or attach to others.
    EMBEDDED_SERVERS = False
    HEALTH_TIMEOUT_SECONDS = 2.0


class ProductionConfig(Config):
    ENCORE_ENV = "production"
    EMBEDDED_SERVERS = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    LOG_FORMAT = "json"
    PROXY_FIX_HOPS = 1
    PREFERRED_URL_SCHEME = "https"

    @staticmethod
    def check(settings: Mapping[str, Any]) -> None:
        required = ("SECRET_KEY", "SECURITY_PASSWORD_SALT", "MONGODB_URI", "REDIS_URL")
        missing = [name for name in required if not settings.get(name)]
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)} to be set")
        if settings.get("DEBUG"):
            raise ConfigError("production refuses DEBUG=true")
        if settings.get("MAIL_BACKEND") != "smtp":
            raise ConfigError("production refuses MAIL_BACKEND other than smtp (no outbox)")


CONFIG_CLASSES: dict[str, type[Config]] = {
    cls.ENCORE_ENV: cls for cls in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


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
    """Settings for one app: class defaults, then the environment, then ``overrides``."""
    from_env = read_environment(environ)
    overrides = dict(overrides or {})
    env_name = overrides.get("ENCORE_ENV") or from_env.get("ENCORE_ENV") or "development"
    try:
        config_class = CONFIG_CLASSES[env_name]
    except KeyError:
        names = ", ".join(CONFIG_CLASSES)
        raise ConfigError(f"ENCORE_ENV must be one of {names}, not {env_name!r}") from None
    settings = {
        name: copy.deepcopy(getattr(config_class, name))
        for name in dir(config_class)
        if name.isupper()
    }
    settings.update(from_env)
    settings.update(overrides)
    settings["ENCORE_ENV"] = env_name
    settings["INSTANCE_PATH"] = str(settings["INSTANCE_PATH"] or PROJECT_ROOT / "instance")
    settings.update(derived_settings(settings))
    config_class.check(settings)
    return settings


def celery_settings(redis_url: str, sweep_interval_seconds: float = 60.0) -> dict[str, Any]:
    """Celery configuration for a broker at ``redis_url``."""
    return {
        "broker_url": redis_url,
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
        "include": ["tasks.demo", "tasks.mail", "tasks.uploads"],
        "beat_schedule": {
            "requeue-stuck-songs": {
                "task": "uploads.requeue_stuck_songs",
                "schedule": sweep_interval_seconds,
            }
        },
    }
