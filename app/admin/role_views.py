"""Admin pages for roles: list with user counts, create, edit the description and the
permissions granted."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_security import current_user, permissions_required

from app.accounts.permissions import USERS_MANAGE
from app.accounts.services import role_description
from app.admin import roles as role_service
from app.admin.forms import RoleEditForm, RoleForm
from app.admin.views import blueprint
from app.errors import ValidationFailed
from app.library.forms import show_errors

blueprint.add_app_template_filter(role_description, "role_description")


@blueprint.route("/roles", methods=["GET", "POST"])
@permissions_required(USERS_MANAGE)
def roles():
    form = RoleForm()
    if form.validate_on_submit():
        try:
            role = role_service.create_role(
                current_user, form.name.data, form.description.data, form.permissions.data
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("Role %(name)s created.", name=role.name), "success")
            return redirect(url_for("admin.roles"))
    return render_template("admin/roles.html", rows=role_service.roles_with_counts(), form=form), (
        422 if form.errors or form.form_errors else 200
    )


@blueprint.route("/roles/<role_id>", methods=["GET", "POST"])
@permissions_required(USERS_MANAGE)
def role_edit(role_id: str):
    role = role_service.get_role(role_id)
    form = RoleEditForm(data={"description": role.description, "permissions": role.permissions})
    if form.validate_on_submit():
        try:
            changes = role_service.update_role(
                current_user, role, form.description.data, form.permissions.data
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(
                _("Role %(name)s saved.", name=role.name) if changes else _("Nothing to change."),
                "success",
            )
            return redirect(url_for("admin.roles"))
    return render_template("admin/role_edit.html", role=role, form=form), (
        422 if form.errors or form.form_errors else 200
    )
