"""Failed second factors count towards the account's login lockout (app/accounts/lockout.py).

A wrong or replayed authenticator code at /tf-validate, a wrong recovery code at
/mf-recovery and a wrong ``code`` at the API's token endpoint are each one failed login of
the account, counted under its email and its username, so a lock they reach refuses
password logins with either. While the account is locked, even the right code is refused,
and the half-finished sign-in (the password step Flask-Security keeps in the session) is
ended: the person starts again from the password. A right code clears the counts, like a
right password.

Flask-Security checks the codes in its forms; the subclasses below, given to
``security.init_app``, wrap those checks. A passkey as the second factor cannot be
guessed and is not counted, but it too is refused while the account is locked.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request, session
from flask_security.forms import Form, TwoFactorVerifyCodeForm
from flask_security.recovery_codes import MfRecoveryForm
from flask_security.tf_plugin import tf_clean_session

from app.accounts import lockout
from app.accounts.models import User
from app.accounts.passkeys import OwnPasskeyForm
from app.accounts.two_factor import token_refusal
from app.errors import LoginLocked, problem, wants_json


def _locked(user: Any) -> LoginLocked | None:
    if seconds := lockout.user_seconds_locked(user):
        return LoginLocked(lockout.locked_message(), seconds)
    return None


def _end_sign_in(error: LoginLocked) -> None:
    """Forget the password step; a JSON request is answered with the 429 problem now,
    a page shows the message on its form."""
    tf_clean_session()
    if request.is_json or wants_json():
        response = problem(error.status, error.title, error.detail, **error.problem_fields())
        response.headers.update(error.headers())
        abort(response)


class LockoutCode:
    """Mixed into a Flask-Security form that checks a second factor in its ``validate``
    (with ``user`` and ``code`` set): refuses it while the account is locked, counts a
    wrong one, and clears the counts on a right one."""

    user: Any
    code: Any

    def counts(self) -> bool:
        """Whether this check is a sign-in's second step, where the lockout applies."""
        return True

    def wrong_code_counts(self) -> bool:
        """Whether a wrong code here is a failed login."""
        return True

    def validate(self, **kwargs: Any) -> bool:
        if not self.counts():
            return super().validate(**kwargs)
        # A missing code or an expired form is no guess at a code.
        if not Form.validate(self, **kwargs):
            return False
        if error := _locked(self.user):
            _end_sign_in(error)
            self.code.errors = [error.detail]
            return False
        if super().validate(**kwargs):
            lockout.clear_user(self.user)
            return True
        if self.wrong_code_counts() and lockout.record_user_failure(self.user):
            error = _locked(self.user) or LoginLocked(lockout.locked_message(), 1)
            _end_sign_in(error)
            # Only the lockout is said: the failure it ends on is no news.
            self.code.errors = [error.detail]
        return False


class VerifyCodeForm(LockoutCode, TwoFactorVerifyCodeForm):
    """/tf-validate. While setting up an authenticator app (signed in, or at a login that
    requires one) the code checks the new key: a wrong one there is a slip, not a guess,
    and is not counted; the lock is still checked before a login completes."""

    def counts(self) -> bool:
        return not self.is_setup

    def wrong_code_counts(self) -> bool:
        return session.get("tf_state") == "ready"


class RecoveryCodeForm(LockoutCode, MfRecoveryForm):
    """/mf-recovery: a recovery code in place of the second factor."""


class PasskeyForm(OwnPasskeyForm):
    """/wan-signin's answer: a passkey as the second factor is refused while the account
    is locked and clears the counts when it signs in. A passkey cannot be guessed, so a
    refused one is not counted."""

    def validate(self, **kwargs: Any) -> bool:
        if not self.is_secondary:
            return super().validate(**kwargs)
        if not Form.validate(self, **kwargs):
            return False
        user = User.objects(fs_uniquifier=session.get("tf_user_id")).first()
        if user is not None and (error := _locked(user)):
            _end_sign_in(error)
            self.credential.errors = [error.detail]
            return False
        if super().validate(**kwargs):
            lockout.clear_user(self.user)
            return True
        return False


def counted_token_refusal(user: Any, code: str | None) -> str | None:
    """:func:`~app.accounts.two_factor.token_refusal` for the API's token endpoint, with
    the lockout: a ``code`` checked against the account's authenticator raises LoginLocked
    while the account is locked (before the code is looked at), counts when it is wrong
    (raising LoginLocked when that locks the account) and clears the counts when it is
    right."""
    checked = bool(code) and user.tf_primary_method == "authenticator"
    if checked and (error := _locked(user)):
        raise error
    refusal = token_refusal(user, code)
    if not checked:
        return refusal
    if refusal is None:
        lockout.clear_user(user)
    elif lockout.record_user_failure(user):
        raise _locked(user) or LoginLocked(lockout.locked_message(), 1)
    return refusal
