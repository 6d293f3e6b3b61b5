"""Translations: Flask-Babel with the languages in LANGUAGES, the locale and time zone each
request is served in (:mod:`app.i18n.selection`), locale-aware formatting filters
(:mod:`app.i18n.formatting`), the strings the browser scripts show (:mod:`app.i18n.catalog`)
and the language switcher (:mod:`app.i18n.views`). See docs/translations.rst."""

from __future__ import annotations

from flask import Flask

from app.extensions import babel
from app.i18n.catalog import script_catalog
from app.i18n.formatting import FILTERS
from app.i18n.selection import (
    current_language,
    language_names,
    select_locale,
    select_timezone,
)


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel (domain "messages", app/translations) and give every template the
    formatting filters, the languages and the chosen one."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(FILTERS)
    app.context_processor(
        lambda: {
            "language_names": language_names(),
            "current_language": current_language(),
            "script_catalog": script_catalog,
        }
    )
