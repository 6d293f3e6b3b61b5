"""Request and response schemas of the REST API (marshmallow, documented in OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.library.models import STATUSES, TITLE_MAX
from app.library.queries import MAX_PAGE_SIZE, PAGE_SIZE, SORTS


class ProblemSchema(Schema):
    """RFC 7807 problem details; ``errors`` names each bad field and the reason."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Invalid input"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "rating: must be a whole number from 1 to 5"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"example": {"rating": "must be a whole number from 1 to 5"}},
    )


class TokenRequestSchema(Schema):
    identity = fields.String(
        required=True,
        validate=validate.Length(min=1, max=255),
        metadata={"description": "Email or username", "example": "ada@example.org"},
    )
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=1024), load_only=True
    )
    code = fields.String(
        validate=validate.Length(min=1, max=16),
        load_only=True,
        metadata={
            "description": "The current code of the account's authenticator app; required "
            "when the account has two-factor sign-in. Each code is accepted once.",
            "example": "123456",
        },
    )


class UserSchema(Schema):
    id = fields.String(dump_only=True)
    username = fields.String()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    roles = fields.Function(lambda user: sorted(role.name for role in user.roles))
    active = fields.Boolean()
    confirmed = fields.Function(lambda user: user.confirmed_at is not None)
    created_at = fields.DateTime()


class TokenSchema(Schema):
    token = fields.String(metadata={"description": "Send as `Authorization: Bearer <token>`"})
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "Seconds the token stays valid"})
    user = fields.Nested(UserSchema)


class UserPatchSchema(Schema):
    first_name = fields.String(validate=validate.Length(min=1, max=80))
    last_name = fields.String(validate=validate.Length(min=1, max=80))
    roles = fields.List(fields.String(validate=validate.Length(min=1, max=80)))
    active = fields.Boolean()


class AlbumSchema(Schema):
    id = fields.String(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    artist = fields.String(load_default="", validate=validate.Length(max=TITLE_MAX))
    year = fields.Integer(allow_none=True, validate=validate.Range(min=1000, max=9999))
    owner = fields.Function(lambda album: album.owner.username, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class AlbumPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    artist = fields.String(validate=validate.Length(max=TITLE_MAX))
    year = fields.Integer(allow_none=True, validate=validate.Range(min=1000, max=9999))


class AlbumDeleteArgs(Schema):
    songs = fields.String(
        load_default="keep",
        validate=validate.OneOf(["keep", "delete"]),
        metadata={"description": "Keep the album's songs (without album) or delete them"},
    )


class SongSchema(Schema):
    id = fields.String(dump_only=True)
    title = fields.String()
    artist = fields.String()
    rating = fields.Integer(allow_none=True)
    album = fields.Function(lambda song: str(song.album.id) if song.album else None)
    owner = fields.Function(lambda song: song.owner.username)
    original_filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    duration = fields.Float(allow_none=True)
    bitrate = fields.Integer(allow_none=True)
    sample_rate = fields.Integer(allow_none=True)
    channels = fields.Integer(allow_none=True)
    format = fields.String(allow_none=True)
    tags = fields.Dict(keys=fields.String(), values=fields.String())
    status = fields.String(validate=validate.OneOf(STATUSES))
    status_reason = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    stream_url = fields.Function(lambda song: f"/api/v1/songs/{song.id}/stream")
    download_url = fields.Function(lambda song: f"/api/v1/songs/{song.id}/download")


class SongPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    artist = fields.String(validate=validate.Length(max=TITLE_MAX))
    rating = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=5))
    album = fields.String(allow_none=True, metadata={"description": "Album id, or null"})


class SongListArgs(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    album = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    sort = fields.String(load_default="date", validate=validate.OneOf(list(SORTS)))
    order = fields.String(load_default=None, validate=validate.OneOf(["asc", "desc"]))
    cursor = fields.String(load_default=None)
    limit = fields.Integer(
        load_default=PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


class SongPageSchema(Schema):
    items = fields.List(fields.Nested(SongSchema))
    total = fields.Integer()
    next_cursor = fields.String(allow_none=True)
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})


class SongUploadSchema(Schema):
    """multipart/form-data; ``file`` is streamed to storage as it arrives."""

    title = fields.String(
        metadata={
            "description": "Default: the title in the file's tags once it is processed, "
            "else the file name without extension"
        }
    )
    artist = fields.String(metadata={"description": "Default: the artist in the file's tags"})
    rating = fields.Integer(validate=validate.Range(min=1, max=5))
    album = fields.String(
        metadata={
            "description": "Album id; `tags` for the album the file's tags name (made if "
            "need be); default: no album"
        }
    )
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class NotificationSchema(Schema):
    id = fields.String()
    text = fields.String()
    link = fields.String()
    kind = fields.String()
    read = fields.Boolean()
    created_at = fields.DateTime()


class NotificationListSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer()
