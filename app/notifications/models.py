from __future__ import annotations

from mongoengine import CASCADE, BooleanField, DateTimeField, IntField, ReferenceField, StringField

from app.accounts.models import User, utcnow
from app.database import Document


class Notification(Document):
    user = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    text = StringField(required=True, max_length=500)
    link = StringField(max_length=500, default="")
    kind = StringField(max_length=40, default="info")
    read = BooleanField(default=False)
    #: Position in the user's inbox (app/paging.py): the list is cut by it.
    seq = IntField()
    created_at = DateTimeField(default=utcnow, required=True)

    meta = {
        "collection": "notifications",
        "indexes": [("user", "seq"), ("user", "read")],
    }

    @property
    def payload(self) -> dict:
        return {
            "id": str(self.id),
            "text": self.text,
            "link": self.link,
            "kind": self.kind,
            "read": self.read,
            "created_at": self.created_at.isoformat(),
        }
