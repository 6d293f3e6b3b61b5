"""Which pages may open a socket (app/realtime/origins.py), with the settings the app
derives from EXTERNAL_URL and TRUSTED_HOSTS."""

from __future__ import annotations

import pytest

from app.config import load_config
from app.realtime.origins import origin_allowed, origin_of

SITE = load_config(
    {
        "ENCORE_ENV": "testing",
        "EXTERNAL_URL": "https://music.example.org",
        "TRUSTED_HOSTS": ["localhost", ".example.net"],
    },
    environ={},
)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Music.Example.org", ("https", "music.example.org")),
        ("https://music.example.org:443", ("https", "music.example.org")),
        ("http://music.example.org:443", ("http", "music.example.org:443")),
        ("http://[::1]:5000", ("http", "[::1]:5000")),
        ("null", None),
        ("file://", None),
        ("https://host:port", None),
        ("ws://music.example.org", None),
    ],
)
def test_an_origin_is_read_as_scheme_and_host(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("https://music.example.org", "music.example.org"),
        ("https://music.example.org:443", "10.0.0.7:5000"),  # addressed by the proxy
        ("http://localhost:5000", "localhost:5000"),
        ("https://radio.example.net", "radio.example.net"),
        ("https://radio.example.net", "radio.example.net:443"),
    ],
)
def test_the_site_s_own_pages_may(origin, host):
    assert origin_allowed(origin, host, SITE)


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("https://evil.example", "music.example.org"),
        ("https://evil.example", "evil.example"),  # a forged Host does not help
        ("http://music.example.org", "10.0.0.7:5000"),  # not EXTERNAL_URL's scheme
        ("https://music.example.org:8443", "10.0.0.7:5000"),  # nor its port
        ("http://localhost:3000", "localhost:5000"),  # another server on this machine
        ("https://radio.example.net", "tv.example.net"),
        ("null", "music.example.org"),  # a sandboxed frame or a file
    ],
)
def test_other_pages_may_not(origin, host):
    assert not origin_allowed(origin, host, SITE)
