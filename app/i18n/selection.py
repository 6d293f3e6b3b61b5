"""Which language and time zone a request is served in, and the language switcher's rule.

The language, first match wins: for the API (``/api/``), an ``Accept-Language`` header
naming one of LANGUAGES; the signed-in user's stored choice; the language cookie the
switcher sets; the browser's ``Accept-Language``; English (the first of LANGUAGES).
The time zone: the signed-in user's stored one, else UTC.
"""

from __future__ import annotations

from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import get_locale, gettext
from flask_login import current_user

from app.errors import EncoreError


class UnknownLanguage(EncoreError):
    """A language that is not one of LANGUAGES was asked for."""

    title = "Unknown language"


def languages() -> list[str]:
    return current_app.config["LANGUAGES"]


def _user_setting(name: str) -> str | None:
    user = current_user._get_current_object() if current_user else None
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, name, None)


def language_names() -> dict[str, str]:
    """Each language by its own name (Deutsch, English, Français), for the switcher."""
    names = {}
    for code in languages():
        name = Locale.parse(code).get_display_name(code)
        names[code] = name[:1].upper() + name[1:]
    return names


def select_locale() -> str | None:
    """Flask-Babel's locale selector: the language of this request (module docstring)."""
    if not has_request_context():
        return None  # a worker renders in the locale it is told (force_locale)
    offered = languages()
    browser = _browser_language(offered)
    if request.path.startswith("/api/") and browser:
        return browser
    for choice in (
        _user_setting("locale"),
        request.cookies.get(current_app.config["LANGUAGE_COOKIE"]),
    ):
        if choice in offered:
            return choice
    return browser or offered[0]


def _browser_language(offered: list[str]) -> str | None:
    """The first language of Accept-Language, by quality, that is offered; a regional
    variant counts as its language (fr-CH is fr)."""
    for value, quality in request.accept_languages:
        primary = value.lower().replace("_", "-").split("-")[0]
        if quality > 0 and primary in offered:
            return primary
    return None


def header_language() -> str:
    """The language of Accept-Language alone, else the first of LANGUAGES: for an answer
    given before the caller is looked at (a body refused unread)."""
    offered = languages()
    return _browser_language(offered) or offered[0]


def select_timezone() -> str | None:
    """Flask-Babel's time zone selector: the user's stored zone, else the default (UTC)."""
    if not has_request_context():
        return None
    return _user_setting("timezone") or None


def current_language() -> str:
    """The language code pages are rendered in now (en, de, fr)."""
    locale = get_locale()
    return locale.language if locale else languages()[0]


def request_language() -> str | None:
    """The language of the request being served, to hand to a task; None outside one."""
    return current_language() if has_request_context() else None


def language_for(user, hint: str | None = None) -> str:
    """The language to write to ``user`` in, away from their request (a task, a mail):
    their stored choice, else ``hint`` (the language of the request that caused it), else
    the first of LANGUAGES."""
    offered = languages()
    stored = getattr(user, "locale", None)
    if stored in offered:
        return stored
    return hint if hint in offered else offered[0]


def checked_language(code: str) -> str:
    """``code`` if it is one of LANGUAGES; UnknownLanguage (400) otherwise."""
    offered = languages()
    if code not in offered:
        shown = code[:20] or "—"
        raise UnknownLanguage(
            gettext(
                "“%(code)s” is not a language this site offers; choose one of %(names)s.",
                code=shown,
                names=", ".join(offered),
            )
        )
    return code


def remember_language(user, code: str) -> None:
    """Store ``code`` (already checked) as a signed-in user's language."""
    if user is not None and user.is_authenticated and user.locale != code:
        user.update(set__locale=code)
        user.locale = code
