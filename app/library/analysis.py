"""What processing learns from an audio file: format, tags, duration, quality, waveform.

Pure functions over a seekable binary file, so they are tested on the fixtures directly
and used by the worker on GridFS files. The file is first copied to an anonymous temporary
file, which the decoder reads by its descriptor: while it decodes, no Python code runs, so
an exception raised by a signal (the worker's time limit) always reaches the caller. Read
through Python callbacks instead, such an exception would be swallowed by the callback and
the decoder would take it for the end of the file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import mutagen
import numpy as np
import soundfile
from babel.units import format_unit
from flask_babel import get_locale
from flask_babel import gettext as _

from app.errors import ValidationFailed
from app.library.sniff import SNIFF_BYTES, sniff_audio
from app.library.waveform import Peaks

logger = logging.getLogger(__name__)

WAVEFORM_POINTS = 800
#: Samples (of all channels together) decoded per read: the memory and the time of one read
#: are the same whatever the file says about its channels.
_DECODE_BLOCK_SAMPLES = 65536
_SLICES_PER_POINT = 4
_COPY_CHUNK = 1024 * 1024

#: mutagen's tag keys per format -> our names
_TAG_KEYS = {
    "title": ("TIT2", "title", "©nam", "TITLE"),
    "artist": ("TPE1", "artist", "©ART", "ARTIST"),
    "album": ("TALB", "album", "©alb", "ALBUM"),
    "date": ("TDRC", "date", "©day", "DATE", "year"),
    "track": ("TRCK", "tracknumber", "trkn", "TRACKNUMBER"),
    "genre": ("TCON", "genre", "©gen", "GENRE"),
}


class AudioProblem(Exception):
    """The file cannot be used; ``reason`` says why, for a person to read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class AudioFacts:
    format: str
    content_type: str
    duration: float
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    tags: dict[str, str] = field(default_factory=dict)
    waveform: list[float] = field(default_factory=list)


@contextmanager
def _local_copy(stream: IO[bytes]) -> Iterator[tuple[IO[bytes], str]]:
    """A copy of ``stream`` in an anonymous temporary file (gone when closed), and the
    sha256 of its bytes, computed on the way."""
    stream.seek(0)
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as copy:
        while chunk := stream.read(_COPY_CHUNK):
            digest.update(chunk)
            copy.write(chunk)
        copy.flush()
        copy.seek(0)
        yield copy, digest.hexdigest()


def _tag_text(value: object) -> str:
    if hasattr(value, "text"):
        value = value.text
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, tuple):  # MP4 track numbers: (track, total)
        value = value[0]
    return str(value).strip()


def read_tags(audio: mutagen.FileType) -> dict[str, str]:
    tags = audio.tags or {}
    found: dict[str, str] = {}
    for name, keys in _TAG_KEYS.items():
        for key in keys:
            try:
                value = tags[key]
            except (KeyError, ValueError, TypeError):
                continue
            text = _tag_text(value)
            if text:
                found[name] = text[:200]
                break
    return found


