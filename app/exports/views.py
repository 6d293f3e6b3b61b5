"""Export my data: start an export from the account page, download the archive."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_security import auth_required, current_user

from app.errors import Conflict, wants_json
from app.exports.services import ZIP_TYPE, downloadable_export, start_export
from app.storage import EXPORTS_BUCKET, file_response

blueprint = Blueprint("exports", __name__, url_prefix="/account/exports")


@blueprint.post("")
@auth_required("session")
def start():
    """Queue an export (a form post with the CSRF token, checked by ``auth_required``);
    the account page follows it live. JSON callers get the export, 202."""
    try:
        export = start_export(current_user._get_current_object())
    except Conflict as error:
        if wants_json():
            raise
        flash(error.detail, "error")
        return redirect(url_for("accounts.account"))
    if wants_json():
        return jsonify(export.payload), 202
    flash(_("Your export is being made: its link appears here when it is ready."), "info")
    return redirect(url_for("accounts.account"))


@blueprint.get("/<export_id>")
@auth_required("session")
def download(export_id: str):
    """The archive, as a download: to its owner only (404 for anyone else), until it
    expires (410)."""
    export = downloadable_export(current_user._get_current_object(), export_id)
    return file_response(
        export.file_id,
        sha256=export.sha256,
        content_type=ZIP_TYPE,
        filename=export.filename,
        attachment=True,
        size=export.size,
        bucket=EXPORTS_BUCKET,
    )
