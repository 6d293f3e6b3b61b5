"""The registration form (Flask-Security's, plus names and an optional captcha), the
login form (one box for email or username; says when an account is not activated yet),
the change-email form (says when an address is taken) and the account page's forms."""

from __future__ import annotations

import flask_security
from flask_babel import lazy_gettext as _l
from flask_security import ChangeEmailForm as SecurityChangeEmailForm
from flask_security import RegisterFormV2
from flask_security.utils import get_message
from flask_wtf import FlaskForm, Recaptcha, RecaptchaField
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.accounts import lockout


class RegisterForm(RegisterFormV2):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Please enter your first name.")), Length(max=80)],
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(_l("Please enter your last name.")), Length(max=80)],
    )


class CaptchaRegisterForm(RegisterForm):
    """Used when RECAPTCHA_PUBLIC_KEY and RECAPTCHA_PRIVATE_KEY are both set."""

    recaptcha = RecaptchaField(
        validators=[Recaptcha(_l("Please confirm you are not a robot: tick the captcha box."))]
    )


class LoginForm(flask_security.LoginForm):
    """One box for email or username: a value without ``@`` is looked up as a username.

    A locked identity is refused before its password is checked, and each wrong password
    or unknown identity counts towards a lockout (app/accounts/lockout.py)."""

    def validate(self, **kwargs: object) -> bool:
        identity = (self.email.data or "").strip()
        if identity and "@" not in identity and not self.username.data:
            self.username.data, self.username.raw_data = identity, [identity]
            self.email.data, self.email.raw_data = "", [""]
        identity = identity or (self.username.data or "").strip()
        if identity and lockout.is_locked(identity):
            self.form_errors.append(lockout.locked_message())
            return False
        if super().validate(**kwargs):
            lockout.clear(identity)
            return True
        # ifield is set once the credentials were looked at: not for a missing field or
        # an expired CSRF token, which are no guess at a password.
        checked = self.ifield is not None and not self.user_authenticated
        if checked and lockout.record_failure(identity):
            # Only the lockout is said: the failure it ends on is no news.
            for field in (self.email, self.username, self.password):
                field.errors = []
            self.form_errors.append(lockout.locked_message())
            return False
        if self.requires_confirmation:
            # The password was right: say what is missing, at form level, where the login
            # view's generic-message rewrite of the field errors does not reach.
            for field in (self.email, self.username):
                field.errors = []
            self.form_errors.append(get_message("CONFIRMATION_REQUIRED")[0])
        return False


class ChangeEmailForm(SecurityChangeEmailForm):
    """Says so when the new address belongs to an account already (this one included).

    Flask-Security answers a taken address like a free one (SECURITY_RETURN_GENERIC_
    RESPONSES), so that nobody learns which addresses have accounts. Here the caller is
    signed in with a fresh login and limited like registration, and a member who typed
    an address that cannot become theirs needs to know why no mail arrives."""

    def validate(self, **kwargs: object) -> bool:
        if super().validate(**kwargs):
            return True
        if self.existing_email_user is not None:
            # Flask-Security's view hides errors of a form with an existing user: keep
            # ours by leaving that to nobody.
            self.existing_email_user = None
        return False


class DeleteAccountForm(FlaskForm):
    """Deleting the account is confirmed by typing its username."""

    username = StringField(_l("Type your username to confirm"))


class NamesForm(FlaskForm):
    """First and last name; the rules are the registration's (app/accounts/services.py)."""

    first_name = StringField(_l("First name"))
    last_name = StringField(_l("Last name"))


class LocaleForm(FlaskForm):
    """Language and time zone; the service checks the choices (app/accounts/preferences.py),
    so the form takes any value and the reason for a refusal is the service's."""

    language = SelectField(_l("Language"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)
