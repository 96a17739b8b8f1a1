"""Untranslatable KB content (code, kbd, samp, translate="no") never reaches the engine and comes back verbatim."""

from __future__ import annotations

from sqlalchemy import select

from machinery.models import TmSegment
from tests.conftest import run_jobs
from tests.factories import locale_state, make_article, pending_review, translate_article
from tolk.db import db

BODY = ('<p>To reset your password, type <code>RESET-{code}</code> and press <kbd>Enter</kbd>.</p>'
        '<p>The page shows <samp>Password changed</samp> when it worked.</p>'
        '<p>Open <span translate="no">Acme Cloud</span> from the <b class="notranslate">Start</b> menu.</p>')
KEPT = ('<code>RESET-{code}</code>', '<kbd>Enter</kbd>', '<samp>Password changed</samp>',
        '<span translate="no">Acme Cloud</span>', '<b class="notranslate">Start</b>')


def test_marked_content_is_stored_and_comes_back_verbatim_without_findings(app, client, editor):
    created = make_article(client, editor, body=BODY, publishing_policy="auto")
    assert created.status_code == 201, created.json
    for element in KEPT:
        assert element in created.json["body_html"]  # the sanitizer keeps the marks
    translate_article(client, editor)
    run_jobs(app)
    es = locale_state(client, editor)
    assert es["state"] == "published", es
    for element in KEPT:
        assert element in es["draft_html"], element
    assert "REINICIALIZ" not in es["draft_html"]
    assert not [f for f in es["findings"] if f["check"] == "protected_content"]
    with app.app_context():  # what reached the engine (and the TM) had placeholders in their place
        sources = " ".join(db.session.scalars(select(TmSegment.source_text)))
    assert "{kb_keep_0}" in sources and "RESET" not in sources and "Acme Cloud" not in sources
    assert client.get("/kb/es/shipping").get_data(as_text=True).count("<code>RESET-{code}</code>") == 1


def test_a_reviewer_changing_protected_content_is_flagged(app, client, editor, make_user):
    reviewer = make_user("reviewer", languages="es", name="lucia")[1]
    make_article(client, editor, body=BODY, critical=True)
    translate_article(client, editor)
    run_jobs(app)
    item_id, _task, mt_text, *_ = pending_review(app)
    edited = mt_text.replace("RESET-{code}", "REINICIO-{code}")
    assert client.post(f"/api/v1/reviews/{item_id}/approve", json={"text": edited}, headers=reviewer).status_code == 200
    es = locale_state(client, editor)
    flagged = [f for f in es["findings"] if f["check"] == "protected_content"]
    assert [(f["severity"], f["data"]["element"]) for f in flagged] == [("critical", "<code>RESET-{code}</code>")]


def test_mask_and_unmask_round_trip_and_a_lost_token_leaves_the_element_missing():
    from workflows.kb.untranslatable import mask, unmask

    source = '<p>Type <code>RESET-{code}</code>, then <kbd>Enter</kbd>. Keep {name} as it is.</p>'
    masked, kept = mask(source)
    assert masked == "<p>Type {kb_keep_0}, then {kb_keep_1}. Keep {name} as it is.</p>"
    assert kept == ["<code>RESET-{code}</code>", "<kbd>Enter</kbd>"]
    assert unmask(masked, kept) == source
    assert unmask("<p>Escribe {kb_keep_1} y {kb_keep_1} {kb_keep_7}.</p>", kept) == (
        "<p>Escribe <kbd>Enter</kbd> y {kb_keep_1} {kb_keep_7}.</p>")  # each once; unknown tokens stay
