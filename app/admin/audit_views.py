"""The audit log page: every change made in the admin area, newest first."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_security import permissions_required

from app.accounts.permissions import AUDIT_READ
from app.admin.audit import audit_page
from app.admin.views import blueprint


@blueprint.get("/audit")
@permissions_required(AUDIT_READ)
def audit():
    page = audit_page(before=request.args.get("before") or None)
    next_url = url_for("admin.audit", before=page.next_cursor) if page.next_cursor else None
    return render_template(
        "admin/audit.html", page=page, next_url=next_url, first=not request.args.get("before")
    )
