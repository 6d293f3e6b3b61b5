"""Accounts: users, roles, Flask-Security-Too, rate limits and the `flask users` CLI."""

from __future__ import annotations

import mongoengine
from flask import Flask
from flask_security import Security

from app.accounts.datastore import LowerCaseUsernameUtil, UserDatastore
from app.accounts.decorators import forbidden
from app.accounts.forms import CaptchaRegisterForm, ChangeEmailForm, LoginForm, RegisterForm
from app.accounts.limits import init_rate_limits, limit_posts
from app.accounts.models import Role, User, WebAuthn
from app.accounts.oauth import init_oauth
from app.accounts.passkeys import SitePasskeys
from app.accounts.second_factor_lockout import PasskeyForm, RecoveryCodeForm, VerifyCodeForm
from app.accounts.sessions import check_current_session
from app.accounts.tokens import init_tokens
from app.accounts.two_factor import (
    OnceOnlyTotp,
    OneTimeRecoveryCodes,
    RescueForm,
    require_second_factor_setup,
)
from app.i18n.security import translate_security_messages
from app.mail.security_mail import QueuedMailUtil


def init_accounts(app: Flask) -> Security:
    """Bind Flask-Security to our models, forms and mail queue; limit the account views.

    One Security per app (``app.extensions["security"]``): it keeps per-app state on
    itself, so a shared instance would carry one app's settings into the next. Logout's
    CSRF check is Flask-Security's own (``SECURITY_LOGOUT_CSRF``).
    """
    register_form = CaptchaRegisterForm if app.config["RECAPTCHA_ENABLED"] else RegisterForm
    security = Security(
        mail_util_cls=QueuedMailUtil,
        username_util_cls=LowerCaseUsernameUtil,
        totp_cls=OnceOnlyTotp,
        mf_recovery_codes_util_cls=OneTimeRecoveryCodes,
        webauthn_util_cls=SitePasskeys,
    )
    security.init_app(
        app,
        UserDatastore(mongoengine, User, Role, WebAuthn),
        register_form=register_form,
        login_form=LoginForm,
        change_email_form=ChangeEmailForm,
        wan_signin_response_form=PasskeyForm,
        two_factor_rescue_form=RescueForm,
        two_factor_verify_code_form=VerifyCodeForm,
        mf_recovery_form=RecoveryCodeForm,
    )
    translate_security_messages(app, security)
    security.unauthz_handler(forbidden)
    init_tokens(app, security)
    app.before_request(require_second_factor_setup)
    app.before_request(check_current_session)
    init_oauth(app, security)
    limiter = init_rate_limits(app)
    account_views = app.blueprints["security"]
    limit_posts(
        limiter, account_views, "LOGIN_RATE_LIMIT", ["security.login", "security.oauthstart"]
    )
    # Counted apart from the password: a 6-digit code must not be guessable by trying.
    limit_posts(
        limiter,
        account_views,
        "LOGIN_RATE_LIMIT",
        [
            "security.two_factor_token_validation",
            "security.mf_recovery",
            "security.wan_signin_response",
        ],
        scope="second-factor",
    )
    limit_posts(
        limiter,
        account_views,
        "REGISTER_RATE_LIMIT",
        [
            "security.register",
            "security.forgot_password",
            "security.send_confirmation",
            "security.change_email",
            "security.change_username",
        ],
        scope="register",
    )
    return security
