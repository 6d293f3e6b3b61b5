"""A real browser: Debian's chromium, driven by Playwright, against the live server.

Playwright's own browser download cannot work offline, so the system chromium is used.
Without it (and without root to install it, which `make test` does) these tests are
skipped with a loud reason in the summary, never silently.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "E2E NOT RUN: no chromium at /usr/bin/chromium. Install Debian's chromium "
            "(`apt-get install chromium`, done by `make test` when run as root)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server, request) -> Iterator:
    """A fresh browser profile per test; a screenshot of every open page on failure."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(20_000)
    yield context
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for number, page in enumerate(context.pages):
            page.screenshot(path=ARTIFACTS / f"{request.node.name}-{number}.png", full_page=True)
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
