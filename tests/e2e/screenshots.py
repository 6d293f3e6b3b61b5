"""The screenshots in the docs and README, taken by ``make screenshots`` (not part of the
test suite: the file name keeps pytest from collecting it unless named). Each main page
at desktop (1280x800, light) and phone (390x844, dark) size, with a small library."""

from __future__ import annotations

import pytest

from app.config import PROJECT_ROOT
from tests.factories import AlbumFactory, NotificationFactory, SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]

FOLDER = PROJECT_ROOT / "docs" / "_static" / "screenshots"
SIZES = {
    "desktop": ({"width": 1280, "height": 800}, "light"),
    "phone": ({"width": 390, "height": 844}, "dark"),
}


def library(member) -> str:
    """A few songs in two albums, one being processed; the URL of one song's page."""
    blue = AlbumFactory(owner=member, title="Kind of Blue", artist="Miles Davis", year=1959)
    AlbumFactory(owner=member, title="A Love Supreme", artist="John Coltrane", year=1965)
    titles = ["So What", "Freddie Freeloader", "Blue in Green", "All Blues", "Flamenco Sketches"]
    songs = [
        SongFactory(
            owner=member,
            title=title,
            album=blue,
            status="ready",
            rating=5 - number % 3,
            duration=300 + 37 * number,
            original_filename=f"{number + 1:02d} {title}.mp3",
            waveform=[abs(((n * 7 + number) % 23) - 11) / 11 for n in range(800)],
        )
        for number, title in enumerate(titles)
    ]
    SongFactory(owner=member, title="Acknowledgement", status="processing")
    NotificationFactory(user=member, text="“Blue in Green” is ready.", link=f"/songs/{songs[2].id}")
    return f"/songs/{songs[2].id}"


@pytest.mark.parametrize("size", SIZES)
def test_take_screenshots(browser, live_server, size):
    viewport, scheme = SIZES[size]
    FOLDER.mkdir(parents=True, exist_ok=True)
    member = UserFactory(username="nina", first_name="Nina", admin=True)
    song = library(member)
    context = browser.new_context(base_url=live_server.url, viewport=viewport, color_scheme=scheme)
    page = context.new_page()

    def shoot(name: str, url: str | None = None) -> None:
        if url:
            page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=FOLDER / f"{name}-{size}.jpg", type="jpeg", quality=80)

    shoot("welcome", "/")
    shoot("login", "/login")
    log_in_browser(page, "nina")
    shoot("home", "/")
    shoot("songs", "/songs")
    shoot("song", song)
    page.goto("/songs/upload")
    page.set_input_files(
        "#files", [str(audio_file("tone-440hz-5s.mp3")), str(audio_file("tone-523hz-5s.ogg"))]
    )
    shoot("upload")
    shoot("admin", "/admin/")
    context.close()
