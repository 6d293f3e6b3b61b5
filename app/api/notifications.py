"""Notifications: list and mark read."""

from __future__ import annotations

from flask_security import auth_required, current_user
from flask_smorest import Blueprint

from app.accounts.limits import rate_limit
from app.api.schemas import NotificationListSchema, NotificationSchema, ProblemSchema
from app.notifications import services

PREFIX = "/notifications"
blueprint = Blueprint("api_notifications", __name__, description="Notifications")


@blueprint.route("", methods=["GET"])
@auth_required("token", "session")
@blueprint.response(200, NotificationListSchema)
@blueprint.alt_response(401, schema=ProblemSchema)
def list_():
    """The latest notifications and the unread count."""
    return {
        "items": services.recent(current_user),
        "unread": services.unread_count(current_user.id),
    }


@blueprint.route("/<notification_id>/read", methods=["POST"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.response(200, NotificationSchema)
@blueprint.alt_response(404, schema=ProblemSchema)
def mark_read(notification_id: str):
    """Mark one notification read."""
    return services.mark_read(current_user, notification_id)


@blueprint.route("/read-all", methods=["POST"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.response(200, NotificationListSchema)
@blueprint.alt_response(401, schema=ProblemSchema)
def mark_all_read():
    """Mark every notification read."""
    services.mark_all_read(current_user)
    return {"items": services.recent(current_user), "unread": 0}
