"""Locking an identity out after repeated failed logins, counted in Redis.

Failures are counted per *identity*, the email or username typed, normalised, whether or
not an account has it: an unknown identity is locked exactly like a known one and gets
the same message, so a lockout tells nothing about who has an account. After
LOCKOUT_MAX_ATTEMPTS failures within LOCKOUT_WINDOW_SECONDS the identity is locked for
LOCKOUT_SECONDS; while locked, even the right password is refused. An admin's *Unlock*,
a completed password reset and ``flask users reset-password`` lift it early.

The password login form and the API's token endpoint call :func:`is_locked` before
checking a password and :func:`record_failure` when it is wrong. The second-factor checks
(app/accounts/second_factor_lockout.py) count against the whole account:
:func:`user_seconds_locked` before a code is checked, :func:`record_user_failure` when it
is wrong and :func:`clear_user` when it is right. Redis is the one the app already uses
(REDIS_URL), so every web process shares the counts; if it cannot be reached, logins go
on without lockout (and it is logged), like the rate limits.
"""

from __future__ import annotations

import hashlib
import logging

import redis
from flask import current_app
from flask_babel import gettext

from app.accounts.datastore import normalise_identity
from app.accounts.models import User
from app.config import N_

logger = logging.getLogger(__name__)

#: What a locked identity is told, whether or not it has an account (in English;
#: :func:`locked_message` in the reader's language).
LOCKED_MESSAGE = N_(
    "Too many failed attempts: logging in with this email or username is locked for a "
    "while. Try again later, or reset your password."
)
REDIS_TIMEOUT_SECONDS = 2.0


def locked_message() -> str:
    """LOCKED_MESSAGE in the language of the request."""
    return gettext(LOCKED_MESSAGE)


def _redis() -> redis.Redis:
    extensions = current_app.extensions
    if "lockout_redis" not in extensions:
        extensions["lockout_redis"] = redis.Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    return extensions["lockout_redis"]


def _keys(identity: str) -> tuple[str, str]:
    """The Redis keys of an identity's failure count and of its lock. The identity is
    hashed: the keys name no one."""
    digest = hashlib.sha256((normalise_identity(identity) or "").encode()).hexdigest()
    prefix = f"{current_app.config['RATELIMIT_KEY_PREFIX']}:lockout"
    return f"{prefix}:failures:{digest}", f"{prefix}:locked:{digest}"


def _milliseconds(setting: str) -> int:
    return max(1, int(current_app.config[setting] * 1000))


def record_failure(identity: str) -> bool:
    """Count a failed login for ``identity``; True if that locked it."""
    failures = _keys(identity)[0]
    try:
        # One transaction: the window starts with the first failure, and a count never
        # outlives its window.
        pipe = _redis().pipeline()
        pipe.set(failures, 0, px=_milliseconds("LOCKOUT_WINDOW_SECONDS"), nx=True)
        pipe.incr(failures)
        count = pipe.execute()[1]
        if count < current_app.config["LOCKOUT_MAX_ATTEMPTS"]:
            return False
        _lock(identity)
        return True
    except redis.RedisError as error:
        logger.warning("failed login not counted: Redis unreachable (%s)", error)
        return False


def _lock(identity: str) -> None:
    """Lock ``identity`` for LOCKOUT_SECONDS from now and forget its failures."""
    failures, locked = _keys(identity)
    pipe = _redis().pipeline()
    pipe.set(locked, 1, px=_milliseconds("LOCKOUT_SECONDS"))
    pipe.delete(failures)
    pipe.execute()


def record_user_failure(user: User) -> bool:
    """Count a failed second factor of ``user`` under both identities, email and
    username; True if that locked the account. A second factor is asked for after the
    password, whichever identity was typed, so once either count locks, both identities
    are locked: logging in with the other one is refused too."""
    identities = (user.email, user.username)
    locked = [record_failure(identity) for identity in identities]
    if not any(locked):
        return False
    try:
        for identity, was_locked in zip(identities, locked, strict=True):
            if not was_locked:
                _lock(identity)
    except redis.RedisError as error:
        logger.warning("account not locked by both identities: Redis unreachable (%s)", error)
    return True


def seconds_locked(identity: str) -> int:
    """How many more seconds ``identity`` stays locked; 0 when it is not."""
    try:
        left = _redis().pttl(_keys(identity)[1])
    except redis.RedisError as error:
        logger.warning("lockout not checked: Redis unreachable (%s)", error)
        return 0
    return max(1, -(-left // 1000)) if left > 0 else 0


def is_locked(identity: str) -> bool:
    """Whether logging in as ``identity`` is refused for now."""
    return seconds_locked(identity) > 0


def clear(identity: str) -> None:
    """Unlock ``identity`` and forget its failures."""
    try:
        _redis().delete(*_keys(identity))
    except redis.RedisError as error:
        logger.warning("lockout not cleared: Redis unreachable (%s)", error)


def user_seconds_locked(user: User) -> int:
    """How many more seconds ``user`` stays locked out by their email or by their
    username; 0 when neither is locked."""
    return max(seconds_locked(user.email), seconds_locked(user.username))


def user_is_locked(user: User) -> bool:
    """Whether ``user`` is locked out by their email or by their username."""
    return user_seconds_locked(user) > 0


def clear_user(user: User) -> None:
    """Unlock both identities of ``user``: email and username."""
    clear(user.email)
    clear(user.username)
