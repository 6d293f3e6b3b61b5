"""The admin blueprint, its guard, and the dashboard.

The other pages attach to the same blueprint, so the guard covers them all:
user_views.py, role_views.py, content_views.py, audit_views.py. Each of those pages
also names the permission of its own section above it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_security import auth_required, permissions_required

from app.accounts.permissions import ADMIN_VIEW
from app.admin.dashboard import dashboard, health_detail
from app.admin.forms import ActionForm
from app.errors import ValidationFailed

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.before_request
@auth_required()
@permissions_required(ADMIN_VIEW)
def admins_only() -> None:
    """Every page here: anonymous visitors are sent to log in (JSON clients get 401),
    members without ``admin:view`` get 403. A session-authenticated POST must also
    carry a valid CSRF token (auth_required checks it)."""


@blueprint.get("/")
def index():
    return render_template("admin/dashboard.html", board=dashboard(), health_detail=health_detail)


def back_to(default: str) -> str:
    """Where a form asked to return (its ``next`` field, so filters survive a bulk
    action), if that is an admin page; ``default`` otherwise."""
    target = request.form.get("next", "")
    if target.startswith(f"{blueprint.url_prefix}/") and not target.startswith("//"):
        return target
    return default


def flash_refusal(error: ValidationFailed) -> None:
    flash(" ".join(error.errors.values()), "error")


def require_button_post() -> None:
    """A button-only POST (delete, re-send...) must carry its CSRF token. The guard has
    checked it already; this keeps each view safe on its own."""
    if not ActionForm().validate_on_submit():
        abort(400, _("The form expired; reload the page and try again."))
