"""axe-core on every main page, in light and dark, signed out, as a member and as an
admin: no serious or critical finding."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import AlbumFactory, NotificationFactory, SongFactory, UserFactory
from tests.logins import log_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("app")]

SIGNED_OUT = [
    "/",
    "/login",
    "/register",
    "/reset",
    "/confirm",
    "/register/check-inbox",
    "/wan-signin",
]
ADMIN = ["/admin/", "/admin/users", "/admin/roles", "/admin/songs", "/admin/albums", "/admin/audit"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def member_pages(member) -> list[str]:
    album = AlbumFactory(owner=member, title="Kind of Blue", artist="Miles Davis")
    SongFactory(owner=member, title="So What", album=album, status="ready", rating=5, duration=545)
    song = SongFactory(owner=member, title="Blue in Green", status="ready", waveform=[0.4] * 100)
    SongFactory(owner=member, title="Still working", status="processing")
    NotificationFactory(user=member, text="“Blue in Green” is ready.", link=f"/songs/{song.id}")
    return [
        "/",
        "/songs",
        "/songs?q=zebra",
        "/songs/upload",
        "/albums",
        f"/albums/{album.id}",
        f"/albums/{album.id}/edit",
        f"/songs/{song.id}",
        f"/songs/{song.id}/edit",
        "/notifications/",
        "/change",
        "/account",
        "/change-email",
        "/change-username",
        "/account/delete",
        "/tf-setup",
        "/mf-recovery-codes",
        "/wan-register",
        "/dev/outbox/",
    ]


def findings(axe: Axe, page, urls: list[str]) -> dict[str, list[str]]:
    """Serious and critical axe findings per URL: rule id and the first offending node."""
    per_url = {}
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        blocking = blocking_findings(axe, page)
        if blocking:
            per_url[url] = blocking
    return per_url


def blocking_findings(axe: Axe, page) -> list[str]:
    """The page's serious and critical axe findings: rule id and the first offending node."""
    return [
        f"{found['id']}: {found['nodes'][0]['html'][:120]}"
        for found in axe.run(page).response["violations"]
        if found["impact"] in BLOCKING
    ]


@pytest.fixture(params=["light", "dark"])
def page_in(request, browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, color_scheme=request.param)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_no_serious_findings_signed_out(axe, page_in):
    assert findings(axe, page_in, SIGNED_OUT) == {}


def test_no_serious_findings_in_the_api_reference(axe, page_in):
    page_in.goto("/api/docs")
    page_in.locator(".opblock").first.wait_for()
    # Open one operation, so its parameters, responses and buttons are checked too.
    page_in.locator(".opblock-summary-control").first.click()
    page_in.locator(".opblock-body").first.wait_for()
    site = page_in.get_by_role("navigation", name="Site")

    expect(site.get_by_role("link", name="Back to the site")).to_have_attribute("href", "/")
    expect(page_in.locator("h3.opblock-tag[data-tag='Songs']")).to_contain_text("Songs")
    expect(page_in.get_by_label("Server")).to_be_attached()
    assert blocking_findings(axe, page_in) == []


def test_no_serious_findings_for_a_member_and_an_admin(axe, page_in):
    admin = UserFactory(username="boss", admin=True)
    urls = member_pages(admin)
    log_in_browser(page_in, "boss")

    assert findings(axe, page_in, urls + ADMIN) == {}
