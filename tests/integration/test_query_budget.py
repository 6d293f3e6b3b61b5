"""Each main page sends a fixed, small number of database commands, however large the
library: counted with a pymongo command listener at two library sizes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pymongo import monitoring

from app.library.albums import create_album
from app.notifications.services import add_notification
from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_client


class CommandCounter(monitoring.CommandListener):
    """Counts the commands sent while ``counting()`` is active (registered once)."""

    def __init__(self) -> None:
        self.commands: list[str] | None = None

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        # Commands on "admin" are the driver's housekeeping, not a page's work: an
        # earlier test's client closing sends endSessions whenever it is collected.
        if self.commands is not None and event.database_name != "admin":
            self.commands.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.commands = []
        try:
            yield self.commands
        finally:
            self.commands = None


COUNTER = CommandCounter()
monitoring.register(COUNTER)  # for clients made from now on: each test's app makes its own

#: Most database commands one page may send (session user and roles, the session's login
#: record, counters, the page, its albums, the album list, the unread count).
BUDGET = 9
#: The dashboard also runs the health checks and reads its figures.
DASHBOARD_BUDGET = 12


def library(app, owner, songs: int) -> dict[str, str]:
    """``songs`` songs, a third in one album, one title word matching a few; returns
    the URLs of the pages to measure."""
    with app.app_context():
        album = create_album(owner, title="Live at home")
        for number in range(songs):
            SongFactory(
                owner=owner,
                title="Rare bird" if number % 50 == 7 else f"Song {number}",
                album=album if number % 3 == 0 else None,
                status="ready",
            )
        for number in range(3):
            add_notification(str(owner.id), f"Note {number}")
    return {
        "home": "/",
        "library": "/songs",
        "album": f"/albums/{album.id}",
        "search": "/songs?q=rare",
        "status filter": "/songs?status=ready",
        "by rating": "/songs?sort=rating",
        "notifications": "/notifications/",
    }


def commands_per_page(client, urls: dict[str, str]) -> dict[str, int]:
    counted = {}
    deep = {
        "deep page": deep_page(client, urls["library"]),
        "deep page by rating": deep_page(client, urls["by rating"]),
    }
    for name, url in {**urls, **deep}.items():
        client.get(url)  # warm: indexes, engine check
        with COUNTER.counting() as commands:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counted[name] = len(commands)
    return counted


def deep_page(client, url: str, pages: int = 3) -> str:
    """The URL ``pages`` "Next page" links after ``url`` (a library of more than 75
    songs has them)."""
    for _ in range(pages):
        url = re.search(r'<a rel="next" href="([^"]+)"', client.get(url).text)[1]
        url = url.replace("&amp;", "&")
    return url


@pytest.mark.parametrize("admin", [False, True], ids=["member", "admin"])
def test_page_commands_do_not_grow_with_the_library(app, admin):
    small, large = UserFactory(admin=admin), UserFactory(admin=admin)
    counts = {}
    for owner, songs in ((small, 80), (large, 200)):
        client = app.test_client()
        log_in_client(client, owner)
        urls = library(app, owner, songs)
        if admin:
            for _ in range(songs // 3):  # more accounts with the larger library
                UserFactory()
            urls.update(
                {
                    "admin users": "/admin/users",
                    "admin songs": "/admin/songs",
                    "admin albums": "/admin/albums",
                    "admin dashboard": "/admin/",
                }
            )
        counts[songs] = commands_per_page(client, urls)

    assert counts[80] == counts[200]
    over = {
        name: count
        for name, count in counts[200].items()
        if count > (DASHBOARD_BUDGET if name == "admin dashboard" else BUDGET)
    }
    assert over == {}
