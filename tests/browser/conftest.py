"""Browser fixtures: the app served for real on a loopback port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.web.conftest import person  # noqa: F401 - person is a fixture used here too

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture
def live_url(app):
    """The app under a threaded werkzeug server on 127.0.0.1 (a free port) for the test's duration."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; fails (never skips) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: browser tests need Debian's chromium package (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture
def page(browser, live_url):
    """A fresh browser context (no cookies) at 1280 px, its base URL set to the live app."""
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(20000)
    found = context.new_page()
    yield found
    context.close()


def shoot(page, name: str) -> None:
    """Screenshots of the current page at 1280 px and at a phone's 390 px, in test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(size)
