"""The account's language and time zone, as chosen on the account page."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask_babel import gettext as _

from app.accounts.models import User
from app.errors import ValidationFailed
from app.i18n.selection import languages

#: The time zone of an account that has not chosen one.
DEFAULT_TIMEZONE = "UTC"


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone this machine knows, sorted (the account page's choices)."""
    return tuple(sorted(available_timezones()))


def update_locale_settings(user: User, *, language: str, timezone: str) -> User:
    """Store ``user``'s language (one of LANGUAGES) and time zone (an IANA name); nothing
    is stored unless both are valid. The model checks the zone too; the reason here is in
    the reader's language."""
    language = (language or "").strip()
    timezone = (timezone or "").strip()
    errors = {}
    if language not in languages():
        errors["language"] = _(
            "“%(code)s” is not a language this site offers; choose one of %(names)s.",
            code=language[:20] or "—",
            names=", ".join(languages()),
        )
    if timezone not in timezone_names():
        errors["timezone"] = _(
            "“%(zone)s” is not a time zone; choose one from the list, such as Europe/Berlin.",
            zone=timezone[:64] or "—",
        )
    if errors:
        raise ValidationFailed(errors)
    user.locale = language
    user.timezone = timezone
    user.save()
    return user
