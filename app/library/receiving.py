"""Receiving an upload from a request stream: the one place the upload rules live, for the
pages and the API alike.

The body is read part by part and the file flows straight into GridFS. Fields sent before
the file are checked before anything is stored; fields sent after it are checked at the
end, and a failure then deletes the stored file. So a refused upload leaves nothing.

Size and storage quota are checked from the declared length before a byte is read, when
it is enough to tell, and otherwise while the file streams in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import IO

from flask_babel import gettext as _

from app.accounts.models import User
from app.errors import ValidationFailed
from app.library import quota, services
from app.library.albums import album_for
from app.library.models import TITLE_MAX, Album, Song
from app.library.sniff import AudioKind
from app.storage import FieldPart, MultipartReader, StoredFile, delete_file
from app.storage.errors import UploadTooLarge

#: Room for the multipart envelope and the text fields around the file.
ENVELOPE_BYTES = 1024 * 1024

#: Called with the fields received so far, just before the file is stored.
BeforeStoring = Callable[[dict[str, str]], None]

#: The ``album`` value that asks for the album the file's tags name (made if need be).
ALBUM_FROM_TAGS = "tags"


def upload_body_bytes() -> int:
    """The largest request body an upload endpoint reads: a file at MAX_UPLOAD_MB and
    its envelope."""
    return services.max_upload_bytes() + ENVELOPE_BYTES


def refuse_oversize(owner: User, declared_length: int | None, *, freed: int = 0) -> None:
    """A declared length past MAX_UPLOAD_MB, or past what is left of ``owner``'s quota,
    is refused before a byte is read."""
    if declared_length is None:
        return
    limit = services.max_upload_bytes()
    if declared_length > limit + ENVELOPE_BYTES:
        raise UploadTooLarge(limit)
    room = quota.room_for(owner, freed=freed)
    if room is not None and declared_length > room + ENVELOPE_BYTES:
        raise quota.QuotaExceeded(quota.usage_of(owner, freed=freed))


def _chosen_album(owner: User, value: str | None) -> Album | None:
    """The album an upload names: none, one of the owner's (by id), or, for
    ALBUM_FROM_TAGS, none until processing finds the one its tags name."""
    return None if value == ALBUM_FROM_TAGS else album_for(owner, value)


def _left_to_tags(fields: dict[str, str]) -> list[str]:
    """The fields the member left for processing to fill from the file's tags: title and
    artist left empty, and the album when they asked for the one the tags name."""
    names = [name for name in ("title", "artist") if not (fields.get(name) or "").strip()]
    if fields.get("album") == ALBUM_FROM_TAGS:
        names.append("album")
    return names


def _check_fields_so_far(owner: User, fields: dict[str, str]) -> None:
    if (fields.get("title") or "").strip():
        services.parse_title(fields["title"])
    services.parse_artist(fields.get("artist"))
    services.parse_rating(fields.get("rating"))
    _chosen_album(owner, fields.get("album"))


def read_upload(
    owner: User,
    stream: IO[bytes],
    content_type: str | None,
    *,
    before_storing: BeforeStoring,
    freed: int = 0,
) -> tuple[dict[str, str], StoredFile, AudioKind]:
    """Read the text fields and exactly one file (field ``file``), storing the file
    within what is left of ``owner``'s quota (counting ``freed``, the size of a file it
    replaces)."""
    fields: dict[str, str] = {}
    stored, kind = None, None
    try:
        for part in MultipartReader(stream, content_type).parts():
            if isinstance(part, FieldPart):
                fields[part.name] = part.value
                continue
            if part.name != "file" or stored is not None:
                raise ValidationFailed({"file": _("Send exactly one file, in the field 'file'.")})
            before_storing(fields)
            _check_fields_so_far(owner, fields)
            stored, kind = services.store_audio(
                part.chunks, part.filename, owner=owner, freed=freed
            )
    except BaseException:
        if stored is not None:
            delete_file(stored.file_id)
        raise
    if stored is None:
        raise ValidationFailed({"file": _("Choose an audio file to upload.")})
    return fields, stored, kind


def receive_song(
    owner: User,
    stream: IO[bytes],
    content_type: str | None,
    content_length: int | None,
    *,
    before_storing: BeforeStoring,
) -> Song:
    """Create a song from a multipart upload: fields ``title``, ``artist``, ``rating``,
    ``album`` (an album id, ALBUM_FROM_TAGS or nothing) and ``file``. A title or artist
    left empty comes from the file's tags once it is processed; until then (and if no
    tag names it) the title is the file name."""
    refuse_oversize(owner, content_length)
    fields, stored, kind = read_upload(owner, stream, content_type, before_storing=before_storing)
    try:
        from_tags = _left_to_tags(fields)
        default_title = PurePosixPath(stored.original_filename).stem or stored.original_filename
        title = default_title[:TITLE_MAX] if "title" in from_tags else fields["title"]
        return services.create_song(
            owner,
            title=services.parse_title(title),
            artist=services.parse_artist(fields.get("artist")),
            rating=services.parse_rating(fields.get("rating")),
            album=_chosen_album(owner, fields.get("album")),
            stored=stored,
            kind=kind,
            from_tags=from_tags,
        )
    except BaseException:
        delete_file(stored.file_id)
        raise


def receive_replacement(
    song: Song,
    stream: IO[bytes],
    content_type: str | None,
    content_length: int | None,
    *,
    before_storing: BeforeStoring,
) -> Song:
    """Replace ``song``'s audio with the uploaded ``file`` and process it again."""
    refuse_oversize(song.owner, content_length, freed=song.size)
    _, stored, kind = read_upload(
        song.owner, stream, content_type, before_storing=before_storing, freed=song.size
    )
    return services.replace_audio(song, stored, kind)
