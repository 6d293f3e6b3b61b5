from __future__ import annotations

from flask import Blueprint, render_template
from flask_security import auth_required, roles_required

from app.accounts.models import ADMIN_ROLE
from app.admin.services import dashboard

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.before_request
@auth_required()
@roles_required(ADMIN_ROLE)
def admins_only() -> None:
    """Every page here: anonymous visitors are sent to log in, others get 403."""


@blueprint.get("/")
def index():
    return render_template("admin/dashboard.html", board=dashboard())
