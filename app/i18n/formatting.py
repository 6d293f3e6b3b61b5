"""Dates, numbers, durations and file sizes written the way the request's locale writes
them (Babel's CLDR data), as template filters. Dates are shown in the user's time zone,
or in UTC labelled as such."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.units import format_unit
from flask_babel import format_datetime, format_decimal, format_timedelta, get_locale, get_timezone

#: Shown for a value that is not there (an en dash).
NOTHING = "\u2013"

_SIZE_UNITS = (
    (10**9, "digital-gigabyte"),
    (10**6, "digital-megabyte"),
    (10**3, "digital-kilobyte"),
)


def local_datetime(value: datetime | None, format: str = "medium") -> str:
    """``value`` in the user's time zone; " UTC" added when none is chosen."""
    if value is None:
        return NOTHING
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = format_datetime(value, format)
    return f"{text} UTC" if str(get_timezone()) == "UTC" else text


def number(value: float | int) -> str:
    """1234.5 -> "1,234.5" (en), "1.234,5" (de), "1 234,5" (fr)."""
    return format_decimal(value)


def file_size(size: int | float | None) -> str:
    """Bytes in decimal units, one decimal: "3.5 MB" (en), "3,5 MB" (de), "3,5 Mo" (fr)."""
    size = size or 0
    for factor, unit in _SIZE_UNITS:
        if size >= factor:
            return format_unit(round(size / factor, 1), unit, "short", "#,##0.#", get_locale())
    return format_unit(size, "digital-byte", "short", "#,##0", get_locale())


def duration(seconds: float | timedelta | None) -> str:
    """A length of time in words: "5 minutes", "5 Minuten", "5 minutes"."""
    if seconds is None:
        return NOTHING
    delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
    return format_timedelta(delta, threshold=1.5)


def ago(value: datetime | None) -> str:
    """How long before now ``value`` was: "5 minutes ago", "vor 5 Minuten", "il y a 5 minutes"."""
    if value is None:
        return NOTHING
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_timedelta(value - datetime.now(UTC), add_direction=True, threshold=1.5)


FILTERS = {
    "local_datetime": local_datetime,
    "number": number,
    "file_size": file_size,
    "duration_words": duration,
    "ago": ago,
}
