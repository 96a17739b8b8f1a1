"""Pages with tables at a phone's 390 px: the page never scrolls sideways (a wide table scrolls in its own
box), and the error pages keep the app's look."""

from __future__ import annotations

import pytest

from tests.browser.test_flows import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: The page's own scroll width, the widest right edge of anything in it (a table's own box, not the cells it
#: scrolls), and whether each table lets its hidden part be scrolled to, in CSS pixels.
OVERFLOW = """() => {
  const boxes = [...document.querySelectorAll('main *')].filter(e => e.tagName === 'TABLE' || !e.closest('table'));
  const tables = [...document.querySelectorAll('main table')];
  return {
    page: document.documentElement.scrollWidth,
    widest: Math.max(0, ...boxes.map(e => e.getBoundingClientRect().right)),
    tables: tables.length,
    stuck: tables.filter(t => t.scrollWidth > t.clientWidth + 1
                              && !['auto', 'scroll'].includes(getComputedStyle(t).overflowX)).length,
  };
}"""


def test_pages_with_tables_fit_a_390_px_screen(page, person):
    person("admin", "ada", "en")
    person("reviewer", "lucia", "es", timezone="Europe/Madrid")
    sign_in(page, "ada")
    page.set_viewport_size(PHONE)
    seen_tables = 0
    for path in ("/admin/users", "/admin/engines", "/admin/glossaries", "/review?status=pending", "/quality",
                 "/kb-editor", "/account"):
        page.goto(path)
        page.wait_for_selector("h1")
        found = page.evaluate(OVERFLOW)
        assert found["page"] <= PHONE["width"], f"{path} scrolls sideways: {found}"
        assert found["widest"] <= PHONE["width"] + 1, f"{path} has content past the screen: {found}"
        assert found["stuck"] == 0, f"{path} has a table cut off without a scroll bar: {found}"
        seen_tables += found["tables"]
    assert seen_tables >= 3  # the check looked at real tables


def test_a_missing_page_at_390_px_is_styled(page):
    page.set_viewport_size(PHONE)
    response = page.goto("/nowhere")
    assert response is not None and response.status == 404
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(246, 247, 249)"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
