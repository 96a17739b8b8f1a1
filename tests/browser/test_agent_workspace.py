"""The agent's workspace in a real browser: the customer's message read in the agent's language, a reply
rejected by the reviewer (who sees the ticket beside it), revised by correcting the translation and resent,
approved, copied to the clipboard and marked sent."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shoot
from tests.browser.test_flows import sign_in, sign_out

pytestmark = pytest.mark.browser

MESSAGE = "Mi pedido no ha llegado todavía."


@pytest.fixture
def clipboard_page(browser, live_url):
    """A fresh context that may write and read the clipboard (the Copy button needs it)."""
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    context.set_default_timeout(20000)
    yield context.new_page()
    context.close()


def test_message_translated_translation_corrected_rejected_resent_copied_and_sent(app, clipboard_page, person):
    page = clipboard_page
    person("agent", "alex", "en")
    person("reviewer", "lucia", "es")
    sign_in(page, "alex")
    page.get_by_label("Ticket", exact=True).fill("T-5150")
    page.get_by_label("The customer's message").fill(MESSAGE)
    page.get_by_role("button", name="Translate their message").click()
    assert "arrived" in page.locator("#message-translation").inner_text()
    assert page.get_by_label("Customer's language").input_value() == "es"
    page.get_by_label("Your reply (in your language)").fill("We cancelled your order.")
    page.get_by_role("button", name="Translate and check").click()
    page.wait_for_selector("#state")
    assert page.inner_text("#customer-message") == MESSAGE
    assert "arrived" in page.inner_text("#customer-message-translation")
    assert "lucia, a Spanish reviewer, will check it" in page.inner_text("#state")
    reply_url = page.url
    shoot(page, "agent-workspace-in-review")
    sign_out(page)

    sign_in(page, "lucia")
    page.get_by_role("link", name="Reply for ticket T-5150").click()
    context = page.locator("#ticket-context")
    context.wait_for()
    assert MESSAGE in context.inner_text() and "alex" in context.inner_text()
    page.locator("#reason").fill("Too blunt: say you are sorry.")
    page.locator("#reject").click()
    page.wait_for_url("**/review**")
    sign_out(page)

    sign_in(page, "alex")
    page.goto(reply_url)
    assert "Too blunt" in page.inner_text("#rejection")
    corrected = "Lo sentimos mucho: hemos tenido que cancelar su pedido."
    page.locator("#edit-translation").fill(corrected)
    page.get_by_role("button", name="Check and send again").click()
    page.wait_for_selector("text=Sent again: checked and routed anew.")
    assert corrected in page.inner_text("#translated")
    assert "will check it" in page.inner_text("#state")
    sign_out(page)

    sign_in(page, "lucia")
    page.get_by_role("link", name="Reply for ticket T-5150").click()
    page.locator("#target").wait_for()
    assert page.locator("#target").input_value() == corrected
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/review")
    sign_out(page)

    sign_in(page, "alex")
    page.goto(reply_url)
    copy = page.locator("#copy-reply")
    copy.click()
    page.locator("#copy-done").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == corrected
    page.get_by_role("button", name="Mark as sent to the ticket").click()
    page.wait_for_selector("text=Marked as sent to the ticket.")
    assert "Sent to the ticket by alex" in page.inner_text("#state")
    assert page.locator("#mark-sent").count() == 0
    shoot(page, "agent-workspace-sent")
