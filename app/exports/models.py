"""The Export document: one archive of a member's data, from request to expiry."""

from __future__ import annotations

from mongoengine import (
    CASCADE,
    DateTimeField,
    IntField,
    LongField,
    ObjectIdField,
    ReferenceField,
    StringField,
)

from app.accounts.models import User, utcnow
from app.database import Document

#: An export's states. queued: waiting for a worker; building: being written; ready:
#: downloadable until ``expires_at``; failed: ``reason`` says why.
EXPORT_STATES = ("queued", "building", "ready", "failed")


class Export(Document):
    owner = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    state = StringField(required=True, choices=EXPORT_STATES, default="queued")
    #: Percent of the songs written so far.
    progress = IntField(min_value=0, max_value=100, default=0)
    reason = StringField(default="")
    #: The archive in GridFS (bucket ``exports``). Recorded before the first byte is
    #: written, so chunks left by a worker that died halfway can be found and deleted.
    file_id = ObjectIdField()
    filename = StringField(default="")
    size = LongField()
    sha256 = StringField()
    created_at = DateTimeField(default=utcnow, required=True)
    ready_at = DateTimeField()
    #: After this the link answers 410 and Celery beat deletes the archive.
    expires_at = DateTimeField(required=True)

    meta = {"collection": "exports", "indexes": [("owner", "created_at"), "expires_at"]}

    @property
    def payload(self) -> dict:
        """What the account page is told about this export (events ``export.*``)."""
        return {
            "id": str(self.id),
            "state": self.state,
            "progress": self.progress,
            "reason": self.reason,
            "size": self.size,
            "expires_at": self.expires_at.isoformat(),
        }
