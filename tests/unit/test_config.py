"""Settings: environments, parsing, production refusals, and documentation kept in step."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.config import (
    ENVIRONMENTS,
    FIXED_BY_ENVIRONMENT,
    FIXED_SETTINGS,
    PROJECT_ROOT,
    SETTINGS,
    ConfigError,
    environment_text,
    load_config,
)

PRODUCTION = {
    "ENCORE_ENV": "production",
    "SECRET_KEY": "s" * 32,
    "SECURITY_PASSWORD_SALT": "salt",
    "TWO_FACTOR_KEYS": "k" * 32,
    "MONGODB_URI": "mongodb://db.example.org/encore",
    "REDIS_URL": "redis://cache.example.org/0",
    "EXTERNAL_URL": "https://music.example.org",
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
    "missing",
    [
        "SECRET_KEY",
        "SECURITY_PASSWORD_SALT",
        "TWO_FACTOR_KEYS",
        "MONGODB_URI",
        "REDIS_URL",
        "EXTERNAL_URL",
    ],
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


def test_password_hashes_cost_rfc_9106_s_setting_except_in_tests():
    hashing = "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS"
    production = load_config(environ=PRODUCTION)[hashing]
    testing = load_config(environ={"ENCORE_ENV": "testing"})[hashing]

    assert production == {"argon2__memory_cost": 65536, "argon2__rounds": 3}
    assert testing == {"argon2__memory_cost": 64, "argon2__rounds": 1}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PASSWORD_HASH_ROUNDS": "0"}, "PASSWORD_HASH_ROUNDS must be 1 or more"),
        ({"PASSWORD_HASH_MEMORY_KIB": "16"}, "must be 32 or more in development, not 16"),
        (
            {**PRODUCTION, "PASSWORD_HASH_MEMORY_KIB": "4096"},
            "must be 19456 or more in production, not 4096",
        ),
    ],
)
def test_password_hash_costs_argon2_cannot_use_or_too_weak_for_production_are_refused(
    environ, message
):
    with pytest.raises(ConfigError, match=message):
        load_config(environ=environ)


def test_settings_are_not_shared_between_apps():
    first = load_config(environ={})
    first["SECURITY_EMAIL_VALIDATOR_ARGS"]["changed"] = True

    second = load_config(environ={})["SECURITY_EMAIL_VALIDATOR_ARGS"]
    assert first["SECURITY_EMAIL_VALIDATOR_ARGS"]["changed"] is True
    assert second == {"check_deliverability": False}


def test_each_environment_has_its_own_defaults():
    development = load_config(environ={})
    testing = load_config(environ={"ENCORE_ENV": "testing"})
    production = load_config(environ=PRODUCTION)

    assert (development["LOG_FORMAT"], development["PROXY_FIX_HOPS"]) == ("text", 0)
    assert (production["LOG_FORMAT"], production["PROXY_FIX_HOPS"]) == ("json", 1)
    assert production["MAIL_BACKEND"] == "smtp"
    assert production["PREFERRED_URL_SCHEME"] == "https"
    assert production["REMEMBER_COOKIE_SECURE"] is True
    assert development["HEALTH_TIMEOUT_SECONDS"] == 1.0
    assert testing["HEALTH_TIMEOUT_SECONDS"] == 2.0
    assert testing["TESTING"] is True
    assert testing["EMBEDDED_SERVERS"] is False


def test_defaults_are_typed_like_what_the_environment_gives():
    settings = load_config(environ={})

    assert settings["WEB_PORT"] == 5000
    assert settings["MAX_UPLOAD_MB"] == 200.0
    assert settings["SECURITY_CONFIRM_EMAIL_WITHIN"] == timedelta(days=3)
    assert settings["SECURITY_RESET_PASSWORD_WITHIN"] == timedelta(hours=1)
    assert settings["SECURITY_TOKEN_MAX_AGE"] == timedelta(hours=24)
    assert settings["SECRET_KEY"] is None
    assert settings["INSTANCE_PATH"] == str(PROJECT_ROOT / "instance")


def test_settings_that_follow_from_others_follow_them():
    settings = load_config(
        environ={
            "MAIL_DEFAULT_SENDER": "Library <library@example.org>",
            "REDIS_URL": "redis://cache.example.org/3",
            "RECAPTCHA_PUBLIC_KEY": "site",
            "RECAPTCHA_PRIVATE_KEY": "secret",
        }
    )

    assert settings["SECURITY_EMAIL_SENDER"] == "Library <library@example.org>"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache.example.org/3"
    assert settings["RECAPTCHA_ENABLED"] is True
    assert load_config(environ={"RECAPTCHA_PUBLIC_KEY": "site"})["RECAPTCHA_ENABLED"] is False


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_every_default_reads_back_from_how_it_is_spelled(setting):
    for environment in ENVIRONMENTS:
        default = setting.default_in(environment)

        assert setting.parse(environment_text(default)) == default


@pytest.mark.parametrize(
    ("value", "spelled"),
    [
        (None, ""),
        (True, "true"),
        (10.0, "10"),
        (0.5, "0.5"),
        (timedelta(days=3), "3 days"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(seconds=45), "45"),
        ("10 per minute", "10 per minute"),
        (["localhost", "127.0.0.1"], "localhost, 127.0.0.1"),
    ],
)
def test_values_are_spelled_as_the_environment_sets_them(value, spelled):
    assert environment_text(value) == spelled


def test_the_tables_name_only_real_environments_and_settings():
    names = [setting.name for setting in SETTINGS]

    assert len(names) == len(set(names))
    assert all(set(setting.env_defaults) <= set(ENVIRONMENTS) for setting in SETTINGS)
    assert set(FIXED_BY_ENVIRONMENT) == set(ENVIRONMENTS)
    for values in FIXED_BY_ENVIRONMENT.values():
        assert set(values) <= set(FIXED_SETTINGS)
    assert not set(names) & set(FIXED_SETTINGS)
    assert all(setting.type_name for setting in SETTINGS)


def env_example() -> list[tuple[str, str]]:
    text = (PROJECT_ROOT / ".env.example").read_text()
    return re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.M)


def test_env_example_sets_each_variable_once_and_no_other():
    assigned = [name for name, _ in env_example()]

    assert sorted(assigned) == sorted(setting.name for setting in SETTINGS)


def test_env_example_shows_the_development_defaults():
    by_name = {setting.name: setting for setting in SETTINGS}

    wrong = {
        name: value
        for name, value in env_example()
        if value != environment_text(by_name[name].default_in("development"))
    }

    assert wrong == {}


def test_configuration_docs_render_the_tables_from_the_code():
    text = (PROJECT_ROOT / "docs" / "configuration.rst").read_text()
    conf = (PROJECT_ROOT / "docs" / "conf.py").read_text()

    assert ".. settings-table::" in text
    assert ".. fixed-settings-table::" in text
    assert '"settings_reference"' in conf


def test_embedded_servers_fill_the_urls_and_what_follows_from_them(monkeypatch, tmp_path):
    from flask import Flask

    from app import resolve_servers

    embedded = SimpleNamespace(
        mongodb=SimpleNamespace(url="mongodb://127.0.0.1:27999/encore"),
        redis=SimpleNamespace(url="redis://127.0.0.1:6999/0"),
    )
    monkeypatch.setattr("app.embedded.attach_or_start", lambda instance_path: embedded)
    app = Flask(__name__, instance_path=str(tmp_path))
    app.config.from_mapping(load_config({"INSTANCE_PATH": str(tmp_path)}, environ={}))

    resolve_servers(app)

    assert app.config["MONGODB_URI"] == "mongodb://127.0.0.1:27999/encore"
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6999/0"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6999/0"


def test_links_and_hosts_default_to_where_a_local_server_answers():
    development = load_config(environ={})
    moved = load_config(environ={"WEB_PORT": "8000", "WEB_HOST": "0.0.0.0"})  # noqa: S104
    with_tls = load_config(environ={"WEB_TLS_CERT": "adhoc"})

    assert (development["PREFERRED_URL_SCHEME"], development["SERVER_NAME"]) == (
        "http",
        "127.0.0.1:5000",
    )
    assert development["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert moved["SERVER_NAME"] == "127.0.0.1:8000"
    assert with_tls["PREFERRED_URL_SCHEME"] == "https"


def test_links_and_hosts_follow_the_external_url():
    settings = load_config(
        environ={
            "EXTERNAL_URL": "https://Music.Example.org:443/",
            "TRUSTED_HOSTS": "media.example.org, .example.net",
        }
    )

    assert settings["SERVER_NAME"] == "music.example.org"
    assert settings["PREFERRED_URL_SCHEME"] == "https"
    assert settings["TRUSTED_HOSTS"] == ["music.example.org", "media.example.org", ".example.net"]
    assert load_config(environ={"EXTERNAL_URL": "http://songs.test:8080"})["SERVER_NAME"] == (
        "songs.test:8080"
    )


@pytest.mark.parametrize(
    "url", ["music.example.org", "ftp://music.example.org", "https://x.org/encore", "https://x:y"]
)
def test_an_external_url_that_is_not_an_origin_is_refused(url):
    with pytest.raises(ConfigError, match="EXTERNAL_URL must be"):
        load_config(environ={"EXTERNAL_URL": url})


def test_production_wants_an_https_external_url():
    with pytest.raises(ConfigError, match="https:// EXTERNAL_URL"):
        load_config(environ={**PRODUCTION, "EXTERNAL_URL": "http://music.example.org"})


def test_the_request_body_limit_follows_its_setting():
    assert load_config(environ={})["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert load_config(environ={"MAX_REQUEST_KB": "64"})["MAX_CONTENT_LENGTH"] == 64 * 1024
