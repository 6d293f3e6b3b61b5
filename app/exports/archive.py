"""The export archive: account.json, albums.json, songs.json and every song's audio under
``audio/`` by its original name, written as a zip stream piece by piece.

Nothing is held whole in memory: the zip goes to a write-only stream (GridFS, through
:func:`app.storage.open_writer`), and each song's audio is copied from GridFS in the pieces
:func:`app.storage.open_range` reads. Audio is stored as it is (it is compressed already);
the JSON is deflated.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import IO, Any

from app.accounts.models import User
from app.library.models import Album, Song
from app.storage import open_range, safe_filename

AUDIO_FOLDER = "audio"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def account_record(user: User) -> dict[str, Any]:
    """What account.json holds: the account as its owner sees it (no password hash, no
    session secret)."""
    return {
        "id": str(user.id),
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": sorted(role.name for role in user.roles),
        "created_at": _when(user.created_at),
        "confirmed_at": _when(user.confirmed_at),
        "current_login_at": _when(user.current_login_at),
        "last_login_at": _when(user.last_login_at),
        "login_count": user.login_count or 0,
        "storage_bytes": user.storage_bytes or 0,
        "storage_quota_mb": user.storage_quota_mb,
    }


def album_record(album: Album) -> dict[str, Any]:
    return {
        "id": str(album.id),
        "title": album.title,
        "artist": album.artist,
        "year": album.year,
        "created_at": _when(album.created_at),
    }


def song_record(song: Song, album_titles: dict[str, str], archive_name: str) -> dict[str, Any]:
    album_id = str(song.album.id) if song.album else None
    return {
        "id": str(song.id),
        "title": song.title,
        "rating": song.rating,
        "album": album_id,
        "album_title": album_titles.get(album_id) if album_id else None,
        "file": archive_name,
        "original_filename": song.original_filename,
        "content_type": song.content_type,
        "format": song.format,
        "size": song.size,
        "sha256": song.sha256,
        "duration": song.duration,
        "bitrate": song.bitrate,
        "sample_rate": song.sample_rate,
        "channels": song.channels,
        "tags": song.tags or {},
        "status": song.status,
        "created_at": _when(song.created_at),
        "updated_at": _when(song.updated_at),
    }


def archive_names(filenames: Iterable[str]) -> list[str]:
    """Each original file name as a path under ``audio/``, made safe; names equal to an
    earlier one (ignoring case, as many file systems do) get `` (2)``, `` (3)``... before
    the extension."""
    taken: set[str] = set()
    names = []
    for filename in filenames:
        path = PurePosixPath(safe_filename(filename))
        candidate, number = path.name, 2
        while candidate.lower() in taken:
            candidate = f"{path.stem} ({number}){path.suffix}"
            number += 1
        taken.add(candidate.lower())
        names.append(f"{AUDIO_FOLDER}/{candidate}")
    return names


def _json_entry(archive: zipfile.ZipFile, name: str, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    archive.writestr(name, text.encode(), compress_type=zipfile.ZIP_DEFLATED)


def write_archive(
    out: IO[bytes],
    user: User,
    albums: list[Album],
    songs: list[Song],
    on_progress: Callable[[int, int], None],
) -> None:
    """Write the archive of ``user`` to ``out``; ``on_progress(done, total)`` is called in
    bytes of audio after each piece."""
    titles = {str(album.id): album.title for album in albums}
    names = archive_names(song.original_filename for song in songs)
    total = sum(song.size for song in songs)
    done = 0
    moment = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        _json_entry(archive, "account.json", account_record(user))
        _json_entry(archive, "albums.json", [album_record(album) for album in albums])
        records = [song_record(s, titles, name) for s, name in zip(songs, names, strict=True)]
        _json_entry(archive, "songs.json", records)
        for song, name in zip(songs, names, strict=True):
            entry = zipfile.ZipInfo(name, date_time=moment)
            entry.file_size = song.size  # lets zipfile pick ZIP64 for a file over 4 GiB
            with archive.open(entry, "w") as target:
                for piece in open_range(song.file_id, 0, song.size - 1):
                    target.write(piece)
                    done += len(piece)
                    on_progress(done, total)
