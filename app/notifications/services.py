"""Create, list and mark notifications; every new one is pushed to the user's tabs."""

from __future__ import annotations

from bson import ObjectId

from app.accounts.models import User
from app.notifications.models import Notification
from app.realtime import notify

LIST_LIMIT = 50


def unread_count(user_id: str | ObjectId) -> int:
    return Notification.objects(user=ObjectId(str(user_id)), read=False).count()


def add_notification(
    user_id: str, text: str, *, link: str = "", kind: str = "info"
) -> Notification:
    """Store a notification, then push it (with the new unread count) live."""
    notification = Notification(user=ObjectId(user_id), text=text, link=link, kind=kind).save()
    notify(
        user_id,
        "notification.new",
        {**notification.payload, "unread": unread_count(user_id)},
    )
    return notification


def recent(user: User) -> list[Notification]:
    return list(Notification.objects(user=user).order_by("-created_at").limit(LIST_LIMIT))


def mark_read(user: User, notification_id: str) -> Notification:
    """Mark one of ``user``'s notifications read; NotFound for anyone else's."""
    notification = Notification.objects(user=user).get_or_404(id=notification_id)
    notification.modify(set__read=True)
    return notification


def mark_all_read(user: User) -> int:
    return Notification.objects(user=user, read=False).update(set__read=True)
