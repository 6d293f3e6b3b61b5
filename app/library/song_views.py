"""Song pages: the library, a song, editing and deleting. Uploads are in upload_views.py."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_security import auth_required, current_user
from wtforms.fields.choices import SelectChoice

from app.errors import NotFound, ValidationFailed
from app.library import services
from app.library.albums import album_for, albums_of
from app.library.forms import SongForm, show_errors
from app.library.models import STATUSES
from app.library.names import sort_name, status_name
from app.library.queries import SORTS, SongQuery, SongRow, list_songs
from app.library.serving import send_song
from app.links import carried_args

blueprint = Blueprint("library", __name__)

blueprint.add_app_template_global(status_name)
blueprint.add_app_template_global(sort_name)

#: The query arguments of the library page, carried into its page links.
LISTING_ARGS = ("q", "album", "status", "sort", "order")


def _album_choices(owner) -> list[SelectChoice]:
    albums = [SelectChoice(str(album.id), album.title) for album in albums_of(owner)]
    return [SelectChoice("", _("No album")), *albums]


@blueprint.get("/songs")
@auth_required()
def songs():
    """The member's songs (an admin's: everyone's), searched, filtered, sorted, paged."""
    args = request.args
    admin = services.manages_all_songs(current_user)
    album = services.get_album(current_user, args["album"]) if args.get("album") else None
    query = SongQuery(
        owner=None if admin else current_user,
        text=args.get("q", "")[:200],
        album=album,
        status=args.get("status") or None,
        sort=args.get("sort", "date"),
        direction={"asc": 1, "desc": -1}.get(args.get("order", "")),
        cursor=args.get("after") or None,
    )
    page = list_songs(query)
    kept = carried_args(args, LISTING_ARGS)
    return render_template(
        "library/songs.html",
        page=page,
        first_url=url_for("library.songs", **kept) if query.cursor else None,
        next_url=url_for("library.songs", **kept, after=page.next_cursor)
        if page.next_cursor
        else None,
        admin=admin,
        albums=albums_of(current_user),
        statuses=STATUSES,
        sorts=SORTS,
        args=args,
    )


@blueprint.get("/songs/status")
@auth_required()
def statuses():
    """Current processing state of the listed songs (``?ids=a,b``): what a page asks
    after its socket reconnects, so no change is missed."""
    ids = [value for value in request.args.get("ids", "").split(",") if value][:200]
    payloads = []
    for song_id in ids:
        try:
            payloads.append(services.get_song(current_user, song_id).status_payload)
        except NotFound:
            continue
    return jsonify({"songs": payloads})


@blueprint.get("/songs/<song_id>/row")
@auth_required()
def row(song_id: str):
    """One library table row, for pages that learn of a new song live."""
    song = services.get_song(current_user, song_id)
    admin = services.manages_all_songs(current_user)
    return render_template(
        "library/song_row.html", row=SongRow(song, song.album, song.owner), admin=admin
    )


@blueprint.get("/songs/<song_id>")
@auth_required()
def song(song_id: str):
    return render_template("library/song.html", song=services.get_song(current_user, song_id))


@blueprint.get("/songs/<song_id>/stream")
@auth_required()
def stream(song_id: str):
    """The audio for the player: HTTP Range, ETag and conditional GET, shown inline."""
    return send_song(services.get_song(current_user, song_id), attachment=False)


@blueprint.get("/songs/<song_id>/download")
@auth_required()
def download(song_id: str):
    """The audio as a download under its original file name."""
    return send_song(services.get_song(current_user, song_id), attachment=True)


@blueprint.route("/songs/<song_id>/edit", methods=["GET", "POST"])
@auth_required()
def edit(song_id: str):
    song = services.get_song(current_user, song_id)
    form = SongForm(
        data={
            "title": song.title,
            "artist": song.artist,
            "rating": str(song.rating or ""),
            "album": str(song.album.id) if song.album else "",
        }
    )
    form.album.choices = _album_choices(song.owner)
    if form.validate_on_submit():
        try:
            services.update_song(
                song,
                title=services.parse_title(form.title.data),
                artist=services.parse_artist(form.artist.data),
                rating=services.parse_rating(form.rating.data),
                album=album_for(song.owner, form.album.data),
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("Song saved."), "success")
            return redirect(url_for("library.song", song_id=song.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("library/song_edit.html", song=song, form=form), status


@blueprint.post("/songs/<song_id>/delete")
@auth_required()
def delete(song_id: str):
    song = services.get_song(current_user, song_id)
    title = song.title
    services.delete_song(song)
    flash(_("Deleted “%(title)s”.", title=title), "success")
    return redirect(url_for("library.songs"))
