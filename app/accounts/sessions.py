"""Where an account is signed in: a record of each browser session and each API token.

A session is recorded at every sign-in (Flask-Security's ``user_authenticated``: password,
passkey, single sign-on, two-factor completion) under the login id the Flask session keeps
(:mod:`app.realtime.sessions`); a remember-me cookie that brings a login back into a new
browser session records that one. An API token is recorded when it is issued, and names
its record (:meth:`app.accounts.models.User.auth_token_for`): it is accepted only while
that record is not ended, so each token can be revoked on its own. Records
(:class:`~app.accounts.models.LoginRecord`) have an ``expires_at`` field and are looked
up by user (a member has few), by id or by login id, all indexed; expired ones are not
shown and Celery beat removes them (:func:`remove_expired`).

Signing one session out marks its record ended: the next request that session makes finds
that out (:func:`check_current_session`) and is signed out. The ended record is kept as
long as a remember-me cookie could bring that browser back, unless the browser comes back
sooner and is signed out, which removes it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bson import ObjectId
from bson.errors import InvalidId
from flask import current_app, flash, request
from flask_babel import gettext as _
from flask_security import current_user, logout_user
from mongoengine import NotUniqueError

from app.accounts.models import SESSION, TOKEN, LoginRecord, User, utcnow
from app.errors import NotFound
from app.realtime.sessions import current_session_id
from app.signals import session_signed_out

#: Sessions listed on the account page, newest first; tokens likewise.
LISTED = 20
#: How often a session's "last seen" is written: most requests write nothing.
SEEN_EVERY = timedelta(minutes=5)
#: How long an ended session's record stays: longer than a remember-me cookie lasts.
ENDED_KEPT = timedelta(days=400)


_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
    ("curl", r"^curl/"),
    ("Python", r"python-requests|python-httpx|aiohttp|^Python"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux|X11"),
)


def client_parts(user_agent: str) -> tuple[str, str]:
    """The browser (or the first word of an unknown program) and the system a User-Agent
    header names; each empty when it names none."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    if not browser and not system:
        browser = user_agent.split("/", 1)[0].split(" ", 1)[0].strip()[:40]
    return browser, system


def describe_client(browser: str, system: str) -> str:
    """ "Chrome on Linux", "curl", or "Unknown client"."""
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown client")


def _session_lifetime() -> timedelta:
    return timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


def _where() -> dict:
    browser, system = client_parts(request.headers.get("User-Agent", ""))
    return {"ip": request.remote_addr, "browser": browser, "system": system}


def record_session(user: User) -> LoginRecord | None:
    """Record the current request's login as a session of ``user`` (once per login id)."""
    key = current_session_id()
    if not key:
        return None
    now = utcnow()
    record = LoginRecord.objects(key=key).first()
    if record is not None:
        return record
    record = LoginRecord(
        user=user.id,
        kind=SESSION,
        key=key,
        created_at=now,
        last_seen_at=now,
        expires_at=now + _session_lifetime(),
        **_where(),
    )
    try:
        record.save()
    except NotUniqueError:  # a concurrent request of the same login recorded it
        return LoginRecord.objects(key=key).first()
    return record


def issue_token(user: User) -> str:
    """A new API token for ``user``, valid for SECURITY_TOKEN_MAX_AGE unless revoked; it
    names the record kept of it, which the account page lists."""
    return user.auth_token_for(_record_token(user))


def _record_token(user: User) -> LoginRecord:
    now = utcnow()
    record = LoginRecord(
        user=user.id,
        kind=TOKEN,
        created_at=now,
        last_seen_at=now,
        expires_at=now + current_app.config["SECURITY_TOKEN_MAX_AGE"],
        **_where(),
    )
    record.save()
    return record


def active_records(user: User) -> tuple[list[LoginRecord], list[LoginRecord]]:
    """``user``'s active sessions and tokens, newest first, at most LISTED of each."""
    records = [record for record in LoginRecord.objects(user=user.id) if record.active]
    records.sort(key=lambda record: record.created_at, reverse=True)
    sessions = [record for record in records if record.kind == SESSION][:LISTED]
    tokens = [record for record in records if record.kind == TOKEN][:LISTED]
    return sessions, tokens


def _own_active(user: User, record_id: str, kind: str, missing: str) -> LoginRecord:
    """``user``'s active record ``record_id`` of this ``kind``; NotFound(``missing``)
    otherwise, whoever else it belongs to."""
    try:
        object_id = ObjectId(record_id)
    except (InvalidId, TypeError):
        raise NotFound(missing) from None
    record = LoginRecord.objects(id=object_id, user=user.id, kind=kind).first()
    if record is None or not record.active:
        raise NotFound(missing)
    return record


def revoke_token(user: User, record_id: str) -> LoginRecord:
    """Revoke one of ``user``'s API tokens: it is refused from its next request on.
    NotFound unless it is a valid token of ``user``; nothing changes then."""
    record = _own_active(user, record_id, TOKEN, _("There is no such API token."))
    record.update(set__ended_at=utcnow())
    return record


def sign_out_session(user: User, record_id: str) -> LoginRecord:
    """End one of ``user``'s sessions: its next request is signed out and its sockets
    close now (``session_signed_out``). NotFound unless it is an active session of
    ``user``; nothing changes then."""
    record = _own_active(user, record_id, SESSION, _("There is no such session."))
    now = utcnow()
    record.update(set__ended_at=now, set__expires_at=now + ENDED_KEPT)
    session_signed_out.send(current_app._get_current_object(), session_id=record.key)
    return record


def forget_all(user_id: str) -> int:
    """Remove every record of an account signed out everywhere (a new ``fs_uniquifier``
    already ended its sessions and tokens). Returns how many there were."""
    return LoginRecord.objects(user=ObjectId(user_id)).delete()


def forget_all_but_current(user: User) -> int:
    """Remove every record of ``user`` but the current request's session: a new password
    ended the others (a new ``fs_uniquifier``), and this one signed in again."""
    return LoginRecord.objects(user=user.id, key__ne=current_session_id()).delete()


def forget_current() -> None:
    """Remove the record of the login the current request ends (a logout)."""
    key = current_session_id()
    if key:
        LoginRecord.objects(key=key).delete()


def check_current_session() -> None:
    """Before each request of a signed-in browser session: sign it out if it was signed
    out from elsewhere, otherwise note that it was seen (at most every SEEN_EVERY)."""
    key = current_session_id()
    if not key or request.endpoint == "static" or not current_user.is_authenticated:
        return
    record = LoginRecord.objects(key=key).first()
    if record is None:
        # Signed in before sessions were recorded, or idle past its lifetime while a
        # remember-me cookie kept it: it is recorded from now on.
        record_session(current_user._get_current_object())
        return
    if record.ended_at is not None:
        logout_user()
        flash(_("This session was signed out from another one. Please sign in again."), "info")
        return
    now = utcnow()
    if now - record.last_seen_at >= SEEN_EVERY:
        record.update(
            set__last_seen_at=now,
            set__expires_at=now + _session_lifetime(),
            set__ip=request.remote_addr,
        )


def remove_expired() -> int:
    """Remove the records whose time is up. Returns how many."""
    return LoginRecord.objects(expires_at__lt=utcnow()).delete()
