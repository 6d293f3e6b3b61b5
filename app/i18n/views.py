"""POST /language: the language switcher in the navbar."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user
from flask_security.utils import validate_redirect_url

from app.extensions import csrf
from app.i18n.selection import checked_language, remember_language

blueprint = Blueprint("i18n", __name__)

#: How long the language cookie lasts: a year, renewed by each switch.
COOKIE_MAX_AGE = 365 * 24 * 3600


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the start page. Browsers read a
    backslash as a slash, so ``/\\host`` would leave the site like ``//host``."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and validate_redirect_url(target)
    ):
        return target
    return url_for("main.index")


@blueprint.post("/language")
def switch_language():
    """Set the language cookie (and a signed-in user's language), then go back."""
    csrf.protect()
    code = checked_language(request.form.get("language", "").strip())
    remember_language(current_user._get_current_object(), code)
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        code,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
