"""Encore: the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app.logs import configure_logging
from app.web_security import EncoreFlask, init_web_security


def create_app(config: Mapping[str, Any] | None = None, *, worker: bool = False) -> Flask:
    """Build the app. ``config`` overrides settings; ``worker=True`` builds it for a Celery
    worker: a write-only Socket.IO emitter and a MongoDB connection made after fork."""
    from app.config import load_config

    settings = load_config(config)
    app = EncoreFlask(__name__, instance_path=settings["INSTANCE_PATH"])
    app.config.from_mapping(settings)
    configure_logging(app)
    init_web_security(app)
    resolve_servers(app)
    register_extensions(app, worker=worker)
    register_blueprints(app)
    connect_receivers(app)
    register_cli(app)
    register_errors(app)
    return app


def resolve_servers(app: Flask) -> None:
    """Fill MONGODB_URI / REDIS_URL from the embedded servers when they are unset."""
    from app.config import ConfigError, derived_settings

    if app.config["MONGODB_URI"] and app.config["REDIS_URL"]:
        return
    if not app.config["EMBEDDED_SERVERS"]:
        raise ConfigError("MONGODB_URI and REDIS_URL must be set in this environment")
    from pathlib import Path

    from app.embedded import attach_or_start

    servers = attach_or_start(Path(app.instance_path))
    app.config["MONGODB_URI"] = app.config["MONGODB_URI"] or servers.mongodb.url
    app.config["REDIS_URL"] = app.config["REDIS_URL"] or servers.redis.url
    app.config.update(derived_settings(app.config))
    app.extensions["embedded_servers"] = servers


def register_extensions(app: Flask, *, worker: bool) -> None:
    from app.accounts import init_accounts
    from app.database import init_mongodb
    from app.extensions import bootstrap, csrf
    from app.i18n import init_i18n
    from app.realtime import init_realtime
    from app.secrets import ensure_secrets
    from tasks import celery_init_app

    ensure_secrets(app)
    init_mongodb(app, connect_now=not worker)
    csrf.init_app(app)
    bootstrap.init_app(app)
    init_i18n(app)
    init_accounts(app)
    init_realtime(app, worker=worker)
    celery_init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.accounts.views import blueprint as accounts
    from app.admin import init_admin
    from app.api import init_api
    from app.exports.views import blueprint as exports
    from app.health.views import blueprint as health
    from app.i18n.views import blueprint as i18n
    from app.library.album_views import blueprint as albums
    from app.library.song_views import blueprint as library
    from app.library.upload_views import blueprint as uploads
    from app.mail import init_mail
    from app.main.views import blueprint as main
    from app.notifications.views import blueprint as notifications

    app.register_blueprint(main)
    app.register_blueprint(accounts)
    app.register_blueprint(health)
    app.register_blueprint(i18n)
    app.register_blueprint(uploads)
    app.register_blueprint(library)
    app.register_blueprint(albums)
    app.register_blueprint(notifications)
    app.register_blueprint(exports)
    init_admin(app)
    init_api(app)
    init_mail(app)


def connect_receivers(app: Flask) -> None:
    """Connect every receiver to the signals this app sends."""
    from flask_login import user_loaded_from_cookie, user_logged_in, user_logged_out
    from flask_security import (
        change_email_confirmed,
        password_changed,
        password_reset,
        user_authenticated,
    )

    from app import receivers
    from app.signals import (
        account_deletion_requested,
        export_requested,
        mail_queued,
        session_signed_out,
        sessions_ended,
        song_queued,
    )

    mail_queued.connect(receivers.enqueue_mail, sender=app, weak=False)
    song_queued.connect(receivers.enqueue_processing, sender=app, weak=False)
    export_requested.connect(receivers.enqueue_export, sender=app, weak=False)
    account_deletion_requested.connect(receivers.enqueue_account_deletion, sender=app, weak=False)
    user_logged_in.connect(receivers.start_socket_session, sender=app, weak=False)
    user_loaded_from_cookie.connect(receivers.keep_socket_session, sender=app, weak=False)
    user_logged_out.connect(receivers.end_socket_session, sender=app, weak=False)
    sessions_ended.connect(receivers.end_account_sockets, sender=app, weak=False)
    user_authenticated.connect(receivers.record_login, sender=app, weak=False)
    sessions_ended.connect(receivers.forget_account_logins, sender=app, weak=False)
    session_signed_out.connect(receivers.end_signed_out_session, sender=app, weak=False)
    password_changed.connect(receivers.end_sockets_after_new_password, sender=app, weak=False)
    password_reset.connect(receivers.end_sockets_after_new_password, sender=app, weak=False)
    password_changed.connect(receivers.forget_logins_after_new_password, sender=app, weak=False)
    password_reset.connect(receivers.forget_logins_after_new_password, sender=app, weak=False)
    change_email_confirmed.connect(receivers.tell_old_address, sender=app, weak=False)
    password_reset.connect(receivers.unlock_after_password_reset, sender=app, weak=False)


def register_cli(app: Flask) -> None:
    from app.accounts.cli import users

    app.cli.add_command(users)


def register_errors(app: Flask) -> None:
    from app.errors import register_errors as register

    register(app)
