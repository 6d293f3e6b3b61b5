"""Upload views: the upload page, and the streaming endpoints that receive audio.

The POST endpoints never let Flask parse the body (which would spool the file to disk):
app/library/receiving.py reads it part by part. So they check login with
``member_required_streaming`` and CSRF from the X-CSRFToken header or a ``csrf_token``
field sent before the file (app/accounts/decorators.py). They accept bodies past
MAX_REQUEST_KB (``accepts_large_body``) because they bound the file themselves, and
count against each member's upload rate.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_security import current_user, permissions_required

from app.accounts.decorators import (
    check_csrf_token,
    csrf_before_storing,
    member_required_streaming,
)
from app.accounts.limits import rate_limit
from app.accounts.permissions import SONGS_UPLOAD
from app.errors import wants_json
from app.library import quota, services
from app.library.albums import albums_of
from app.library.models import Song
from app.library.receiving import receive_replacement, receive_song, upload_body_bytes
from app.web_security import accepts_large_body

blueprint = Blueprint("uploads", __name__)


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
@member_required_streaming
@permissions_required(SONGS_UPLOAD)
def upload_page():
    return render_template(
        "library/upload.html",
        albums=albums_of(current_user),
        max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
        usage=quota.usage_of(current_user),
    )


@blueprint.post("/songs")
@accepts_large_body(upload_body_bytes)
@rate_limit("UPLOAD_RATE_LIMIT", scope="upload", shared=True, per_member=True)
@member_required_streaming
@permissions_required(SONGS_UPLOAD)
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
@accepts_large_body(upload_body_bytes)
@rate_limit("UPLOAD_RATE_LIMIT", scope="upload", shared=True, per_member=True)
@member_required_streaming
@permissions_required(SONGS_UPLOAD)
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
