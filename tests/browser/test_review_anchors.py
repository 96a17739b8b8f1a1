"""In a real browser: an annotation made on selected words stays on them when the reviewer edits the text
afterwards, and words selected in the machine translation are annotated there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.test_flows import sign_in, sign_out
from tolk.db import db

pytestmark = pytest.mark.browser


def queued_reply(page, person) -> None:
    person("agent", "alex", "en")
    person("reviewer", "lucia", "es")
    sign_in(page, "alex")
    page.get_by_label("Ticket", exact=True).fill("T-88")
    page.get_by_label("Customer's language").select_option("es")
    page.get_by_label("Your reply (in your language)").fill("Your refund was processed yesterday.")
    page.get_by_role("button", name="Translate and check").click()
    page.wait_for_selector("#decision")
    sign_out(page)
    sign_in(page, "lucia")
    page.get_by_role("link", name="Reply for ticket T-88").click()
    page.locator("#target").wait_for()


def only_annotation(app):
    from lqa.models import QualityRecord

    with app.app_context():
        record = db.session.scalar(select(QualityRecord))
        (annotation,) = record.annotations
        return record, annotation


def test_an_annotation_stays_on_its_words_when_the_text_is_edited_afterwards(app, page, person):
    queued_reply(page, person)
    target = page.locator("#target")
    text = target.input_value()
    words = "procesado"
    start = text.index(words)
    target.evaluate("(el, span) => { el.focus(); el.setSelectionRange(span[0], span[1]); }",
                    [start, start + len(words)])
    page.keyboard.press("Alt+A")
    row = page.locator(".annotation-row").first
    row.locator("[name=ann_category]").select_option("fluency/grammar")
    target.evaluate("el => { el.value = 'Hola Ana. ' + el.value; el.dispatchEvent(new Event('input')); }")
    assert row.locator(".span-preview").inner_text() == f"«{words}»"
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=Approved with edits.")
    record, annotation = only_annotation(app)
    assert record.final_text.startswith("Hola Ana. ")
    assert record.final_text[annotation.span_start:annotation.span_end] == words
    assert (annotation.anchored_on, annotation.text_changed) == ("final", False)
    page.goto(f"/review/{record.review_item_id}")
    assert page.inner_text("#final mark.mqm") == words


def test_words_selected_in_the_machine_translation_are_annotated_there(app, page, person):
    queued_reply(page, person)
    words = "estuvo"
    page.evaluate("""(words) => {
        const node = document.getElementById("machine").firstChild;
        const at = node.textContent.indexOf(words);
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + words.length);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    }""", words)
    page.get_by_role("button", name="Add annotation").click()
    row = page.locator(".annotation-row").first
    assert row.locator("[name=ann_on]").input_value() == "mt"
    assert row.locator(".span-preview").inner_text() == f"«{words}»"
    row.locator("[name=ann_category]").select_option("fluency/grammar")
    page.locator("#target").fill("Su reembolso se procesó ayer.")
    page.locator("#approve").click()
    page.wait_for_selector("text=Approved with edits.")
    record, annotation = only_annotation(app)
    assert annotation.anchored_on == "mt" and record.mt_text[annotation.span_start:annotation.span_end] == words
