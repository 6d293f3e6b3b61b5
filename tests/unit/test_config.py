"""Settings: environments, parsing, production refusals, and documentation kept in step."""

from __future__ import annotations

import re

import pytest

from app.config import PROJECT_ROOT, SETTINGS, ConfigError, load_config

PRODUCTION = {
    "ENCORE_ENV": "production",
    "SECRET_KEY": "s" * 32,
    "SECURITY_PASSWORD_SALT": "salt",
    "MONGODB_URI": "mongodb://db.example.org/encore",
    "REDIS_URL": "redis://cache.example.org/0",
}


def test_development_is_the_default_and_uses_the_outbox():
    settings = load_config(environ={})

    assert settings["ENCORE_ENV"] == "development"
    assert settings["MAIL_BACKEND"] == "outbox"
    assert settings["EMBEDDED_SERVERS"] is True


def test_environment_values_are_parsed():
    settings = load_config(environ={"WEB_PORT": "8080", "DEBUG": "yes", "LOG_LEVEL": "DEBUG"})

    assert settings["WEB_PORT"] == 8080
    assert settings["DEBUG"] is True


def test_overrides_win_over_the_environment():
    settings = load_config({"WEB_PORT": 9000}, environ={"WEB_PORT": "8080"})

    assert settings["WEB_PORT"] == 9000


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WEB_PORT": "eighty"}, "WEB_PORT"),
        ({"DEBUG": "perhaps"}, "DEBUG: expected true/false"),
        ({"ENCORE_ENV": "staging"}, "ENCORE_ENV must be one of"),
    ],
)
def test_bad_values_name_the_variable(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config(environ=environ)


def test_production_starts_with_everything_required():
    settings = load_config(environ=PRODUCTION)

    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["EMBEDDED_SERVERS"] is False


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "SECURITY_PASSWORD_SALT", "MONGODB_URI", "REDIS_URL"]
)
def test_production_refuses_to_start_without_a_required_variable(missing):
    environ = {name: value for name, value in PRODUCTION.items() if name != missing}

    with pytest.raises(ConfigError, match=missing):
        load_config(environ=environ)


def test_production_refuses_debug():
    with pytest.raises(ConfigError, match="DEBUG"):
        load_config(environ={**PRODUCTION, "DEBUG": "true"})


def test_production_refuses_the_outbox():
    with pytest.raises(ConfigError, match="outbox"):
        load_config(environ={**PRODUCTION, "MAIL_BACKEND": "outbox"})


def test_settings_are_not_shared_between_apps():
    first = load_config(environ={})
    first["SECURITY_EMAIL_VALIDATOR_ARGS"]["changed"] = True

    assert "changed" not in load_config(environ={})["SECURITY_EMAIL_VALIDATOR_ARGS"]


def documented_names(path) -> set[str]:
    return set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", path.read_text()))


@pytest.mark.parametrize("document", [".env.example", "docs/configuration.rst"])
def test_every_setting_is_documented(document):
    names = documented_names(PROJECT_ROOT / document)

    missing = [setting.name for setting in SETTINGS if setting.name not in names]

    assert missing == []


def test_env_example_lists_only_real_settings():
    assigned = re.findall(r"^([A-Z][A-Z0-9_]+)=", (PROJECT_ROOT / ".env.example").read_text(), re.M)

    assert sorted(assigned) == sorted(setting.name for setting in SETTINGS)
