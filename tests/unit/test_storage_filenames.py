"""File names kept from uploads, Content-Disposition (RFC 6266 / RFC 8187), media types."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from app.storage.filenames import ascii_fallback, content_disposition, safe_filename
from app.storage.media_types import clean_media_type


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("song.mp3", "song.mp3"),
        ("Ünïcødé \u2013 café.flac", "Ünïcødé \u2013 café.flac"),
        ("🎵 tune 🎶.mp3", "🎵 tune 🎶.mp3"),
        ("👨\u200d👩\u200d👧 family.ogg", "👨\u200d👩\u200d👧 family.ogg"),  # the joiners stay
        ("Cafe\u0301.mp3", "Café.mp3"),  # NFC: one "é", as typed on another system
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\me\\Music\\song.mp3", "song.mp3"),
        ("/absolute/path/song.mp3", "song.mp3"),
        ("so\x00ng.mp3", "song.mp3"),
        ("line\r\nbreak.mp3", "linebreak.mp3"),
        ("tab\tand\x7fdel\x85.mp3", "tabanddel.mp3"),
        ("song\u202e3pm.exe", "song3pm.exe"),  # would display as "songexe.mp3"
        ("  spaced  .mp3  ", "spaced  .mp3"),
        (".hidden.mp3", "hidden.mp3"),
        ("trailing dots...", "trailing dots"),
        ('say "hi".mp3', 'say "hi".mp3'),  # kept for display; escaped when sent
    ],
)
def test_safe_filename_keeps_the_name_without_the_danger(raw, kept):
    assert safe_filename(raw) == kept


@pytest.mark.parametrize("raw", ["", None, ".", "..", "../", "\x00\x01", "   ", "dir/", "\u202e"])
def test_nothing_left_becomes_upload(raw):
    assert safe_filename(raw) == "upload"


def test_a_300_character_name_is_cut_to_255_keeping_the_extension():
    name = safe_filename("a" * 300 + ".mp3")

    assert len(name) == 255
    assert name == "a" * 251 + ".mp3"


def test_a_long_non_ascii_name_is_cut_by_characters():
    name = safe_filename("🎵" * 300 + ".flac")

    assert len(name) == 255
    assert name.endswith("🎵.flac")


def test_an_absurd_extension_is_not_kept_when_cutting():
    name = safe_filename("a" * 250 + "." + "b" * 100)

    assert len(name) == 255
    assert name.startswith("a" * 250)


def test_safe_filename_is_idempotent():
    once = safe_filename("../x\x00/🎵 " + "y" * 300 + ".mp3")

    assert safe_filename(once) == once


def parts(header: str) -> tuple[str, str, str]:
    kind, fallback, extended = header.split("; ")
    assert fallback.startswith('filename="')
    assert fallback.endswith('"')
    assert extended.startswith("filename*=UTF-8''")
    return kind, fallback[len('filename="') : -1], extended[len("filename*=UTF-8''") :]


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("song.mp3", "song.mp3"),
        ('say "hi".mp3', "say _hi_.mp3"),
        ("back\\slash.mp3", "back_slash.mp3"),
        ("a/b.mp3", "a_b.mp3"),
        ("100% done.mp3", "100_ done.mp3"),  # "%" might be percent-decoded (RFC 6266 D)
        ("naïve café.mp3", "naive cafe.mp3"),
        ("Ünïcødé 🎵.mp3", "Unicde .mp3"),
        ("🎵🎶.mp3", "download.mp3"),
        ("日本語", "download"),
        ("nul\x00and\r\nnewline.mp3", "nulandnewline.mp3"),
    ],
)
@pytest.mark.parametrize("attachment", [True, False])
def test_content_disposition_has_a_safe_fallback_and_the_exact_name(name, fallback, attachment):
    header = content_disposition(name, attachment=attachment)

    kind, sent_fallback, extended = parts(header)
    assert kind == ("attachment" if attachment else "inline")
    assert sent_fallback == fallback
    assert sent_fallback.isascii()
    assert not set(sent_fallback) & set('"\\/\r\n\x00%')
    assert unquote(extended, encoding="utf-8", errors="strict") == name.replace("\x00", "").replace(
        "\r\n", ""
    )
    # Only RFC 8187 attr-chars and percent escapes may appear unencoded.
    assert all(ch.isalnum() or ch in "!#$&+-.^_`|~%" for ch in extended)


def test_content_disposition_of_a_sanitised_300_character_name():
    name = safe_filename("🎵" + "x" * 300 + ".mp3")

    _, fallback, extended = parts(content_disposition(name, attachment=True))

    assert unquote(extended) == name
    assert fallback == "x" * 250 + ".mp3"  # the emoji has no ASCII form


def test_content_disposition_of_a_path_keeps_separators_out_of_the_fallback():
    _, fallback, extended = parts(content_disposition("../../etc/passwd", attachment=True))

    assert "/" not in fallback
    assert "/" not in extended  # percent-encoded as %2F
    assert fallback == "_.._etc_passwd"
    assert unquote(extended) == "../../etc/passwd"  # the whole name, for clients that decode it


@pytest.mark.parametrize("name", ["", ".", "..", "\x00"])
def test_content_disposition_of_an_empty_name_says_download(name):
    _, fallback, extended = parts(content_disposition(name, attachment=True))

    assert (fallback, extended) == ("download", "download")


def test_ascii_fallback_keeps_an_ascii_name_as_is():
    assert ascii_fallback("Track 01 - Intro (live).mp3") == "Track 01 - Intro (live).mp3"


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("audio/mpeg", "audio/mpeg"),
        ("Audio/MPEG", "audio/mpeg"),
        ("audio/ogg; codecs=opus", "audio/ogg"),
        ("audio/x-flac", "audio/x-flac"),
        ("application/vnd.example+json", "application/vnd.example+json"),
        (None, "application/octet-stream"),
        ("", "application/octet-stream"),
        ("audio", "application/octet-stream"),
        ("audio/mpeg\r\nX-Evil: 1", "application/octet-stream"),
        ("text/html<script>", "application/octet-stream"),
        ("a/" + "b" * 300, "application/octet-stream"),
    ],
)
def test_clean_media_type(declared, kept):
    assert clean_media_type(declared) == kept
