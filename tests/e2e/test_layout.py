"""The layout on a phone and in the dark: at 390x844 no main page scrolls sideways, for a
visitor, a member (playing a song, with upload rows) and an admin, and the navbar folds
into a menu; the theme follows the system until the visitor picks one, and
the choice is kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.factories import AlbumFactory, NotificationFactory, SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]

PHONE = {"width": 390, "height": 844}
LONG_NAME = "a-very-long-file-name-without-any-spaces-recorded-live-at-the-hall-2026.mp3"
SIGNED_OUT = ["/", "/login", "/register", "/reset", "/confirm", "/register/check-inbox"]
ADMIN = [
    "/admin/",
    "/admin/users",
    "/admin/roles",
    "/admin/songs",
    "/admin/albums",
    "/admin/audit",
]


@pytest.fixture
def phones(browser, live_server) -> Iterator:
    """New pages at phone size, each in its own browser profile (one per person)."""
    contexts = []

    def new_phone():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield new_phone
    for context in contexts:
        context.close()


@pytest.fixture
def phone(phones):
    return phones()


def sideways_scroll(page, url: str | None = None) -> int:
    """How many pixels ``url`` (or the page as it is) is wider than the viewport (0: it
    fits)."""
    if url is not None:
        page.goto(url)
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def member_pages(member) -> list[str]:
    album = AlbumFactory(owner=member, title="Live at the hall, the complete recordings")
    song = None
    for number in range(3):
        song = SongFactory(
            owner=member,
            title=f"Song with a rather long title number {number}",
            artist="An artist with a name long enough to wrap twice",
            original_filename=LONG_NAME,
            album=album,
            status="ready",
            rating=4,
            duration=245,
        )
    NotificationFactory(user=member, text=f"“{song.title}” is ready to play.")
    return [
        "/",
        "/songs",
        "/songs/upload",
        "/albums",
        f"/albums/{album.id}",
        f"/albums/{album.id}/edit",
        f"/songs/{song.id}",
        f"/songs/{song.id}/edit",
        "/notifications/",
        "/change",
        "/dev/outbox/",
    ]


def test_no_main_page_scrolls_sideways_on_a_phone(phones):
    """A visitor, a member and an admin each go through their pages on a phone."""
    member = UserFactory(username="nina", email="nina.with.a.long.address@example.org")
    UserFactory(username="boss", admin=True, email="boss.with.a.long.address@example.org")
    urls = member_pages(member)
    phone = phones()
    fits = {url: sideways_scroll(phone, url) for url in SIGNED_OUT}

    log_in_browser(phone, "nina")
    fits.update({f"member {url}": sideways_scroll(phone, url) for url in urls})
    phone.goto("/songs")
    phone.locator("button[data-play-for]").first.click()
    expect(phone.get_by_role("button", name="Next song")).to_be_visible()
    fits["player bar"] = sideways_scroll(phone)
    phone.goto("/songs/upload")
    phone.set_input_files("#files", [str(audio_file("tone-440hz-5s.mp3"))] * 2)
    expect(phone.locator("tr.upload-row")).to_have_count(2)
    fits["upload rows"] = sideways_scroll(phone)

    admin = phones()
    log_in_browser(admin, "boss")
    everyone = ["/", "/songs", urls[6], urls[4]]  # an admin's library has an Owner column
    fits.update({f"admin {url}": sideways_scroll(admin, url) for url in everyone + ADMIN})

    assert {url: extra for url, extra in fits.items() if extra} == {}


def test_the_navbar_folds_into_a_menu_with_the_user_menu_inside(phone):
    UserFactory(username="nina", first_name="Nina")
    log_in_browser(phone, "nina")
    songs = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Songs")

    expect(songs).to_be_hidden()
    phone.get_by_role("button", name="Menu").click()
    expect(songs).to_be_visible()
    phone.get_by_test_id("who").click()
    phone.get_by_role("button", name="Log out").click()
    expect(phone.get_by_role("link", name="Log in").first).to_be_attached()
    assert phone.evaluate("document.documentElement.scrollWidth") == PHONE["width"]


@pytest.mark.parametrize("system", ["light", "dark"])
def test_the_theme_follows_the_system_until_one_is_chosen_and_is_remembered(
    browser, live_server, system
):
    other = {"light": "dark", "dark": "light"}[system]
    context = browser.new_context(base_url=live_server.url, color_scheme=system)
    page = context.new_page()
    theme = "document.documentElement.dataset.bsTheme"
    try:
        page.goto("/")
        assert page.evaluate(theme) == system

        page.get_by_role("button", name="Colour theme").click()
        page.get_by_role("button", name=other.capitalize()).click()
        assert page.evaluate(theme) == other

        page.goto("/login")
        assert page.evaluate(theme) == other
        page.get_by_role("button", name="Colour theme").click()
        page.get_by_role("button", name="As the system").click()
        assert page.evaluate(theme) == system
    finally:
        context.close()
