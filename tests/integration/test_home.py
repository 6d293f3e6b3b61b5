"""The home page: what Encore is for a visitor; for a member, the latest songs, albums
and uploads in progress, or a first-run invitation to upload."""

from __future__ import annotations

import re

from tests.factories import AlbumFactory, SongFactory, UserFactory
from tests.helpers import csrf_token
from tests.logins import log_in_client


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def song_titles(html: str) -> list[str]:
    return re.findall(r'<a href="/songs/[0-9a-f]{24}"[^>]*>([^<]+)</a>', html)


def test_a_visitor_learns_what_encore_is_and_can_register_or_log_in(app, client):
    page = client.get("/").text

    assert "<h1" in page
    assert "Your songs, everywhere" in page
    assert re.search(r'<a class="btn btn-primary btn-lg" href="/register">Register</a>', page)
    assert re.search(r'<a class="btn btn-outline-primary btn-lg" href="/login">Log in</a>', page)


def test_a_member_is_welcomed_on_the_first_sign_in_and_welcomed_back_after(app, client):
    UserFactory(first_name="Nina", email="nina@example.org")

    first = log_in_client(client, "nina@example.org").text
    assert "<h1>Welcome, Nina</h1>" in first
    assert "<h1>Welcome, Nina</h1>" in client.get("/").text  # the same visit
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})

    again = log_in_client(client, "nina@example.org").text
    assert "<h1>Welcome back, Nina</h1>" in again


def test_a_new_member_is_invited_to_upload(app, client):
    log_in_client(client, UserFactory(first_name="Nina"))

    page = client.get("/").text

    assert 'href="/songs/upload">Upload your first songs</a>' in section(page, "first-run")
    assert 'data-testid="recent-songs"' not in page
    assert 'data-testid="in-progress"' not in page


def test_a_member_sees_latest_songs_albums_and_what_is_processing(app, client):
    member = UserFactory()
    album = AlbumFactory(owner=member, title="Kind of Blue")
    for number in range(7):
        SongFactory(owner=member, title=f"Song {number}", status="ready", album=album)
    SongFactory(owner=member, title="Still working", status="processing")
    SongFactory(owner=UserFactory(), title="Not mine", status="processing")
    log_in_client(client, member)

    page = client.get("/").text

    recent = section(page, "recent-songs")
    assert song_titles(recent) == ["Still working", "Song 6", "Song 5", "Song 4", "Song 3"]
    assert 'href="/songs">All 8 songs</a>' in recent
    assert song_titles(section(page, "in-progress")) == ["Still working"]
    assert "Kind of Blue" in section(page, "albums")
    assert "Not mine" not in page
    assert 'data-testid="first-run"' not in page


def test_nothing_processing_shows_no_processing_section(app, client):
    member = UserFactory()
    SongFactory(owner=member, status="ready")
    log_in_client(client, member)

    page = client.get("/").text

    assert 'data-testid="in-progress"' not in page
    assert song_titles(section(page, "recent-songs")) == ["Song"]
