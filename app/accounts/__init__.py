"""Accounts: users, roles, Flask-Security-Too, rate limits and the `flask users` CLI."""

from __future__ import annotations

import mongoengine
from flask import Flask
from flask_security import Security

from app.accounts.datastore import UserDatastore
from app.accounts.decorators import forbidden
from app.accounts.forms import CaptchaRegisterForm, LoginForm, RegisterForm
from app.accounts.limits import init_rate_limits, limit_posts
from app.accounts.models import Role, User
from app.accounts.tokens import init_tokens
from app.mail.security_mail import QueuedMailUtil


def init_accounts(app: Flask) -> Security:
    """Bind Flask-Security to our models, forms and mail queue; limit the account views.

    One Security per app (``app.extensions["security"]``): it keeps per-app state on
    itself, so a shared instance would carry one app's settings into the next. Logout's
    CSRF check is Flask-Security's own (``SECURITY_LOGOUT_CSRF``).
    """
    register_form = CaptchaRegisterForm if app.config["RECAPTCHA_ENABLED"] else RegisterForm
    security = Security(mail_util_cls=QueuedMailUtil)
    security.init_app(
        app,
        UserDatastore(mongoengine, User, Role),
        register_form=register_form,
        login_form=LoginForm,
    )
    security.unauthz_handler(forbidden)
    init_tokens(app, security)
    limiter = init_rate_limits(app)
    account_views = app.blueprints["security"]
    limit_posts(limiter, account_views, "LOGIN_RATE_LIMIT", ["security.login"])
    limit_posts(
        limiter,
        account_views,
        "REGISTER_RATE_LIMIT",
        ["security.register", "security.forgot_password", "security.send_confirmation"],
        scope="register",
    )
    return security
