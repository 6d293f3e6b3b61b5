"""User and Role documents for Flask-Security-Too."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import available_timezones

from bson import ObjectId
from flask_security import RoleMixin, UserMixin, WebAuthnMixin
from mongoengine import (
    CASCADE,
    PULL,
    BinaryField,
    BooleanField,
    DateTimeField,
    FloatField,
    IntField,
    ListField,
    LongField,
    ObjectIdField,
    ReferenceField,
    StringField,
    ValidationError,
)

from app.accounts.search_words import words_of
from app.accounts.two_factor import SecondFactorPolicy
from app.config import FIXED_SETTINGS
from app.database import Document

ADMIN_ROLE = "Admin"
PUBLIC_ROLE = "Public"
#: The kinds of login record (app/accounts/sessions.py).
SESSION = "session"
TOKEN = "token"  # noqa: S105 (a kind of record, not a secret)
#: Where a token names its record.
TOKEN_RECORD_CLAIM = "encore_record"  # noqa: S105 (a claim name)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _known_timezone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(f"unknown time zone {name!r}")


class Role(Document, RoleMixin):
    name = StringField(max_length=80, required=True, unique=True)
    description = StringField(max_length=255, default="")
    permissions = ListField(StringField(max_length=80), default=list)

    meta = {"collection": "roles"}

    def __str__(self) -> str:
        return self.name


class User(Document, SecondFactorPolicy, UserMixin):
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
    #: Dense ranks by creation, username and email: the admin's list pages (ranks.py).
    rank_created = IntField()
    rank_username = IntField()
    rank_email = IntField()
    #: What the admin's user search finds the account by, kept by ``clean`` on every
    #: save (app/accounts/search_words.py).
    search_words = ListField(StringField())
    #: Bytes of audio stored, kept by the library's services (app/library/quota.py).
    storage_bytes = LongField(default=0)
    #: This user's storage quota in MiB, set by an admin; None: STORAGE_QUOTA_MB.
    storage_quota_mb = FloatField(min_value=0)
    #: When the user asked for their account to be deleted (app/accounts/deletion.py);
    #: the account is deactivated then, and a worker deletes it.
    deletion_requested_at = DateTimeField()
    # Second factors (app/accounts/two_factor.py): the method set up ("authenticator" or
    # none), its secret encrypted with TWO_FACTOR_KEYS, the last time step whose code was
    # accepted (a code is good once), recovery codes encrypted the same way.
    tf_primary_method = StringField(max_length=64)
    tf_totp_secret = StringField(max_length=255)
    tf_totp_last_step = LongField()
    mf_recovery_codes = ListField(StringField(max_length=255))
    # Passkeys: the user handle authenticators store, and the passkeys themselves.
    fs_webauthn_user_handle = StringField(max_length=64)
    webauthn = ListField(ReferenceField("WebAuthn"), default=list)
    #: Language of this user's pages and mail, one of LANGUAGES; None: the browser's.
    locale = StringField(max_length=16, choices=FIXED_SETTINGS["LANGUAGES"])
    #: IANA time zone the dates are shown in (Europe/Berlin); None: UTC.
    timezone = StringField(max_length=64, validation=_known_timezone)

    meta = {
        "collection": "users",
        "indexes": [
            "created_at",
            "seq",
            "rank_created",
            "rank_username",
            "rank_email",
            "search_words",
            "active",
            "confirmed_at",
            "roles",
            {"fields": ["deletion_requested_at"], "sparse": True},
        ],
    }

    def __str__(self) -> str:
        return self.username

    def clean(self) -> None:
        """Keep the search words right on every save, whatever changed the account."""
        words = words_of(self)
        if self.search_words != words:
            self.search_words = words

    def auth_token_for(self, record: LoginRecord) -> str:
        """An API token that names ``record``: it works while the record is not ended
        (app/accounts/sessions.py), on top of Flask-Security's own checks."""
        self._token_record = str(record.id)
        try:
            return self.get_auth_token()
        finally:
            del self._token_record

    def augment_auth_token(self, tdata: dict) -> None:
        record_id = getattr(self, "_token_record", None)
        if record_id:
            tdata[TOKEN_RECORD_CLAIM] = record_id

    def verify_auth_token(self, tdata: dict) -> bool:
        """Whether a token that passed Flask-Security's checks (signature, age, this
        account's ``fs_uniquifier``) was not revoked on its own since."""
        record_id = tdata.get(TOKEN_RECORD_CLAIM)
        if not isinstance(record_id, str) or not ObjectId.is_valid(record_id):
            return False
        record = LoginRecord.objects(id=ObjectId(record_id), user=self.id, kind=TOKEN).first()
        return record is not None and record.ended_at is None


class WebAuthn(Document, WebAuthnMixin):
    """A passkey: the public key of a credential an authenticator keeps for one user."""

    credential_id = BinaryField(max_bytes=1024, required=True, unique=True)
    public_key = BinaryField(required=True)
    sign_count = LongField(default=0)
    transports = ListField(StringField(max_length=32))
    backup_state = BooleanField(required=True)
    device_type = StringField(max_length=64, required=True)
    extensions = StringField(max_length=255)
    lastuse_datetime = DateTimeField(required=True)
    #: The name its owner gave it, unique among theirs.
    name = StringField(max_length=64, required=True)
    #: "first" (signs in alone) or "secondary" (a second factor after the password).
    usage = StringField(max_length=64, required=True)
    user = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)

    meta = {"collection": "passkeys", "indexes": ["user"]}

    def get_user_mapping(self) -> dict:
        return {"id": self.user.id}


# A deleted passkey leaves its owner's list too.
WebAuthn.register_delete_rule(User, "webauthn", PULL)


class LoginRecord(Document):
    """One signed-in browser session or one issued API token of ``user``."""

    user = ObjectIdField(required=True)
    kind = StringField(required=True, choices=(SESSION, TOKEN))
    #: The login id the Flask session keeps (sessions only).
    key = StringField(max_length=64)
    created_at = DateTimeField(required=True, default=utcnow)
    last_seen_at = DateTimeField(required=True, default=utcnow)
    ip = StringField(max_length=100)
    #: The browser or program ("Firefox", "curl") and its system ("Linux"), from the
    #: User-Agent header; empty when unknown.
    browser = StringField(max_length=40, default="")
    system = StringField(max_length=40, default="")
    #: When the session was signed out from elsewhere; such a record is not listed.
    ended_at = DateTimeField()
    #: When the record stops counting and may be removed.
    expires_at = DateTimeField(required=True)

    meta = {
        "collection": "login_records",
        "indexes": [
            "user",
            {"fields": ["key"], "unique": True, "sparse": True},
            "expires_at",
        ],
    }

    @property
    def active(self) -> bool:
        return self.ended_at is None and self.expires_at > utcnow()
