"""Rate limits, counted in Redis per client address by each app's own Limiter.

Our views declare their limit with ``@rate_limit(SETTING)`` right under the route.
Flask-Security's views are not ours to decorate: their limits go on its ``security``
blueprint with :func:`limit_posts`, where app/accounts sets the blueprint up.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_rate_limits(app: Flask) -> Limiter:
    """One Limiter per app: Flask-Limiter keeps its storage, key prefix and limits on the
    Limiter itself, so a shared one would count every app under the first app's settings."""
    limiter = Limiter(get_remote_address, app=app)
    app.extensions["rate_limits"] = LimitedViews(limiter)
    return limiter


def configured(setting: str) -> Callable[[], str]:
    """The limit in ``config[setting]`` (e.g. "10 per minute"), read at each request."""
    return lambda: current_app.config[setting]


def rate_limit(setting: str, *, scope: str | None = None) -> Callable[[Callable], Callable]:
    """Limit the view to ``config[setting]`` requests per client address; beyond that the
    answer is 429 with ``Retry-After``. Put it right under the route decorator, so a
    request is counted before anything else runs."""
    limit = configured(setting)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def limited(*args: object, **kwargs: object) -> object:
            views: LimitedViews = current_app.extensions["rate_limits"]
            return views.limited(view, limit, scope)(*args, **kwargs)

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


class LimitedViews:
    """The rate-limited views of one app, each wrapped once by that app's Limiter."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter
        self._views: dict[Callable, Callable] = {}
        self._lock = threading.Lock()

    def limited(self, view: Callable, limit: Callable[[], str], scope: str | None) -> Callable:
        # Wrapping registers the limit with the Limiter, so it happens once per view.
        with self._lock:
            if view not in self._views:
                self._views[view] = self.limiter.limit(limit, scope=scope)(view)
            return self._views[view]
