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
        "MAIL_BACKEND",
        str,
        "outbox (files under instance/outbox, shown at /dev/outbox) or smtp; "
        "outbox is refused in production.",
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
    MAIL_BACKEND = "smtp"
    HEALTH_TIMEOUT_SECONDS = 1.0
    # Flask-SocketIO picks eventlet whenever it is installed; only wsgi.py asks for it.
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_CHANNEL = "encore-socketio"
    # Starts MongoDB and Redis for this process when their URLs are unset.
    EMBEDDED_SERVERS = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Flask-Security: CSRF settings must be in place before Security(app).
    WTF_CSRF_CHECK_DEFAULT = False
    SECURITY_CSRF_PROTECT_MECHANISMS = ["session", "basic"]
    SECURITY_CSRF_IGNORE_UNAUTH_ENDPOINTS = True
    SECURITY_PASSWORD_HASH = "argon2"  # noqa: S105 - a scheme name
    SECURITY_USERNAME_ENABLE = True
    SECURITY_EMAIL_VALIDATOR_ARGS = {"check_deliverability": False}
    SECURITY_REGISTERABLE = False
    SECURITY_SEND_REGISTER_EMAIL = False

    @staticmethod
    def check(settings: Mapping[str, Any]) -> None:
        """Raise ConfigError when the settings are unsafe for this environment."""


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
    config_class.check(settings)
    return settings


def celery_settings(redis_url: str) -> dict[str, Any]:
    """Celery configuration for a broker at ``redis_url``."""
    return {
        "broker_url": redis_url,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "include": ["tasks.demo"],
    }
