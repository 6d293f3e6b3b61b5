"""What a member's home page shows, read a page at a time whatever the library's size."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import User
from app.library.albums import albums_of
from app.library.models import Album, Song
from app.library.queries import SongQuery, SongRow, list_songs

#: Songs, albums and songs in progress the home page shows at most.
HOME_SONGS = 5
HOME_ALBUMS = 6
#: The statuses of a song still being worked on.
IN_PROGRESS = ("queued", "processing")


@dataclass(frozen=True)
class Home:
    recent: list[SongRow]
    songs: int
    albums: list[Album]
    in_progress: list[Song]
    #: The member is on their first sign-in: the page welcomes them rather than back.
    first_visit: bool = False

    @property
    def first_run(self) -> bool:
        """Nothing uploaded yet: the page invites the first upload."""
        return self.songs == 0


def first_visit(user: User) -> bool:
    """Whether ``user`` is on their first sign-in (login tracking counts each sign-in, so
    the count is 1 until they sign in again)."""
    return (user.login_count or 0) <= 1


def home_of(user: User) -> Home:
    """The member's latest songs, first albums and the latest songs still being processed.
    Each is one indexed read of at most a few documents, whatever the library's size."""
    recent = list_songs(SongQuery(owner=user, limit=HOME_SONGS))
    if not recent.total:
        return Home([], 0, albums_of(user, limit=HOME_ALBUMS), [], first_visit(user))
    # The (owner, status, seq) index serves this newest-first without reading further.
    in_progress = Song.objects(owner=user, status__in=IN_PROGRESS).order_by("-seq")
    return Home(
        recent=recent.rows,
        songs=recent.total,
        albums=albums_of(user, limit=HOME_ALBUMS),
        in_progress=list(in_progress.limit(HOME_SONGS)),
        first_visit=first_visit(user),
    )
