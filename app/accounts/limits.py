"""Rate limits, counted in Redis per client address (or per member) by each app's own
Limiter.

Our views declare their limit with ``@rate_limit(SETTING)`` right under the route.
Flask-Security's views are not ours to decorate: their limits go on its ``security``
blueprint with :func:`limit_posts`, where app/accounts sets the blueprint up. Past a limit
the answer is 429 with the limit and when to try again, in the problem detail and in
``Retry-After``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from flask_security import current_user

from app.errors import RateLimited, error_response


def init_rate_limits(app: Flask) -> Limiter:
    """One Limiter per app: Flask-Limiter keeps its storage, key prefix and limits on the
    Limiter itself, so a shared one would count every app under the first app's settings."""
    limiter = Limiter(get_remote_address, app=app, on_breach=too_many_requests)
    app.extensions["rate_limits"] = LimitedViews(limiter)
    return limiter


def too_many_requests(limit: RequestLimit) -> Response:
    """The 429 answer: which limit was reached and in how many seconds to try again."""
    retry_after = max(1, int(limit.reset_at - time.time()))
    return error_response(RateLimited(str(limit.limit), retry_after))


def member_or_address() -> str:
    """Who a per-member limit counts: the logged-in member, else the client address."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return get_remote_address()


def configured(setting: str) -> Callable[[], str]:
    """The limit in ``config[setting]`` (e.g. "10 per minute"), read at each request."""
    return lambda: current_app.config[setting]


def rate_limit(
    setting: str,
    *,
    scope: str | None = None,
    shared: bool = False,
    per_member: bool = False,
) -> Callable[[Callable], Callable]:
    """Limit the view to ``config[setting]`` requests per client address (per logged-in
    member with ``per_member``); beyond that the answer is 429 with ``Retry-After``.
    ``shared`` counts every view with the same ``scope`` together. Put it right under the
    route decorator, so a request is counted before anything else runs; several stacked
    ones are checked together, once."""
    limit = configured(setting)
    if shared and not scope:
        raise ValueError("a shared limit needs a scope")
    rule = LimitRule(limit, scope, shared, member_or_address if per_member else None)

    def decorate(view: Callable) -> Callable:
        # Right above another rate_limit: join its rules (Flask-Limiter checks the limits
        # of one view together; wrapping twice would count each request twice).
        stacked = getattr(view, "rate_limit_wrapper", None) is view
        inner = view.rate_limited_view if stacked else view
        rules = (*view.rate_limit_rules, rule) if stacked else (rule,)

        @functools.wraps(inner)
        def limited(*args: object, **kwargs: object) -> object:
            views: LimitedViews = current_app.extensions["rate_limits"]
            return views.limited(inner, rules)(*args, **kwargs)

        limited.rate_limit_wrapper = limited
        limited.rate_limited_view = inner
        limited.rate_limit_rules = rules
        return limited

    return decorate


def limit_posts(
    limiter: Limiter,
    blueprint: Blueprint,
    setting: str,
    endpoints: Collection[str],
    *,
    scope: str | None = None,
) -> None:
    """Limit POSTs to ``endpoints`` of ``blueprint`` to ``config[setting]`` per client
    address, checked before the view runs."""
    limiter.limit(
        configured(setting),
        methods=["POST"],
        scope=scope,
        exempt_when=lambda: request.endpoint not in endpoints,
    )(blueprint)


@dataclass(frozen=True)
class LimitRule:
    limit: Callable[[], str]
    scope: str | None
    shared: bool
    key: Callable[[], str] | None


class LimitedViews:
    """The rate-limited views of one app, each wrapped once by that app's Limiter."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter
        self._views: dict[Callable, Callable] = {}
        self._lock = threading.Lock()

    def limited(self, view: Callable, rules: tuple[LimitRule, ...]) -> Callable:
        # Wrapping registers the limits with the Limiter, so it happens once per view.
        with self._lock:
            if view not in self._views:
                wrapped = view
                for rule in rules:
                    wrapped = self._decorator(rule)(wrapped)
                self._views[view] = wrapped
            return self._views[view]

    def _decorator(self, rule: LimitRule) -> Callable[[Callable], Callable]:
        if rule.shared:
            return self.limiter.shared_limit(rule.limit, rule.scope, key_func=rule.key)
        return self.limiter.limit(rule.limit, scope=rule.scope, key_func=rule.key)
