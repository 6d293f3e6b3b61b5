"""Which pages may open a socket: the ``Origin`` check of the Socket.IO handshake.

A browser names the page that opens a WebSocket in ``Origin`` and sends the site's
cookies whatever that page is, so the handshake itself must refuse foreign pages
(cross-site WebSocket hijacking). python-engineio checks ``Origin`` against
``cors_allowed_origins``, except that an empty list turns the check off; a function is
asked instead, and that is what :func:`origin_checker` gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str] | None:
    """``(scheme, host[:port])`` of an origin or URL, lower-case and without the scheme's
    default port; None unless it is http(s) with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.netloc.rpartition("@")[2].lower()
    if port is not None and port == DEFAULT_PORTS[parts.scheme]:
        host = host.rpartition(":")[0]
    return parts.scheme, host


def origin_allowed(origin: str, request_host: str, config: Mapping[str, Any]) -> bool:
    """Whether a page at ``origin`` may open a socket on a request addressed to
    ``request_host`` (its ``Host`` header): the site's own origin (EXTERNAL_URL, which
    ``PREFERRED_URL_SCHEME`` and ``SERVER_NAME`` spell), or the very host the request
    names, when that is one of TRUSTED_HOSTS."""
    parsed = origin_of(origin)
    if parsed is None:
        return False
    scheme, host = parsed
    if (scheme, host) == (config["PREFERRED_URL_SCHEME"], config["SERVER_NAME"]):
        return True
    addressed = origin_of(f"{scheme}://{request_host}")
    return (
        addressed is not None
        and addressed[1] == host
        and host_is_trusted(urlsplit(origin).hostname, config["TRUSTED_HOSTS"])
    )


def origin_checker(config: Mapping[str, Any]) -> Callable[[str, dict], bool]:
    """``cors_allowed_origins`` for python-engineio: asked with the ``Origin`` of each
    handshake that has one (clients that are not browsers may send none)."""

    def check(origin: str, environ: dict) -> bool:
        return origin_allowed(origin, environ.get("HTTP_HOST", ""), config)

    return check
