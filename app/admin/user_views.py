"""Admin pages for users: list (search, filters, sort, pages), bulk (de)activation,
edit (storage quota included), password reset, unlock, delete."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_security import current_user, permissions_required
from wtforms.fields.choices import SelectChoice

from app.accounts.lockout import user_is_locked
from app.accounts.permissions import USERS_MANAGE
from app.accounts.services import role_named, second_factors_of
from app.admin import user_list
from app.admin import users as user_service
from app.admin.forms import ANY, YES_NO, BulkUsersForm, UserEditForm, UserFilterForm
from app.admin.roles import all_role_names
from app.admin.views import back_to, blueprint, flash_refusal, require_button_post
from app.errors import ValidationFailed
from app.library.forms import show_errors
from app.library.quota import usage_of
from app.links import carried_args


def _search(form: UserFilterForm) -> user_list.UserSearch:
    return user_list.UserSearch(
        text=(form.q.data or "")[:200],
        role=role_named(form.role.data) if form.role.data else None,
        active=YES_NO[form.active.data],
        confirmed=YES_NO[form.confirmed.data],
        sort=form.sort.data,
        page=form.page.data or 1,
    )


@blueprint.get("/users")
@permissions_required(USERS_MANAGE)
def users():
    form = UserFilterForm(request.args)
    form.role.choices = [ANY, *(SelectChoice(name, name) for name in all_role_names())]
    page = None
    if form.validate():
        try:
            page = user_list.find_users(_search(form))
        except ValidationFailed as error:
            show_errors(form, error)
    kept = carried_args(request.args, [field.name for field in form if field.name != "page"])
    return render_template(
        "admin/users.html", form=form, page=page, kept=kept, bulk_form=BulkUsersForm()
    ), (200 if page is not None else 422)


@blueprint.post("/users/bulk")
@permissions_required(USERS_MANAGE)
def users_bulk():
    form = BulkUsersForm()
    if not form.validate_on_submit():
        flash(_("Choose what to do with the chosen users."), "error")
    else:
        activate = form.action.data == "activate"
        try:
            changed = user_service.set_users_active(current_user, form.ids.data, activate)
        except ValidationFailed as error:
            flash_refusal(error)
        else:
            if activate:
                done = ngettext("%(num)s user activated.", "%(num)s users activated.", changed)
            else:
                done = ngettext("%(num)s user deactivated.", "%(num)s users deactivated.", changed)
            flash(done, "success")
    return redirect(back_to(url_for("admin.users")))


@blueprint.route("/users/<user_id>", methods=["GET", "POST"])
@permissions_required(USERS_MANAGE)
def user_edit(user_id: str):
    user = user_service.get_user(user_id)
    form = UserEditForm(
        data={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "roles": user_service.role_names(user),
            "active": user.active,
            "storage_quota_mb": user.storage_quota_mb,
        }
    )
    form.roles.choices = [SelectChoice(name, name) for name in all_role_names()]
    if form.validate_on_submit():
        try:
            changes = user_service.update_user(
                current_user,
                user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                roles=form.roles.data,
                active=form.active.data,
                storage_quota_mb=form.storage_quota_mb.data,
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("User saved.") if changes else _("Nothing to change."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        songs=user_service.song_count(user),
        usage=usage_of(user),
        second_factors=second_factors_of(user),
        locked=user_is_locked(user),
        default_quota_mb=current_app.config["STORAGE_QUOTA_MB"],
    ), (422 if form.errors or form.form_errors else 200)


@blueprint.post("/users/<user_id>/password-reset")
@permissions_required(USERS_MANAGE)
def user_password_reset(user_id: str):
    require_button_post()
    user = user_service.get_user(user_id)
    try:
        user_service.send_password_reset(current_user, user)
    except ValidationFailed as error:
        flash_refusal(error)
    else:
        flash(_("A password reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@blueprint.post("/users/<user_id>/reset-2fa")
@permissions_required(USERS_MANAGE)
def user_reset_two_factor(user_id: str):
    require_button_post()
    user = user_service.get_user(user_id)
    removed = user_service.reset_second_factors(current_user, user)
    if removed:
        flash(
            _(
                "Second factors of %(username)s removed: %(removed)s.",
                username=user.username,
                removed=", ".join(removed),
            ),
            "success",
        )
    else:
        flash(
            _("%(username)s had no second factor; nothing changed.", username=user.username), "info"
        )
    return redirect(url_for("admin.user_edit", user_id=user.id))


@blueprint.post("/users/<user_id>/unlock")
@permissions_required(USERS_MANAGE)
def user_unlock(user_id: str):
    require_button_post()
    user = user_service.get_user(user_id)
    try:
        user_service.unlock_user(current_user, user)
    except ValidationFailed as error:
        flash_refusal(error)
    else:
        flash(_("%(username)s can log in again.", username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@blueprint.post("/users/<user_id>/delete")
@permissions_required(USERS_MANAGE)
def user_delete(user_id: str):
    require_button_post()
    user = user_service.get_user(user_id)
    username = user.username
    try:
        songs = user_service.remove_user(current_user, user)
    except ValidationFailed as error:
        flash_refusal(error)
        return redirect(url_for("admin.user_edit", user_id=user.id))
    flash(
        ngettext(
            "User %(username)s deleted with %(num)s song.",
            "User %(username)s deleted with %(num)s songs.",
            songs,
            username=username,
        ),
        "success",
    )
    return redirect(url_for("admin.users"))
