"""Album rules: create, rename, delete (keeping or deleting the songs)."""

from __future__ import annotations

from app.accounts.models import User
from app.errors import ValidationFailed
from app.library import counters
from app.library.models import TITLE_MAX, Album, Song
from app.library.services import delete_song


def parse_album_fields(title: str | None, artist: str | None, year: str | int | None) -> dict:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed({"title": "Please give the album a title."})
    if len(title) > TITLE_MAX:
        raise ValidationFailed({"title": f"must be at most {TITLE_MAX} characters"})
    artist = (artist or "").strip()
    if len(artist) > TITLE_MAX:
        raise ValidationFailed({"artist": f"must be at most {TITLE_MAX} characters"})
    parsed_year = None
    if year not in (None, ""):
        try:
            parsed_year = int(year)
        except (TypeError, ValueError):
            raise ValidationFailed({"year": "must be a year such as 1999"}) from None
        if not 1000 <= parsed_year <= 9999:
            raise ValidationFailed({"year": "must be a year such as 1999"})
    return {"title": title, "artist": artist, "year": parsed_year}


def create_album(owner: User, *, title: str, artist: str = "", year: int | None = None) -> Album:
    return Album(owner=owner, title=title, artist=artist, year=year).save()


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


def delete_album(album: Album, *, delete_songs: bool) -> int:
    """Delete the album; its songs are deleted too or kept without an album.
    Returns how many songs were deleted."""
    songs = list(Song.objects(album=album))
    if delete_songs:
        for song in songs:
            delete_song(song)
    else:
        Song.objects(album=album).update(unset__album=True, unset__album_seq=True)
        for song in Song.objects(id__in=[song.id for song in songs]):
            song.save()
    album.delete()
    counters.forget_scope(counters.album_key(album.id))
    return len(songs) if delete_songs else 0


def albums_of(owner: User) -> list[Album]:
    return list(Album.objects(owner=owner).order_by("title_key", "id"))
