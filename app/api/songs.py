"""Songs: list, upload (streamed), read, edit, delete, stream, download, reprocess."""

from __future__ import annotations

from flask import request, url_for
from flask_security import auth_required, current_user, permissions_required
from flask_smorest import Blueprint

from app.accounts.decorators import csrf_before_storing, member_required_streaming
from app.accounts.limits import rate_limit
from app.accounts.permissions import SONGS_UPLOAD
from app.accounts.tokens import token_authenticated
from app.api.schemas import (
    ProblemSchema,
    SongListArgs,
    SongPageSchema,
    SongPatchSchema,
    SongSchema,
    SongUploadSchema,
)
from app.library import services
from app.library.albums import album_for
from app.library.queries import SongQuery, list_songs
from app.library.receiving import receive_song, upload_body_bytes
from app.library.serving import send_song
from app.links import carried_args
from app.web_security import accepts_large_body

PREFIX = "/songs"
blueprint = Blueprint("api_songs", __name__, description="Songs and their audio")

AUDIO_RESPONSES = {
    "200": {"description": "The audio", "content": {"audio/*": {}}},
    "206": {"description": "The requested byte range", "content": {"audio/*": {}}},
    "304": {"description": "Not modified (If-None-Match)"},
    "416": {"description": "Range not satisfiable"},
}

PROBLEMS = {
    401: "Not authenticated",
    403: "Needs the songs:upload permission",
    404: "No such song (or not yours)",
    422: "Invalid input: `errors` names each field and the reason",
}


def _problems(*codes: int):
    def decorate(view):
        for code in codes:
            view = blueprint.alt_response(code, schema=ProblemSchema, description=PROBLEMS[code])(
                view
            )
        return view

    return decorate


@blueprint.route("", methods=["GET"])
@auth_required("token", "session")
@blueprint.arguments(SongListArgs, location="query")
@blueprint.response(200, SongPageSchema)
@_problems(401, 422)
def list_(args: dict):
    """List songs (an admin's: everyone's): search, filter, sort, cursor pagination."""
    admin = services.manages_all_songs(current_user)
    album = services.get_album(current_user, args["album"]) if args["album"] else None
    page = list_songs(
        SongQuery(
            owner=None if admin else current_user,
            text=args["q"],
            album=album,
            status=args["status"],
            sort=args["sort"],
            direction={"asc": 1, "desc": -1}.get(args["order"] or ""),
            cursor=args["cursor"],
            limit=args["limit"],
        )
    )
    next_url = None
    if page.next_cursor:
        listing = [name for name in SongListArgs().fields if name != "cursor"]
        query = carried_args(request.args, listing)
        next_url = url_for("api_songs.list_", **query, cursor=page.next_cursor)
    return {
        "items": [_resolved(row) for row in page.rows],
        "total": page.total,
        "next_cursor": page.next_cursor,
        "next": next_url,
    }


def _resolved(row):
    """The row's song with the album and owner the listing fetched in batches."""
    song = row.song
    song.owner, song.album = row.owner, row.album
    return song


@blueprint.route("", methods=["POST"])
@accepts_large_body(upload_body_bytes)
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@rate_limit("UPLOAD_RATE_LIMIT", scope="upload", shared=True, per_member=True)
@member_required_streaming
@permissions_required(SONGS_UPLOAD)
@blueprint.doc(
    requestBody={
        "required": True,
        "content": {"multipart/form-data": {"schema": SongUploadSchema}},
    }
)
@blueprint.response(201, SongSchema)
@_problems(401, 403, 422)
@blueprint.alt_response(
    413, schema=ProblemSchema, description="Larger than MAX_UPLOAD_MB, or than the quota left"
)
@blueprint.alt_response(429, schema=ProblemSchema, description="Too many uploads: retry_after")
def create():
    """Upload a song as multipart/form-data; the file is streamed into storage.

    Processing starts at once; follow it with GET /songs/{id} or over Socket.IO.
    """
    song = receive_song(
        current_user,
        request.stream,
        request.content_type,
        request.content_length,
        before_storing=_csrf_unless_token,
    )
    return song


def _csrf_unless_token(fields: dict[str, str]) -> None:
    """Browsers calling with their session cookie need a CSRF token; callers whose token
    was verified do not (a bogus token header changes nothing)."""
    if not token_authenticated():
        csrf_before_storing(fields)


@blueprint.route("/<song_id>", methods=["GET"])
@auth_required("token", "session")
@blueprint.response(200, SongSchema)
@_problems(401, 404)
def read(song_id: str):
    """One song with everything processing found."""
    return services.get_song(current_user, song_id)


@blueprint.route("/<song_id>", methods=["PATCH"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.arguments(SongPatchSchema)
@blueprint.response(200, SongSchema)
@_problems(401, 404, 422)
def update(changes: dict, song_id: str):
    """Change title, artist, rating or album (null removes it)."""
    song = services.get_song(current_user, song_id)
    return services.update_song(
        song,
        title=services.parse_title(changes.get("title", song.title)),
        artist=services.parse_artist(changes.get("artist", song.artist)),
        rating=services.parse_rating(changes["rating"]) if "rating" in changes else song.rating,
        album=album_for(song.owner, changes["album"]) if "album" in changes else song.album,
    )


@blueprint.route("/<song_id>", methods=["DELETE"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.response(204)
@_problems(401, 404)
def delete(song_id: str):
    """Delete the song and its audio."""
    services.delete_song(services.get_song(current_user, song_id))


@blueprint.route("/<song_id>/reprocess", methods=["POST"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.response(202, SongSchema)
@_problems(401, 404)
def reprocess(song_id: str):
    """Queue the song for processing again."""
    return services.requeue(services.get_song(current_user, song_id))


@blueprint.route("/<song_id>/stream", methods=["GET"])
@auth_required("token", "session")
@blueprint.doc(responses=AUDIO_RESPONSES)
@_problems(401, 404)
def stream(song_id: str):
    """The audio inline, with HTTP Range, ETag and conditional GET."""
    return send_song(services.get_song(current_user, song_id), attachment=False)


@blueprint.route("/<song_id>/download", methods=["GET"])
@auth_required("token", "session")
@blueprint.doc(responses=AUDIO_RESPONSES)
@_problems(401, 404)
def download(song_id: str):
    """The audio as a download under its original file name."""
    return send_song(services.get_song(current_user, song_id), attachment=True)
