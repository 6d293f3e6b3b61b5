from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_security import auth_required, current_user

from app.errors import wants_json
from app.notifications import services

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")


@blueprint.app_context_processor
def unread_notifications() -> dict:
    """The bell's count on every page (one counter read)."""
    if current_user and current_user.is_authenticated:
        return {"unread_notifications": services.unread_count(current_user.id)}
    return {"unread_notifications": 0}


@blueprint.get("/")
@auth_required()
def index():
    notifications = services.recent(current_user)
    if wants_json():
        return jsonify(
            {
                "notifications": [n.payload for n in notifications],
                "unread": services.unread_count(current_user.id),
            }
        )
    return render_template("notifications/index.html", notifications=notifications)


@blueprint.post("/<notification_id>/read")
@auth_required()
def read(notification_id: str):
    notification = services.mark_read(current_user, notification_id)
    if wants_json():
        return jsonify({**notification.payload, "unread": services.unread_count(current_user.id)})
    return redirect(notification.link or url_for("notifications.index"))


@blueprint.post("/read-all")
@auth_required()
def read_all():
    services.mark_all_read(current_user)
    if wants_json():
        return jsonify({"unread": 0})
    return redirect(request.referrer or url_for("notifications.index"))
