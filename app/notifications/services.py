"""Create, list and mark notifications; every new one is pushed to the user's tabs.

A user's unread count is a counter (``inbox:<user id>`` in app/paging.py), changed with
each notification added or read, so the bell on every page costs one lookup; the list is
cut by position, so it reads about a page whatever the user has accumulated.
"""

from __future__ import annotations

from bson import ObjectId

from app import paging
from app.accounts.models import User
from app.notifications.models import Notification
from app.realtime import notify

LIST_LIMIT = 50


def inbox_key(user_id: str | ObjectId) -> str:
    return f"inbox:{user_id}"


def unread_count(user_id: str | ObjectId) -> int:
    key = inbox_key(user_id)
    return max(0, paging.read_counters(key)[key].get("unread", 0))


def add_notification(
    user_id: str, text: str, *, link: str = "", kind: str = "info"
) -> Notification:
    """Store a notification, then push it (with the new unread count) live."""
    key = inbox_key(user_id)
    notification = Notification(
        user=ObjectId(user_id), text=text, link=link, kind=kind, seq=paging.next_position(key)
    ).save()
    paging.add_counts(key, {"unread": 1})
    notify(
        user_id,
        "notification.new",
        {**notification.payload, "unread": unread_count(user_id)},
    )
    return notification


def recent(user: User) -> list[Notification]:
    """The user's latest notifications, newest first."""
    last = paging.read_counters(inbox_key(user.id))[inbox_key(user.id)].get(paging.LAST, 0)
    docs = paging.page(
        Notification._get_collection(),
        {"user": user.id},
        "seq",
        before=last + 1,
        last=last,
        limit=LIST_LIMIT,
    )
    return [Notification._from_son(doc) for doc in docs]


def mark_read(user: User, notification_id: str) -> Notification:
    """Mark one of ``user``'s notifications read; NotFound for anyone else's."""
    notification = Notification.objects(user=user).get_or_404(id=notification_id)
    if Notification.objects(id=notification.id, read=False).update_one(set__read=True):
        paging.add_counts(inbox_key(user.id), {"unread": -1})
    notification.read = True
    return notification


def mark_all_read(user: User) -> int:
    marked = Notification.objects(user=user, read=False).update(set__read=True)
    paging.add_counts(inbox_key(user.id), {"unread": -marked})
    return marked


def delete_notifications_of(user: User) -> None:
    """Delete every notification of ``user`` and their unread count."""
    Notification.objects(user=user).delete()
    paging.counters().delete_one({"_id": inbox_key(user.id)})


def repair_inboxes() -> int:
    """Give positions to notifications stored without one, and set every user's unread
    count to what it is. Returns how many counts were wrong. A background job."""
    collection = Notification._get_collection()
    for doc in collection.find({"seq": None}, sort=[("created_at", 1), ("_id", 1)]):
        position = paging.next_position(inbox_key(doc["user"]))
        collection.update_one({"_id": doc["_id"]}, {"$set": {"seq": position}})
    unread = {
        inbox_key(row["_id"]): row["n"]
        for row in collection.aggregate(
            [{"$match": {"read": False}}, {"$group": {"_id": "$user", "n": {"$sum": 1}}}]
        )
    }
    wrong = 0
    for counter in paging.counters().find({"_id": {"$gte": "inbox:", "$lt": "inbox;"}}):
        actual = unread.pop(counter["_id"], 0)
        if counter.get("unread", 0) != actual:
            wrong += 1
            paging.counters().update_one({"_id": counter["_id"]}, {"$set": {"unread": actual}})
    for key, count in unread.items():
        wrong += 1
        paging.add_counts(key, {"unread": count})
    return wrong