def spell_seconds(seconds: float) -> str:
    """``seconds`` the way a person says it in the current language: 4 hours, 5 minutes,
    90 seconds (4 Stunden, 5 minutes...)."""
    locale = get_locale() or "en"
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            return format_unit(int(seconds // size), f"duration-{unit}", "long", locale=locale)
    return format_unit(seconds, "duration-second", "long", "#,##0.###", locale=locale)


def _clock(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}" if hours else f"{minute}:{second:02d}"


def _too_long(max_seconds: float) -> AudioProblem:
    return AudioProblem(
        _(
            "This file holds more than %(limit)s of audio, the longest a song may be.",
            limit=spell_seconds(max_seconds),
        )
    )


def _read_block(sound: soundfile.SoundFile, buffer: np.ndarray) -> tuple[np.ndarray, bool]:
    """The next frames (at most the buffer's), and whether the decoder stopped with an
    error. libsndfile reports an error after decoding part of a block and soundfile then
    drops that part: the buffer is filled with NaN first, so the decoded rows still show."""
    buffer.fill(np.nan)
    try:
        return sound.read(out=buffer), False
    except soundfile.LibsndfileError as error:
        logger.info("the decoder stopped: %s", error.error_string)
        decoded = ~np.isnan(buffer).any(axis=1)
        return buffer[: len(buffer) if decoded.all() else int(decoded.argmin())], True


def decode(
    audio_file: IO[bytes], max_seconds: float, points: int = WAVEFORM_POINTS
) -> tuple[float, list[float]] | None:
    """Decode the whole of a real file (one with a descriptor), a fixed number of samples
    at a time: the duration a decoder really finds and the peak level of about ``points``
    equal slices. None when no decoder here reads the format (AAC/MP4).

    Nothing the header says is trusted: decoding goes on until the decoder has nothing
    more, and stops with AudioProblem as soon as the audio runs past ``max_seconds``, so
    the work is bounded by what the file holds and by the limit. A file that ends before
    its header says (truncated, or a header that lies) is the audio it holds; one whose
    decoder stops before the end of the file is damaged."""
    descriptor = audio_file.fileno()
    size = os.fstat(descriptor).st_size
    os.lseek(descriptor, 0, os.SEEK_SET)  # libsndfile reads from the current offset
    try:
        sound = soundfile.SoundFile(descriptor, closefd=False)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        logger.info("no decoder for this file: %s", error)
        return None
    with sound:
        most_frames = int(max_seconds * sound.samplerate)
        buffer = np.empty(
            (max(1, _DECODE_BLOCK_SAMPLES // sound.channels), sound.channels), dtype="float32"
        )
        peaks = Peaks(points * _SLICES_PER_POINT)
        decoded = 0
        while True:
            block, stopped = _read_block(sound, buffer)
            if len(block):
                decoded += len(block)
                if decoded > most_frames:
                    raise _too_long(max_seconds)
                peaks.add(np.abs(block).max(axis=1))
            if stopped and os.lseek(descriptor, 0, os.SEEK_CUR) < size:
                raise AudioProblem(
                    _(
                        "This file is damaged: its audio cannot be read past %(time)s.",
                        time=_clock(decoded / sound.samplerate),
                    )
                )
            if stopped or not len(block):
                break
        return decoded / sound.samplerate, peaks.resampled(points)


def analyse(stream: IO[bytes], expected_sha256: str, max_seconds: float) -> AudioFacts:
    """Everything processing records about one file; AudioProblem when it is unusable or
    holds more than ``max_seconds`` of audio."""
    with _local_copy(stream) as (audio_file, sha256):
        if sha256 != expected_sha256:
            raise AudioProblem(
                _("The stored file is damaged: its checksum does not match the upload.")
            )
        return _facts(audio_file, max_seconds)


def _facts(stream: IO[bytes], max_seconds: float) -> AudioFacts:
    try:
        kind = sniff_audio(stream.read(SNIFF_BYTES))
    except ValidationFailed as error:
        raise AudioProblem(error.errors["file"]) from None
    stream.seek(0)
    try:
        audio = mutagen.File(stream)
    except mutagen.MutagenError as error:
        raise AudioProblem(
            _(
                "This %(format)s file cannot be read: %(error)s.",
                format=kind.format.upper(),
                error=error,
            )
        ) from None
    if audio is None:
        raise AudioProblem(
            _("This file is not a %(format)s file we can read.", format=kind.format.upper())
        )
    info = audio.info
    decoded = decode(stream, max_seconds)
    duration = decoded[0] if decoded else float(getattr(info, "length", 0.0) or 0.0)
    if duration <= 0:
        raise AudioProblem(_("This file holds no playable audio."))
    if duration > max_seconds:  # only the header's word, for a format nothing here decodes
        raise _too_long(max_seconds)
    return AudioFacts(
        format=kind.format,
        content_type=kind.content_type,
        duration=round(duration, 3),
        bitrate=int(info.bitrate) if getattr(info, "bitrate", None) else None,
        sample_rate=getattr(info, "sample_rate", None),
        channels=getattr(info, "channels", None),
        tags=read_tags(audio),
        waveform=decoded[1] if decoded else [],
    )
