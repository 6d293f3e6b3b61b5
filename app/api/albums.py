"""Albums: list, create, read, edit, delete (keeping or deleting the songs)."""

from __future__ import annotations

from flask_security import auth_required, current_user
from flask_smorest import Blueprint

from app.accounts.limits import rate_limit
from app.api.schemas import AlbumDeleteArgs, AlbumPatchSchema, AlbumSchema, ProblemSchema
from app.library import albums as album_service
from app.library import services

PREFIX = "/albums"
blueprint = Blueprint("api_albums", __name__, description="Albums")


@blueprint.route("", methods=["GET"])
@auth_required("token", "session")
@blueprint.response(200, AlbumSchema(many=True))
@blueprint.alt_response(401, schema=ProblemSchema)
def list_():
    """Your albums, by title."""
    return album_service.albums_of(current_user)


@blueprint.route("", methods=["POST"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.arguments(AlbumSchema)
@blueprint.response(201, AlbumSchema)
@blueprint.alt_response(401, schema=ProblemSchema)
@blueprint.alt_response(422, schema=ProblemSchema)
def create(fields: dict):
    """Create an album."""
    checked = album_service.parse_album_fields(
        fields["title"], fields.get("artist"), fields.get("year")
    )
    return album_service.create_album(current_user, **checked)


@blueprint.route("/<album_id>", methods=["GET"])
@auth_required("token", "session")
@blueprint.response(200, AlbumSchema)
@blueprint.alt_response(404, schema=ProblemSchema)
def read(album_id: str):
    """One album."""
    return services.get_album(current_user, album_id)


@blueprint.route("/<album_id>", methods=["PATCH"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.arguments(AlbumPatchSchema)
@blueprint.response(200, AlbumSchema)
@blueprint.alt_response(404, schema=ProblemSchema)
@blueprint.alt_response(422, schema=ProblemSchema)
def update(changes: dict, album_id: str):
    """Rename an album or change its artist or year."""
    album = services.get_album(current_user, album_id)
    checked = album_service.parse_album_fields(
        changes.get("title", album.title),
        changes.get("artist", album.artist),
        changes.get("year", album.year),
    )
    return album_service.update_album(album, **checked)


@blueprint.route("/<album_id>", methods=["DELETE"])
@rate_limit("API_WRITE_RATE_LIMIT", scope="api-write")
@auth_required("token", "session")
@blueprint.arguments(AlbumDeleteArgs, location="query")
@blueprint.response(204)
@blueprint.alt_response(404, schema=ProblemSchema)
def delete(args: dict, album_id: str):
    """Delete an album; ``?songs=delete`` deletes its songs too, otherwise they stay."""
    album = services.get_album(current_user, album_id)
    services.delete_album(album, delete_songs=args["songs"] == "delete")
