"""Upload views: the upload page, and the streaming endpoints that receive audio.

The POST endpoints never let Flask parse the body (which would spool the file to disk):
app/library/receiving.py reads it part by part. So they check login and CSRF themselves,
from the X-CSRFToken header or a ``csrf_token`` field sent before the file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_security import current_user, url_for_security
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app.errors import problem, wants_json
from app.library import services
from app.library.albums import albums_of
from app.library.models import Song
from app.library.receiving import receive_replacement, receive_song

blueprint = Blueprint("uploads", __name__)


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


def check_csrf_token(token: str | None) -> None:
    try:
        validate_csrf(token)
    except ValidationError as error:
        raise CSRFError(str(error)) from None


def csrf_before_storing(fields: dict[str, str]) -> None:
    """The token from the header, or else from a field that came before the file."""
    check_csrf_token(request.headers.get("X-CSRFToken") or fields.get("csrf_token"))


def song_json(song: Song, status: int):
    body = {
        **song.status_payload,
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
    if request.headers.get("X-CSRFToken"):
        check_csrf_token(request.headers["X-CSRFToken"])  # before reading anything
    song = receive_song(
        current_user,
        request.stream,
        request.content_type,
        request.content_length,
        before_storing=csrf_before_storing,
    )
    if wants_json():
        return song_json(song, 201)
    return redirect(url_for("library.song", song_id=song.id))


@blueprint.post("/songs/<song_id>/replace")
@member_required
def replace(song_id: str):
    """Replace a song's audio with the uploaded file and process it again."""
    song = services.get_song(current_user, song_id)
    song = receive_replacement(
        song,
        request.stream,
        request.content_type,
        request.content_length,
        before_storing=csrf_before_storing,
    )
    if wants_json():
        return song_json(song, 200)
    return redirect(url_for("library.song", song_id=song.id))
