"""What processing learns from an audio file: format, tags, duration, quality, waveform.

Pure functions over a seekable binary file, so they are tested on the fixtures directly
and used by the worker on GridFS files.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import IO

import mutagen
import numpy as np
import soundfile

from app.errors import ValidationFailed
from app.library.sniff import SNIFF_BYTES, sniff_audio

logger = logging.getLogger(__name__)

WAVEFORM_POINTS = 800
_DECODE_BLOCK_FRAMES = 65536
_SLICES_PER_POINT = 4
_HASH_CHUNK = 1024 * 1024

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


def sha256_of(stream: IO[bytes]) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(_HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


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


def decode(stream: IO[bytes], points: int = WAVEFORM_POINTS) -> tuple[float, list[float]] | None:
    """Decode the whole file block by block: the duration a decoder really finds (a
    truncated file is shorter than its header claims) and the peak level of about
    ``points`` equal slices. None when no decoder here reads the format (AAC/MP4)."""
    stream.seek(0)
    try:
        with soundfile.SoundFile(stream) as sound:
            rate = sound.samplerate
            # The header's frame count is only an estimate (an MP3 without a Xing frame
            # overstates it): slices four times finer still give ``points`` after resampling.
            estimate = sound.frames if sound.frames > 0 else 0
            slice_frames = max(1, estimate // (points * _SLICES_PER_POINT)) if estimate else 1024
            peaks: list[float] = []
            carry = np.empty(0, dtype="float32")
            decoded = 0
            while True:
                # read() until it returns nothing: blocks() trusts the header's length.
                block = sound.read(_DECODE_BLOCK_FRAMES, dtype="float32", always_2d=True)
                if not len(block):
                    break
                decoded += len(block)
                levels = np.concatenate([carry, np.abs(block).max(axis=1)])
                whole = len(levels) // slice_frames * slice_frames
                if whole:
                    peaks.extend(levels[:whole].reshape(-1, slice_frames).max(axis=1).tolist())
                carry = levels[whole:]
            if len(carry):
                peaks.append(float(carry.max()))
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        logger.info("no decoder for this file: %s", error)
        return None
    return decoded / rate, _resample(peaks, points)


def _resample(peaks: list[float], points: int) -> list[float]:
    if not peaks:
        return []
    parts = np.array_split(np.asarray(peaks, dtype="float32"), min(points, len(peaks)))
    return [round(min(float(part.max()), 1.0), 4) for part in parts if len(part)]


def analyse(stream: IO[bytes], expected_sha256: str) -> AudioFacts:
    """Everything processing records about one file; AudioProblem when it is unusable."""
    if sha256_of(stream) != expected_sha256:
        raise AudioProblem("The stored file is damaged: its checksum does not match the upload.")
    stream.seek(0)
    try:
        kind = sniff_audio(stream.read(SNIFF_BYTES))
    except ValidationFailed as error:
        raise AudioProblem(error.errors["file"]) from None
    stream.seek(0)
    try:
        audio = mutagen.File(stream)
    except mutagen.MutagenError as error:
        raise AudioProblem(f"This {kind.format.upper()} file cannot be read: {error}.") from None
    if audio is None:
        raise AudioProblem(f"This file is not a {kind.format.upper()} file we can read.")
    info = audio.info
    decoded = decode(stream)
    duration = decoded[0] if decoded else float(getattr(info, "length", 0.0) or 0.0)
    if duration <= 0:
        raise AudioProblem("This file holds no playable audio.")
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
