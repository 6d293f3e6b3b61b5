"""The audit log: one AuditEntry per change an admin makes."""

from __future__ import annotations

from mongoengine import DateTimeField, DictField, ObjectIdField, StringField

from app.accounts.models import utcnow
from app.database import Document

#: action -> how the audit page names it
ACTIONS = {
    "user.update": "changed names",
    "user.roles": "changed roles",
    "user.activate": "activated",
    "user.deactivate": "deactivated",
    "user.quota": "changed storage quota",
    "user.delete": "deleted user",
    "user.password_reset": "sent a password reset",
    "account.delete": "deleted their own account",
    "user.reset_2fa": "reset second factors",
    "user.unlock": "unlocked",
    "role.create": "created role",
    "role.update": "changed role",
    "role.permissions": "changed the permissions of role",
    "song.delete": "deleted song",
    "song.requeue": "re-processed",
    "album.delete": "deleted album",
}


class AuditEntry(Document):
    """Who changed what, and when. Actor and target are kept as text (with the ids) so an
    entry still reads right after the user or song it names is deleted."""

    actor = StringField(required=True, max_length=64)
    actor_id = ObjectIdField()
    action = StringField(required=True, choices=tuple(ACTIONS))
    target = StringField(required=True, max_length=300)
    target_id = StringField(max_length=64, default="")
    details = DictField()
    created_at = DateTimeField(default=utcnow, required=True)

    meta = {"collection": "audit_entries", "indexes": [("-created_at", "-_id")]}

    @property
    def action_label(self) -> str:
        return ACTIONS[self.action]

    @property
    def details_text(self) -> str:
        """The details as one line: a change ``{"from": a, "to": b}`` reads "a → b"."""
        return "; ".join(f"{name}: {_readable(value)}" for name, value in self.details.items())


def _readable(value: object) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_readable(value['from']) or 'nothing'} → {_readable(value['to']) or 'nothing'}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
