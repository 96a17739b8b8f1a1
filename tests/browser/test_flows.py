"""The main flows in a real browser: an agent's refund reply, its review with an edit and an MQM annotation
made by selecting text, the quality dashboard, and an editor translating and publishing a KB article."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import shoot
from tests.factories import PASSWORD
from tolk.db import db

pytestmark = pytest.mark.browser


def sign_in(page, name: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("form.signout")


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("#name")


def test_refund_reply_is_reviewed_with_an_edit_and_an_annotation_and_counted(app, page, person):
    from lqa.models import QualityRecord

    person("agent", "alex", "en")
    person("reviewer", "lucia", "es")
    sign_in(page, "alex")
    shoot(page, "agent-form")
    page.get_by_label("Ticket", exact=True).fill("T-4711")
    page.get_by_label("Customer's language").select_option("es")
    page.get_by_label("Your reply (in your language)").fill("Your refund was processed yesterday.")
    page.get_by_role("button", name="Translate and check").click()
    page.wait_for_selector("#decision")
    assert page.inner_text("#decision") == "a native reviewer checks it"
    assert "Talks about money" in page.inner_text("#reasons")  # the reason in words, its code a title
    assert page.inner_text("#back-translation").strip()
    shoot(page, "agent-reply")
    sign_out(page)

    sign_in(page, "lucia")
    page.get_by_role("link", name="Reply for ticket T-4711").click()
    target = page.locator("#target")
    target.wait_for()
    shoot(page, "review-item")
    edited = "Su reembolso se procesó ayer."
    target.fill(edited)
    assert page.inner_text("#approve") == "Approve with edits"
    start = edited.index("procesó")
    target.evaluate("(el, span) => { el.focus(); el.setSelectionRange(span[0], span[1]); }",
                    [start, start + len("procesó")])
    page.keyboard.press("Alt+A")
    row = page.locator(".annotation-row").first
    assert row.locator("[name=ann_start]").input_value() == str(start)
    assert row.locator(".span-preview").inner_text() == "«procesó»"
    row.locator("[name=ann_category]").select_option("fluency/grammar")
    row.locator("[name=ann_severity]").select_option("major")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=Approved with edits.")
    assert page.url.endswith("/review")

    with app.app_context():
        record = db.session.scalar(select(QualityRecord))
        assert record.outcome == "approved_edited" and record.final_text == edited
        (annotation,) = record.annotations
        assert (annotation.span_start, annotation.span_end, annotation.severity) == (start, start + 7, "major")

    page.goto("/quality")
    row = page.locator('tr[data-lang="es"]')
    row.wait_for()
    assert "inconclusive" in row.inner_text()
    assert page.locator("svg.chart").count() == 3
    shoot(page, "quality-dashboard")
    sign_out(page)

    sign_in(page, "alex")
    assert "approved" in page.inner_text("#recent-replies")
    page.get_by_role("link", name="T-4711").click()
    page.wait_for_selector("#translated")
    assert page.inner_text("#translated") == edited


def test_an_editor_translates_an_article_and_the_public_page_shows_it(app, page, person):
    pytest.importorskip("workflows.kb")
    from rq import SimpleWorker

    from tolk.queue import queue, redis_connection

    person("editor", "kim", "en")
    sign_in(page, "kim")
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Slug (in the public address)").fill("tracking-your-order")
    page.get_by_label("Title").fill("Tracking your order")
    page.get_by_label("Body", exact=True).fill("<p>As soon as your order ships, we send you an email.</p>")
    page.get_by_label("Target locales (comma-separated)").fill("es")
    page.get_by_role("button", name="Create article").click()
    page.wait_for_selector('tr[data-locale="es"]')
    page.locator('tr[data-locale="es"] button.translate').click()
    page.wait_for_selector("text=Translation started for 1 locale(s).")
    assert page.locator('tr[data-locale="es"] td.state[data-state="translating"]').count() == 1
    with app.app_context():
        SimpleWorker([queue()], connection=redis_connection()).work(burst=True)
    # No reload: the page polls the locale states and shows the finished draft by itself (policy manual).
    page.wait_for_selector('tr[data-locale="es"] button.publish', timeout=20000)
    assert "ready to publish" in page.locator('tr[data-locale="es"] .state').inner_text()
    page.locator('tr[data-locale="es"] button.publish').click()
    page.wait_for_selector("text=Published es.")
    state = page.locator('tr[data-locale="es"] .state')
    assert "published" in state.inner_text()
    shoot(page, "kb-editor")
    page.get_by_role("link", name="Knowledge base").first.click()
    page.wait_for_selector("#articles")
    shoot(page, "kb-articles")
    page.goto("/kb-editor/tracking-your-order")
    page.locator('tr[data-locale="es"] a.public').click()
    page.wait_for_load_state()
    assert "orden" in page.content()
    shoot(page, "kb-public")


def test_admin_pages_render(page, person):
    person("admin", "ada", "en")
    sign_in(page, "ada")
    for path, name in (("/admin/users", "admin-users"), ("/admin/glossaries", "admin-glossaries"),
                       ("/admin/engines", "admin-engines")):
        page.goto(path)
        page.wait_for_selector("h1")
        shoot(page, name)
    page.goto("/admin/users")
    page.get_by_label("Name", exact=True).fill("joost")
    page.get_by_label("Role").select_option("reviewer")
    page.get_by_label("Languages (comma-separated)").fill("nl")
    page.get_by_label("Password (at least 8 characters)").fill("demo-reviewer")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_selector("text=User joost created.")
