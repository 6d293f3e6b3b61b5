"""Album pages: list, create, show with its songs, edit, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_security import auth_required, current_user

from app.errors import ValidationFailed
from app.library import albums as album_service
from app.library import services
from app.library.forms import AlbumForm, DeleteAlbumForm, show_errors
from app.library.queries import SongQuery, list_songs

blueprint = Blueprint("albums", __name__, url_prefix="/albums")


def _save(form: AlbumForm, save) -> bool:
    """Run ``save(fields)`` with the form's values; show the service's errors if any."""
    try:
        save(album_service.parse_album_fields(form.title.data, form.artist.data, form.year.data))
    except ValidationFailed as error:
        show_errors(form, error)
        return False
    return True


@blueprint.route("/", methods=["GET", "POST"])
@auth_required()
def index():
    form = AlbumForm()
    if form.validate_on_submit() and _save(
        form, lambda fields: album_service.create_album(current_user, **fields)
    ):
        flash(_("Album “%(title)s” created.", title=form.title.data.strip()), "success")
        return redirect(url_for("albums.index"))
    status = 422 if form.errors or form.form_errors else 200
    albums = album_service.albums_of(current_user)
    return render_template("library/albums.html", albums=albums, form=form), status


@blueprint.get("/<album_id>")
@auth_required()
def show(album_id: str):
    """The album's songs in the order they joined it, a page at a time."""
    album = services.get_album(current_user, album_id)
    cursor = request.args.get("after") or None
    page = list_songs(SongQuery(owner=None, album=album, sort="date", direction=1, cursor=cursor))
    return render_template(
        "library/album.html",
        album=album,
        page=page,
        first_url=url_for("albums.show", album_id=album.id) if cursor else None,
        next_url=url_for("albums.show", album_id=album.id, after=page.next_cursor)
        if page.next_cursor
        else None,
        delete_form=DeleteAlbumForm(),
    )


@blueprint.route("/<album_id>/edit", methods=["GET", "POST"])
@auth_required()
def edit(album_id: str):
    album = services.get_album(current_user, album_id)
    form = AlbumForm(data={"title": album.title, "artist": album.artist, "year": album.year})
    if form.validate_on_submit() and _save(
        form, lambda fields: album_service.update_album(album, **fields)
    ):
        flash(_("Album saved."), "success")
        return redirect(url_for("albums.show", album_id=album.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("library/album_edit.html", album=album, form=form), status


@blueprint.post("/<album_id>/delete")
@auth_required()
def delete(album_id: str):
    album = services.get_album(current_user, album_id)
    form = DeleteAlbumForm()
    if not form.validate_on_submit():
        flash(_("Choose whether to keep the album's songs or delete them."), "error")
        return redirect(url_for("albums.show", album_id=album.id))
    deleted = services.delete_album(album, delete_songs=form.songs.data == "delete")
    if deleted:
        message = ngettext(
            "Album “%(title)s” deleted with %(num)s song.",
            "Album “%(title)s” deleted with %(num)s songs.",
            deleted,
            title=album.title,
        )
    else:
        message = _("Album “%(title)s” deleted.", title=album.title)
    flash(message, "success")
    return redirect(url_for("albums.index"))
