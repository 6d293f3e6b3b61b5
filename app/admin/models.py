"""The audit log: one AuditEntry per change an admin makes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from mongoengine import DateTimeField, DictField, ObjectIdField, StringField

from app.accounts.models import utcnow
from app.config import N_
from app.database import Document
from app.library.names import status_name

#: action -> how the audit page names it (entries store the action; the name is looked up
#: in the reader's language when shown)
ACTIONS = {
    "user.update": _l("changed names"),
    "user.roles": _l("changed roles"),
    "user.activate": _l("activated"),
    "user.deactivate": _l("deactivated"),
    "user.quota": _l("changed storage quota"),
    "user.delete": _l("deleted user"),
    "user.password_reset": _l("sent a password reset"),
    "account.delete": _l("deleted their own account"),
    "user.reset_2fa": _l("reset second factors"),
    "user.unlock": _l("unlocked"),
    "role.create": _l("created role"),
    "role.update": _l("changed role"),
    "role.permissions": _l("changed the permissions of role"),
    "song.delete": _l("deleted song"),
    "song.requeue": _l("re-processed"),
    "album.delete": _l("deleted album"),
}

#: target kind -> the words naming a target of that kind, filled from its names; shown in
#: the reader's language, stored in English as ``target`` too.
TARGETS = {
    "user": "%(username)s <%(email)s>",
    "song": N_("song “%(title)s” of %(owner)s"),
    "album": N_("album “%(title)s” of %(owner)s"),
    "role": N_("role %(name)s"),
}

#: detail key -> how the audit page names it; a key not here is shown as stored.
DETAILS = {
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "roles": _l("roles"),
    "storage_quota_mb": _l("storage quota (MB)"),
    "removed": _l("removed"),
    "songs": _l("songs"),
    "file": _l("file"),
    "previous": _l("previous status"),
    "songs_deleted": _l("songs deleted"),
    "description": _l("description"),
    "permissions": _l("permissions"),
}


class AuditEntry(Document):
    """Who changed what, and when. Actor and target are kept as text (with the ids) so an
    entry still reads right after the user or song it names is deleted. The target is
    also kept as data, its kind and names (``target_kind``, ``target_names``), so the
    page words it in the reader's language; entries from before have ``target`` alone."""

    actor = StringField(required=True, max_length=64)
    actor_id = ObjectIdField()
    action = StringField(required=True, choices=tuple(ACTIONS))
    target = StringField(required=True, max_length=300)
    target_id = StringField(max_length=64, default="")
    target_kind = StringField(choices=tuple(TARGETS))
    target_names = DictField()
    details = DictField()
    created_at = DateTimeField(default=utcnow, required=True)

    meta = {"collection": "audit_entries", "indexes": [("-created_at", "-_id")]}

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])

    @property
    def target_text(self) -> str:
        """The target in the reader's language; the stored text when it has no kind."""
        words = TARGETS.get(self.target_kind or "")
        if words is None:
            return self.target
        try:
            return _(words, **self.target_names)
        except KeyError:  # names missing from a damaged entry
            return self.target

    @property
    def details_text(self) -> str:
        """The details as one line, each named in the reader's language: a change
        ``{"from": a, "to": b}`` reads "a → b", a status is named (``previous``)."""
        return "; ".join(
            f"{DETAILS.get(name, name)}: {_detail_value(name, value)}"
            for name, value in self.details.items()
        )


def _detail_value(name: str, value: object) -> str:
    """A detail's value as shown: a song's status code (``previous``) as the reader says
    it, anything else as stored."""
    if name == "previous" and isinstance(value, str):
        return status_name(value)
    return _readable(value)


def _readable(value: object) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        nothing = _("nothing")
        return f"{_readable(value['from']) or nothing} → {_readable(value['to']) or nothing}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
