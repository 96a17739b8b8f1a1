"""The reviewer's pages: annotations stay on the words they mark, are shown after the decision and in the
item's history; reasons read as words; a decided item shows no due date."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.web.forms import post, sign_in, text_of
from tolk.db import db

REFUND = "Your refund was processed yesterday."
WORDS = "estuvo procesado"


@pytest.fixture
def team(person):
    return {"agent": person("agent", "alex", "en"), "es": person("reviewer", "lucia", "es")}


def queued(app, client):
    """A refund reply drafted by alex and queued for lucia, who is signed in when this returns."""
    from workflows.models import ReviewItem

    sign_in(client, "alex")
    response = post(client, "/agent/replies", {"ticket_ref": "T-7", "channel": "email", "customer_locale": "es",
                                               "text": REFUND})
    reply_id = int(re.search(r"/agent/replies/(\d+)$", response.location).group(1))
    post(client, "/sign-out")
    sign_in(client, "lucia")
    with app.app_context():
        return db.session.scalar(select(ReviewItem).where(ReviewItem.kind == "reply",
                                                          ReviewItem.object_id == reply_id))


def annotation_form(text: str, words: str, *, on: str = "final", **extra) -> dict:
    """The form fields the page's script sends for ``words`` selected in ``text``."""
    start = text.index(words)
    end = start + len(words)
    return {"ann_category": "accuracy/mistranslation", "ann_severity": "major", "ann_start": str(start),
            "ann_end": str(end), "ann_on": on, "ann_quote": words, "ann_prefix": text[max(0, start - 32):start],
            "ann_suffix": text[end:end + 32], "ann_note": "wrong tense", **extra}


def the_annotation(app):
    from lqa.models import QualityRecord

    with app.app_context():
        record = db.session.scalar(select(QualityRecord))
        (annotation,) = record.annotations
        return record, annotation


def test_an_annotation_made_before_further_edits_points_at_the_same_words(app, client, team):
    item = queued(app, client)
    # Marked in the machine text as the textarea first held it; then the reviewer edits the start of it.
    form = annotation_form(item.mt_text, WORDS)
    final = "Hola Ana:\r\nsu reembolso " + item.mt_text.split("reembolso ", 1)[1]
    response = post(client, f"/review/{item.id}/approve", {"text": final, "version": str(item.version), **form})
    assert response.status_code == 303
    record, annotation = the_annotation(app)
    assert record.final_text[annotation.span_start:annotation.span_end] == WORDS
    assert (annotation.quote, annotation.anchored_on, annotation.text_changed) == (WORDS, "final", False)
    assert record.review_item_id == item.id
    # The offsets the form carried now mark other characters: only the quote found the words.
    assert record.final_text[int(form["ann_start"]):int(form["ann_end"])] != WORDS


def test_words_edited_away_leave_the_annotation_flagged_not_moved(app, client, team):
    item = queued(app, client)
    form = annotation_form(item.mt_text, WORDS)
    post(client, f"/review/{item.id}/approve", {"text": "Su reembolso se procesó ayer.", **form})
    _record, annotation = the_annotation(app)
    assert annotation.text_changed and annotation.span_start is None and annotation.quote == WORDS
    page = text_of(client.get(f"/review/{item.id}"))
    assert "text changed" in page and f"«{WORDS}»" in page


def test_an_annotation_on_the_machine_translation_is_shown_there_after_approval(app, client, team):
    item = queued(app, client)
    form = annotation_form(item.mt_text, WORDS, on="mt")
    post(client, f"/review/{item.id}/approve", {"text": "Su reembolso se procesó ayer.", **form})
    _record, annotation = the_annotation(app)
    assert (annotation.anchored_on, annotation.text_changed) == ("mt", False)
    assert item.mt_text[annotation.span_start:annotation.span_end] == WORDS
    html = client.get(f"/review/{item.id}").get_data(as_text=True)
    machine = html.split('id="machine"', 1)[1].split("</div>", 1)[0]
    assert re.search(rf'<mark class="finding" title="major: accuracy/mistranslation \(wrong tense\)">{WORDS}</mark>',
                     machine)


def test_annotations_are_shown_on_the_item_and_in_its_history_after_approval(app, client, team):
    item = queued(app, client)
    final = item.mt_text.replace("Vuestro", "Su")
    post(client, f"/review/{item.id}/approve", {"text": final, **annotation_form(final, WORDS)})
    response = client.get(f"/review/{item.id}")
    html = response.get_data(as_text=True)
    final_pane = html.split('id="final"', 1)[1].split("</div>", 1)[0]
    assert f'<mark class="mqm" title="major: accuracy/mistranslation (wrong tense)">{WORDS}</mark>' in final_pane
    history = text_of(response).split("Review history", 1)[1]
    assert "approved with edits" in history and "lucia" in history and "accuracy/mistranslation" in history
    assert f"«{WORDS}»" in history and "wrong tense" in history


def test_a_rejected_item_shows_no_due_date(app, client, team):
    item = queued(app, client)
    assert "Due" in text_of(client.get(f"/review/{item.id}"))
    post(client, f"/review/{item.id}/reject", {"reason": "Wrong amount.", **annotation_form(item.mt_text, WORDS)})
    page = text_of(client.get(f"/review/{item.id}"))
    assert "Due" not in page and "left" not in page and "Decided" in page
    assert "Rejected: Wrong amount." in page and "rejected" in page.split("Review history", 1)[1]
    queue = client.get("/review?status=rejected").get_data(as_text=True)
    assert 'class="countdown"' not in queue and "Reply for ticket T-7" in queue
    _record, annotation = the_annotation(app)
    assert annotation.anchored_on == "mt" and item.mt_text[annotation.span_start:annotation.span_end] == WORDS


def test_reasons_read_as_words_with_the_code_kept_as_a_title(app, client, team):
    item = queued(app, client)
    for url in (f"/review/{item.id}", "/review"):
        html = client.get(url).get_data(as_text=True)
        page = text_of(client.get(url))
        assert "refund or invoice" in page and "content:money" not in page, url
        assert 'title="content:money' in html, url


def test_a_bad_annotation_target_is_refused_and_nothing_is_decided(app, client, team, make_user):
    item = queued(app, client)
    url = f"/review/{item.id}"
    response = post(client, f"{url}/approve", {"text": "Hola", **annotation_form(item.mt_text, WORDS, on="elsewhere")},
                    headers={"Referer": f"http://localhost{url}"})
    assert response.status_code == 303 and response.location == url
    assert "on must be" in text_of(client.get(url))
    _reviewer, headers = make_user("reviewer", "es")
    for bad in ({"on": "elsewhere"}, {"quote": 7}):
        answer = client.post(f"/api/v1/reviews/{item.id}/approve", headers=headers,
                             json={"annotations": [{"category": "fluency", "severity": "minor", **bad}]})
        assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid", bad
    from lqa.models import QualityRecord
    from workflows.models import ReviewItem

    with app.app_context():
        assert db.session.get(ReviewItem, item.id).status.value == "pending"
        assert db.session.scalar(select(QualityRecord)) is None
