"""Issue #15's walk-through in a real browser: an agent reads a Polish customer's message in English, drafts a
refund reply, which waits for a Polish reviewer; the reviewer is told by e-mail (a local SMTP server) and the
helpdesk by webhook; she annotates words of the translation and approves it; the annotation is shown on the
decided item; the agent marks the reviewed reply as sent to the ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.test_flows import sign_in, sign_out
from tests.conftest import run_jobs
from tolk.db import db
from tolk.models import User
from workflows.models import Reply, ReviewItem
from workflows.notify.models import NotificationPreference

pytestmark = pytest.mark.browser

MESSAGE = "Dzień dobry, gdzie jest zwrot za moje zamówienie?"


@pytest.fixture
def app_config(helpdesk, mailbox, deepl_settings):
    return {**deepl_settings, "ENGINE_ROUTES": "*=deepl", "WEBHOOK_URLS": [helpdesk.url],
            "NOTIFY_WEBHOOK_EVENTS": ["*"], "DEFAULT_GLOSSARY": "", "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": mailbox.port, "SMTP_SECURITY": "none"}


def test_a_polish_message_becomes_a_reviewed_annotated_reply_sent_to_the_ticket(app, page, person, helpdesk,
                                                                                mailbox):
    person("agent", "alex", "en")
    person("reviewer", "kasia", "pl")
    with app.app_context():
        kasia = db.session.scalar(select(User).where(User.name == "kasia"))
        db.session.add(NotificationPreference(user_id=kasia.id, email="kasia@example.test",
                                              events=["review.assigned"]))
        db.session.commit()

    sign_in(page, "alex")
    page.get_by_label("Ticket", exact=True).fill("T-PL-7")
    page.get_by_label("The customer's message").fill(MESSAGE)
    page.get_by_role("button", name="Translate their message").click()
    page.locator("#message-translation").wait_for()
    assert page.get_by_label("Customer's language").input_value() == "pl"
    page.get_by_label("Your reply (in your language)").fill("Your refund has been sent to your card today.")
    page.get_by_role("button", name="Translate and check").click()
    page.wait_for_selector("#state")
    assert page.inner_text("#customer-message") == MESSAGE
    assert "kasia" in page.inner_text("#state") and "will check it" in page.inner_text("#state")
    reply_url = page.url
    sign_out(page)

    # The worker's jobs: the reviewer's e-mail and the helpdesk's webhook.
    run_jobs(app)
    (mail,) = mailbox.to("kasia@example.test")
    assert "assigned to you" in mail["Subject"]
    (assigned,) = [p for p in helpdesk.payloads if p["type"] == "review.assigned"]
    assert assigned["data"]["assignee"] == "kasia" and assigned["data"]["target_lang"] == "pl"

    sign_in(page, "kasia")
    page.get_by_role("link", name="Reply for ticket T-PL-7").click()
    target = page.locator("#target")
    target.wait_for()
    assert MESSAGE in page.locator("#ticket-context").inner_text()
    words = "zwrot"
    start = target.input_value().index(words)
    target.evaluate("(el, span) => { el.focus(); el.setSelectionRange(span[0], span[1]); }",
                    [start, start + len(words)])
    page.keyboard.press("Alt+A")
    page.locator(".annotation-row").first.locator("[name=ann_category]").select_option("accuracy/mistranslation")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/review")
    with app.app_context():
        reply_id = db.session.scalar(select(Reply.id).where(Reply.ticket_ref == "T-PL-7"))
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.kind == "reply", ReviewItem.object_id == reply_id))
        assert item.status == "approved"
        item_id = item.id
    page.goto(f"/review/{item_id}")
    assert page.inner_text("#final mark.mqm") == words  # the annotation, on its words, after approval
    sign_out(page)

    sign_in(page, "alex")
    page.goto(reply_url)
    page.get_by_role("button", name="Mark as sent to the ticket").click()
    page.wait_for_selector("text=Marked as sent to the ticket.")
    assert "Sent to the ticket by alex" in page.inner_text("#state")
