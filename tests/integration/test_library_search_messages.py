"""What the library says when it lists nothing: an empty library invites an upload; a
search or filter that matches nothing says so and offers to clear it."""

from __future__ import annotations

from tests.factories import SongFactory, UserFactory
from tests.logins import log_in_client


def test_a_search_that_matches_nothing_says_so_and_offers_to_clear_it(app, client):
    member = UserFactory()
    SongFactory(owner=member, title="So What")
    log_in_client(client, member)

    page = client.get("/songs?q=zebra").text

    assert "No songs match “zebra”." in page
    assert '<a href="/songs">Clear the search and filters</a>' in page
    assert "Upload some" not in page


def test_a_filter_that_matches_nothing_says_so(app, client):
    member = UserFactory()
    SongFactory(owner=member, title="So What", status="ready")
    log_in_client(client, member)

    page = client.get("/songs?status=failed").text

    assert "No songs match these filters." in page
    assert "Upload some" not in page


def test_an_empty_library_invites_an_upload(app, client):
    log_in_client(client, UserFactory())

    page = client.get("/songs").text

    assert 'id="no-songs"' in page
    assert "No songs match" not in page
