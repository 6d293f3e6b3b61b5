"""Upload views: the upload page, and the streaming endpoints that receive audio.

The POST endpoints never let Flask parse the body (which would spool the file to disk):
the multipart stream is read part by part and the file flows straight into GridFS.
So they check login and CSRF themselves, from headers or from fields sent before the file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import PurePosixPath

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_security import current_user, url_for_security
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app.errors import ValidationFailed, problem, wants_json
from app.library import services
from app.library.albums import albums_of
from app.library.models import Song
from app.storage import FieldPart, MultipartReader, StoredFile, delete_file
from app.storage.errors import UploadTooLarge

blueprint = Blueprint("uploads", __name__)

#: Room for the multipart envelope and the text fields around the file.
ENVELOPE_BYTES = 1024 * 1024


def member_required(view: Callable) -> Callable:
    """Like auth_required, but without touching the request body."""

    @functools.wraps(view)
    def checked(*args: object, **kwargs: object) -> object:
        if not current_user.is_authenticated:
            if wants_json():
                return problem(401, "Unauthorized", "Log in to upload songs.")
            return redirect(url_for_security("login", next=request.path))
        return view(*args, **kwargs)

    return checked


def _check_csrf(token: str | None) -> None:
    try:
        validate_csrf(token)
    except ValidationError as error:
        raise CSRFError(str(error)) from None


def _refuse_oversize_early() -> None:
    """A declared length past the limit is refused before a byte is read."""
    declared = request.content_length
    if declared is not None and declared > services.max_upload_bytes() + ENVELOPE_BYTES:
        raise UploadTooLarge(services.max_upload_bytes())


def _receive(reader: MultipartReader) -> tuple[dict[str, str], StoredFile | None, object]:
    """Read every part: text fields, and at most one file stored on the fly.

    The CSRF token comes in the X-CSRFToken header or as a field before the file, so
    nothing is stored for a forged request.
    """
    fields: dict[str, str] = {}
    stored, kind = None, None
    header_token = request.headers.get("X-CSRFToken")
    if header_token:
        _check_csrf(header_token)
    try:
        for part in reader.parts():
            if isinstance(part, FieldPart):
                fields[part.name] = part.value
                continue
            if part.name != "file" or stored is not None:
                raise ValidationFailed({"file": "Send exactly one file, in the field 'file'."})
            if not header_token:
                _check_csrf(fields.get("csrf_token"))
            _validate_known_fields(fields)
            stored, kind = services.store_audio(part.chunks, part.filename)
    except BaseException:
        if stored is not None:
            delete_file(stored.file_id)
        raise
    return fields, stored, kind


def _validate_known_fields(fields: dict[str, str]) -> None:
    """Refuse bad fields that arrived before the file, so the file is never stored."""
    if "title" in fields:
        services.parse_title(fields["title"])
    services.parse_rating(fields.get("rating"))
    services.album_for(current_user, fields.get("album"))


def _song_json(song: Song, status: int):
    body = {
        **song.status_payload,
        "title": song.title,
        "url": url_for("library.song", song_id=song.id),
        "original_filename": song.original_filename,
        "size": song.size,
        "sha256": song.sha256,
    }
    return jsonify(body), status


@blueprint.get("/songs/upload")
@member_required
def upload_page():
    return render_template(
        "library/upload.html",
        albums=albums_of(current_user),
        max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
    )


@blueprint.post("/songs")
@member_required
def upload():
    """Receive one song: fields title, rating, album (id) and file, as multipart."""
    _refuse_oversize_early()
    fields, stored, kind = _receive(MultipartReader(request.stream, request.content_type))
    if stored is None:
        raise ValidationFailed({"file": "Choose an audio file to upload."})
    try:
        default_title = PurePosixPath(stored.original_filename).stem or stored.original_filename
        song = services.create_song(
            current_user,
            title=services.parse_title(fields.get("title", default_title)),
            rating=services.parse_rating(fields.get("rating")),
            album=services.album_for(current_user, fields.get("album")),
            stored=stored,
            kind=kind,
        )
    except BaseException:
        delete_file(stored.file_id)
        raise
    if wants_json():
        return _song_json(song, 201)
    return redirect(url_for("library.song", song_id=song.id))


@blueprint.post("/songs/<song_id>/replace")
@member_required
def replace(song_id: str):
    """Replace a song's audio with the uploaded file and process it again."""
    song = services.get_song(current_user, song_id)
    _refuse_oversize_early()
    _, stored, kind = _receive(MultipartReader(request.stream, request.content_type))
    if stored is None:
        raise ValidationFailed({"file": "Choose an audio file to upload."})
    song = services.replace_audio(song, stored, kind)
    if wants_json():
        return _song_json(song, 200)
    return redirect(url_for("library.song", song_id=song.id))
