"""Album rules: the fields, create, find by title, rename, list, and which album a song
may be put in.

Processing uses these too (an album named by a song's tags), so this module needs
nothing above the models. Deleting an album deletes songs: that is a song rule, in
:func:`app.library.services.delete_album`.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import User
from app.errors import NotFound, ValidationFailed
from app.library import counters
from app.library.models import TITLE_MAX, Album, Song


def parse_album_fields(title: str | None, artist: str | None, year: str | int | None) -> dict:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed({"title": _("Please give the album a title.")})
    if len(title) > TITLE_MAX:
        raise ValidationFailed({"title": _("must be at most %(max)s characters", max=TITLE_MAX)})
    artist = (artist or "").strip()
    if len(artist) > TITLE_MAX:
        raise ValidationFailed({"artist": _("must be at most %(max)s characters", max=TITLE_MAX)})
    parsed_year = None
    if year not in (None, ""):
        try:
            parsed_year = int(year)
        except (TypeError, ValueError):
            raise ValidationFailed({"year": _("must be a year such as 1999")}) from None
        if not 1000 <= parsed_year <= 9999:
            raise ValidationFailed({"year": _("must be a year such as 1999")})
    return {"title": title, "artist": artist, "year": parsed_year}


def create_album(owner: User, *, title: str, artist: str = "", year: int | None = None) -> Album:
    album = Album(owner=owner, title=title, artist=artist, year=year).save()
    counters.count_albums(owner.id, 1)
    return album


def find_or_create_album(owner: User, title: str, artist: str = "") -> Album:
    """The owner's album with this title (any case), or a new one."""
    existing = Album.objects(owner=owner, title_key=title.strip().lower()).first()
    return existing or create_album(owner, title=title, artist=artist)


def update_album(album: Album, *, title: str, artist: str, year: int | None) -> Album:
    album.title, album.artist, album.year = title, artist, year
    album.save()
    for song in Song.objects(album=album):
        song.save()  # refreshes the songs' search words with the new names
    return album


def albums_of(owner: User, limit: int | None = None) -> list[Album]:
    """The owner's albums by title; the first ``limit`` of them if given (index order)."""
    albums = Album.objects(owner=owner).order_by("title_key", "id")
    return list(albums.limit(limit) if limit else albums)


def album_for(owner: User, album_id: str | None) -> Album | None:
    """The album ``album_id`` if it belongs to ``owner`` (the song's owner); None for no
    album. Any other value is a mistake in the song's ``album`` field."""
    if not album_id:
        return None
    try:
        return Album.objects(owner=owner).get_or_404(id=album_id)
    except NotFound:
        raise ValidationFailed({"album": _("No such album among this library's albums.")}) from None
