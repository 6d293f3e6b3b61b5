"""Admin pages for content: everyone's songs (filter, delete, bulk re-process and
delete) and albums (delete, keeping or deleting their songs). Editing a song is the
library's own edit page, which admins may use for any song."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_security import current_user, permissions_required

from app.accounts.permissions import SONGS_MANAGE_ALL
from app.admin import content
from app.admin.forms import AlbumFilterForm, BulkSongsForm, SongFilterForm
from app.admin.views import back_to, blueprint, flash_refusal, require_button_post
from app.errors import ValidationFailed
from app.library.forms import DeleteAlbumForm, show_errors
from app.library.services import get_album, get_song
from app.links import carried_args


@blueprint.get("/songs")
@permissions_required(SONGS_MANAGE_ALL)
def songs():
    form = SongFilterForm(request.args)
    page = None
    if form.validate():
        try:
            page = content.songs_page(
                text=(form.q.data or "")[:200],
                status=form.status.data or None,
                owner=content.owner_named(form.owner.data),
                cursor=request.args.get("after") or None,
            )
        except ValidationFailed as error:
            show_errors(form, error)
    kept = carried_args(request.args, [field.name for field in form])
    return render_template(
        "admin/songs.html",
        form=form,
        page=page,
        kept=kept,
        bulk_form=BulkSongsForm(),
    ), (200 if page is not None else 422)


@blueprint.post("/songs/bulk")
@permissions_required(SONGS_MANAGE_ALL)
def songs_bulk():
    form = BulkSongsForm()
    if not form.validate_on_submit():
        flash(_("Choose what to do with the chosen songs."), "error")
    else:
        try:
            if form.action.data == "delete":
                deleted = content.remove_songs(current_user, form.ids.data)
                flash(
                    ngettext("%(num)s song deleted.", "%(num)s songs deleted.", deleted), "success"
                )
            else:
                queued = content.reprocess_songs(current_user, form.ids.data)
                flash(
                    ngettext(
                        "%(num)s song queued for processing.",
                        "%(num)s songs queued for processing.",
                        queued,
                    ),
                    "success",
                )
        except ValidationFailed as error:
            flash_refusal(error)
    return redirect(back_to(url_for("admin.songs")))


@blueprint.post("/songs/<song_id>/delete")
@permissions_required(SONGS_MANAGE_ALL)
def song_delete(song_id: str):
    require_button_post()
    song = get_song(current_user, song_id)
    title = song.title
    content.remove_song(current_user, song)
    flash(_("Deleted “%(title)s”.", title=title), "success")
    return redirect(back_to(url_for("admin.songs")))


@blueprint.get("/albums")
@permissions_required(SONGS_MANAGE_ALL)
def albums():
    form = AlbumFilterForm(request.args)
    cursor = request.args.get("after") or None
    page = None
    if form.validate():
        try:
            page = content.albums_page(content.owner_named(form.owner.data), cursor)
        except ValidationFailed as error:
            show_errors(form, error)
    kept = carried_args(request.args, [field.name for field in form])
    if page is not None and cursor and not page.rows:
        # Its albums were deleted (say, the last one from this page): start again.
        return redirect(url_for("admin.albums", **kept))
    return render_template(
        "admin/albums.html", form=form, page=page, kept=kept, delete_form=DeleteAlbumForm()
    ), (200 if page is not None else 422)


@blueprint.post("/albums/<album_id>/delete")
@permissions_required(SONGS_MANAGE_ALL)
def album_delete(album_id: str):
    album = get_album(current_user, album_id)
    form = DeleteAlbumForm()
    if not form.validate_on_submit():
        flash(_("Choose whether to keep the album's songs or delete them."), "error")
    else:
        title = album.title
        deleted = content.remove_album(
            current_user, album, delete_songs=form.songs.data == "delete"
        )
        if deleted:
            done = ngettext(
                "Album “%(title)s” deleted with %(num)s song.",
                "Album “%(title)s” deleted with %(num)s songs.",
                deleted,
                title=title,
            )
        else:
            done = _("Album “%(title)s” deleted.", title=title)
        flash(done, "success")
    return redirect(back_to(url_for("admin.albums")))
