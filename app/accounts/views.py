"""Account pages of our own, beside Flask-Security's: the account page (/account), its
name form, "sign out everywhere" and deleting the account."""

from datetime import timedelta

from babel.units import format_unit
from flask import (
    Blueprint,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_security import auth_required, current_user, logout_user, url_for_security
from flask_security.utils import get_message

from app.accounts.deletion import is_last_active_admin, request_deletion, what_goes
from app.accounts.forms import DeleteAccountForm, LocaleForm, NamesForm
from app.accounts.preferences import DEFAULT_TIMEZONE, timezone_names, update_locale_settings
from app.accounts.services import end_sessions, update_names
from app.accounts.sessions import active_records, describe_client, revoke_token, sign_out_session
from app.errors import Conflict, ValidationFailed
from app.exports.services import is_expired, latest_export
from app.i18n.selection import current_language, language_names
from app.library.forms import show_errors
from app.realtime.sessions import current_session_id

blueprint = Blueprint("accounts", __name__)


@blueprint.get("/register/check-inbox")
def check_inbox():
    """Where registering leads (SECURITY_POST_REGISTER_VIEW): the account waits for the
    link in the activation mail, which this page can send again."""
    return render_template("security/check_inbox.html")


@blueprint.app_template_filter("duration_text")
def duration_text(value: timedelta | int) -> str:
    """A duration setting (or seconds) in whole units, in the page's language: "24 hours",
    "24 Stunden", "24 heures"."""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0:
            return format_unit(seconds // size, f"duration-{unit}", "long", locale=get_locale())
    return format_unit(seconds, "duration-second", "long", locale=get_locale())


@blueprint.app_template_filter("client_text")
def client_text(record) -> str:
    """The browser or program of a session or token in a few words: "Firefox on Linux"."""
    return describe_client(record.browser, record.system)


def _with_choices(form: LocaleForm) -> LocaleForm:
    form.language.choices = list(language_names().items())
    form.timezone.choices = list(timezone_names())
    return form


def _account_page(
    names_form: NamesForm | None = None,
    status: int = 200,
    *,
    locale_form: LocaleForm | None = None,
):
    user = current_user._get_current_object()
    if names_form is None:
        names_form = NamesForm(first_name=user.first_name, last_name=user.last_name)
    if locale_form is None:
        locale_form = LocaleForm(
            language=user.locale or current_language(),
            timezone=user.timezone or DEFAULT_TIMEZONE,
        )
    export = latest_export(user)
    sessions, tokens = active_records(user)
    return render_template(
        "accounts/account.html",
        user=user,
        export=export,
        export_expired=export is not None and is_expired(export),
        names_form=names_form,
        locale_form=_with_choices(locale_form),
        token_max_age=current_app.config["SECURITY_TOKEN_MAX_AGE"],
        sessions=sessions,
        tokens=tokens,
        this_session=current_session_id(),
    ), status


@blueprint.get("/account")
@auth_required("session")
def account():
    """My account: names, language and time zone, email address, username, password,
    sessions, export; each section a card."""
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
    flash(_("Your name was saved."), "success")
    return redirect(url_for("accounts.account"))


@blueprint.post("/account/sessions/<record_id>/sign-out")
@auth_required("session")
def sign_out_one_session(record_id: str):
    """End one other session of the account: its next request is signed out and its
    open tabs' live updates close. Signing out this session is the ordinary logout."""
    sign_out_session(current_user._get_current_object(), record_id)
    flash(_("That session was signed out."), "success")
    return redirect(url_for("accounts.account"))


@blueprint.post("/account/tokens/<record_id>/revoke")
@auth_required("session")
def revoke_one_token(record_id: str):
    """Revoke one API token of the account; the others, and the sessions, go on."""
    revoke_token(current_user._get_current_object(), record_id)
    flash(_("That API token was revoked."), "success")
    return redirect(url_for("accounts.account"))


@blueprint.post("/account/locale")
@auth_required("session")
def change_locale():
    """The account's language and time zone (the navbar's switcher sets the language too)."""
    form = LocaleForm()
    if not form.validate_on_submit():
        return _account_page(status=400, locale_form=form)
    try:
        update_locale_settings(
            current_user._get_current_object(),
            language=form.language.data,
            timezone=form.timezone.data,
        )
    except ValidationFailed as error:
        show_errors(form, error)
        return _account_page(status=422, locale_form=form)
    flash(_("Your language and time zone were saved."), "success")
    return redirect(url_for("accounts.account"))


@blueprint.post("/account/sign-out-everywhere")
@auth_required("session")
def sign_out_everywhere():
    """End every session and API token of the account, this one included."""
    end_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You were signed out everywhere: every session and API token has ended."), "success")
    return redirect(url_for_security("login"))


def _freshness() -> timedelta:
    return current_app.config["SECURITY_FRESHNESS"]


def _delete_page(form: DeleteAccountForm, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "accounts/delete.html",
        form=form,
        counts=what_goes(user),
        last_admin=is_last_active_admin(user),
    ), status


@blueprint.route("/account/delete", methods=["GET", "POST"])
@auth_required("session", within=_freshness, grace=lambda: timedelta(0))
def delete_account():
    """Delete my account, once the password was given again within SECURITY_FRESHNESS
    (Flask-Security's re-authentication), confirmed by typing the username."""
    form = DeleteAccountForm()
    if not form.is_submitted():
        return _delete_page(form)
    if not form.validate():
        return _delete_page(form, 400)
    try:
        request_deletion(current_user._get_current_object(), confirmation=form.username.data)
    except ValidationFailed as error:
        show_errors(form, error)
        return _delete_page(form, 422)
    except Conflict as error:
        form.form_errors.append(error.detail)
        return _delete_page(form, 409)
    logout_user()
    flash(
        _("Your account is being deleted with everything in it. You have been signed out."),
        "success",
    )
    return redirect(url_for("main.index"))


@blueprint.get("/account/email-link-refused")
def email_link_refused():
    """Where an expired or unusable change-email link leads
    (SECURITY_CHANGE_EMAIL_ERROR_VIEW). The page says what makes a link unusable; of
    Flask-Security's messages only the one saying the link expired is kept, not its
    generic "Input not appropriate for requested API"."""
    generic = str(get_message("API_ERROR")[0])
    messages = [
        message for message in get_flashed_messages(category_filter=["error"]) if message != generic
    ]
    return render_template("accounts/email_link_refused.html", messages=messages), 400
