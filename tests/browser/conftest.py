"""Browser fixtures: a fresh page per test and screenshots (the live app and Chromium are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "test-output" / "screenshots"


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
