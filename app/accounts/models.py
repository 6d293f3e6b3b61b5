"""User and Role documents for Flask-Security-Too."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_security import RoleMixin, UserMixin
from mongoengine import (
    BooleanField,
    DateTimeField,
    FloatField,
    IntField,
    ListField,
    LongField,
    ReferenceField,
    StringField,
)

from app.database import Document

ADMIN_ROLE = "Admin"
PUBLIC_ROLE = "Public"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(Document, RoleMixin):
    name = StringField(max_length=80, required=True, unique=True)
    description = StringField(max_length=255, default="")
    permissions = ListField(StringField(max_length=80), default=list)

    meta = {"collection": "roles"}

    def __str__(self) -> str:
        return self.name


class User(Document, UserMixin):
    """A person with an account. ``email`` and ``username`` are stored lower-case, so
    lookups are exact matches backed by unique indexes (see app/accounts/datastore.py)."""

    email = StringField(max_length=255, required=True, unique=True)
    username = StringField(max_length=64, required=True, unique=True)
    first_name = StringField(max_length=80, default="")
    last_name = StringField(max_length=80, default="")
    password = StringField(max_length=255)
    active = BooleanField(default=True)
    fs_uniquifier = StringField(max_length=64, required=True, unique=True)
    confirmed_at = DateTimeField()
    roles = ListField(ReferenceField(Role), default=list)
    last_login_at = DateTimeField()
    current_login_at = DateTimeField()
    last_login_ip = StringField(max_length=100)
    current_login_ip = StringField(max_length=100)
    login_count = IntField(default=0)
    created_at = DateTimeField(default=utcnow, required=True)
    #: Position among all accounts, in the order they were made (app/paging.py).
    seq = IntField()
    #: Dense ranks by creation and by username: the admin's list pages (ranks.py).
    rank_created = IntField()
    rank_username = IntField()
    #: Bytes of audio stored, kept by the library's services (app/library/quota.py).
    storage_bytes = LongField(default=0)
    #: This user's storage quota in MiB, set by an admin; None: STORAGE_QUOTA_MB.
    storage_quota_mb = FloatField(min_value=0)

    meta = {
        "collection": "users",
        "indexes": ["created_at", "seq", "rank_created", "rank_username"],
    }

    def __str__(self) -> str:
        return self.username
