"""Sending a song's audio: the pages and the API answer with the same response."""

from __future__ import annotations

from flask import Response

from app.library.models import Song
from app.storage import file_response


def send_song(song: Song, *, attachment: bool) -> Response:
    """The song's audio with Range, ETag and conditional GET; a download under its original
    file name when ``attachment``, else inline for the player."""
    return file_response(
        song.file_id,
        size=song.size,
        sha256=song.sha256,
        content_type=song.content_type,
        filename=song.original_filename,
        attachment=attachment,
    )
