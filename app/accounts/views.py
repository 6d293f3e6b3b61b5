"""Account pages of our own, beside Flask-Security's: the account page (/account), its
name form and "sign out everywhere"."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_security import auth_required, current_user, logout_user, url_for_security

from app.accounts.forms import NamesForm
from app.accounts.services import end_sessions, update_names
from app.config import environment_text
from app.errors import ValidationFailed
from app.exports.services import is_expired, latest_export
from app.library.forms import show_errors
from app.library.quota import usage_of

blueprint = Blueprint("accounts", __name__)


@blueprint.get("/register/check-inbox")
def check_inbox():
    """Where registering leads (SECURITY_POST_REGISTER_VIEW): the account waits for the
    link in the activation mail, which this page can send again."""
    return render_template("security/check_inbox.html")


@blueprint.app_template_filter("duration_text")
def duration_text(value) -> str:
    """A duration as the settings spell it: "24 hours", "2 hours"."""
    return environment_text(value)


def _account_page(names_form: NamesForm | None = None, status: int = 200):
    user = current_user._get_current_object()
    if names_form is None:
        names_form = NamesForm(first_name=user.first_name, last_name=user.last_name)
    export = latest_export(user)
    return render_template(
        "accounts/account.html",
        user=user,
        export=export,
        export_expired=export is not None and is_expired(export),
        names_form=names_form,
        usage=usage_of(user),
        token_max_age=current_app.config["SECURITY_TOKEN_MAX_AGE"],
    ), status


@blueprint.get("/account")
@auth_required("session")
def account():
    """My account: names, email address, username, password, sessions, export; each
    section a card."""
    return _account_page()


@blueprint.post("/account/names")
@auth_required("session")
def change_names():
    form = NamesForm()
    if not form.validate_on_submit():
        return _account_page(form, 400)
    try:
        update_names(
            current_user._get_current_object(),
            first_name=form.first_name.data,
            last_name=form.last_name.data,
        )
    except ValidationFailed as error:
        show_errors(form, error)
        return _account_page(form, 422)
    flash("Your name was saved.", "success")
    return redirect(url_for("accounts.account"))


@blueprint.post("/account/sign-out-everywhere")
@auth_required("session")
def sign_out_everywhere():
    """End every session and API token of the account, this one included."""
    end_sessions(current_user._get_current_object())
    logout_user()
    flash("You were signed out everywhere: every session and API token has ended.", "success")
    return redirect(url_for_security("login"))


@blueprint.get("/account/email-link-refused")
def email_link_refused():
    """Where an expired or unusable change-email link leads
    (SECURITY_CHANGE_EMAIL_ERROR_VIEW); the flashed message says which."""
    return render_template("accounts/email_link_refused.html"), 400
