"""KB articles through the API: validation and sanitizing, translation jobs, states, review, public pages."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from machinery.models import EngineCall
from tests.conftest import run_jobs
from tests.factories import (
    PLAIN_BODY,
    locale_state,
    make_article,
    pending_review,
    published_events,
    statements_for,
    translate_article,
)
from tolk.db import db
from workflows import kb, webhooks
from workflows.kb import jobs as kb_jobs
from workflows.kb.models import Article
from workflows.models import WebhookDelivery

XSS_BODY = """<p>Welcome to <b>Acme</b>.</p>
<script>alert('body')</script>
<p>See the <img src="https://cdn.example.com/box.png" alt="box" onerror="alert('img')"> picture.
<a href="javascript:alert('link')">Click here</a> to continue.</p>
<iframe src="https://evil.example.com/"></iframe>
<p onclick="alert('p')">Thanks for reading.</p>"""


@pytest.fixture
def app_config(helpdesk):
    return {"WEBHOOK_URLS": [helpdesk.url]}


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", languages="es,ca,ar,pl", name="lucia")[1]


def engine_characters(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(EngineCall.characters), 0))
                                 .where(EngineCall.engine != "tm", EngineCall.ok.is_(True)))


# --- creating and validating -------------------------------------------------------------------


def test_create_sanitizes_xss_in_stored_and_public_html(app, client, editor):
    response = make_article(client, editor, body=XSS_BODY, title="<script>alert('title')</script> Welcome",
                            publishing_policy="auto")
    assert response.status_code == 201, response.json
    stored = response.json["body_html"]
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "alert("):
        assert bad not in stored
    assert '<img src="https://cdn.example.com/box.png" alt="box">' in stored
    assert set(response.json["sanitizer_removed"]) >= {
        "<script> (line 2)", "onerror attribute of <img> (line 3)", "javascript: URL in href of <a> (line 4)",
        "<iframe> (line 5)", "onclick attribute of <p> (line 6)"}

    translate_article(client, editor)
    run_jobs(app)
    page = client.get("/kb/es/shipping")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "alert('"):
        assert bad not in text
    assert "<h1>&lt;" in text  # the title is text: shown escaped (Apertium translates the word "script")


@pytest.mark.parametrize(("override", "status", "message"), [
    ({"title": None}, 400, "'title' is required"),
    ({"title": "   "}, 400, "'title' must not be empty"),
    ({"slug": "Not A Slug"}, 400, "'slug' must be lowercase"),
    ({"target_locales": ["es", "xx-nowhere-1"]}, 400, "'target_locales[1]'"),
    ({"target_locales": ["en"]}, 400, "target locale en is the source locale"),
    ({"format": "docx"}, 400, "'format' must be one of: html, markdown"),
    ({"body": "<script>alert(1)</script>"}, 400, "no text left"),
    ({"body": "Intro\n\n```\ncode\n", "format": "markdown"}, 400, "markdown line 3"),
    ({"critical": "yes"}, 400, "'critical' must be of type bool"),
])
def test_invalid_articles_are_refused_and_nothing_is_stored(app, client, editor, override, status, message):
    response = make_article(client, editor, **override)
    assert response.status_code == status
    assert message in response.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_slug_is_unique(client, editor):
    assert make_article(client, editor).status_code == 201
    response = make_article(client, editor, title="Another")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "slug_taken"


def test_markdown_body_becomes_sanitized_html(client, editor):
    body = ("## Returns\n\nPack the item **carefully** and see [the guide](https://example.com/guide).\n\n"
            "- Print the *label*\n- Drop it off\n\n<script>alert(1)</script> [bad](javascript:alert(1))")
    response = make_article(client, editor, body=body, format="markdown")
    assert response.status_code == 201, response.json
    assert response.json["body_html"] == (
        '<h2>Returns</h2>\n<p>Pack the item <strong>carefully</strong> and see <a href="https://example.com/guide" '
        'rel="noopener noreferrer">the guide</a>.</p>\n<ul><li>Print the <em>label</em></li><li>Drop it off</li></ul>\n'
        '<p>&lt;script&gt;alert(1)&lt;/script&gt; <a rel="noopener noreferrer">bad</a></p>')


def test_agents_and_reviewers_cannot_create_translate_or_publish(client, editor, agent_headers, reviewer):
    assert make_article(client, agent_headers).status_code == 403
    assert make_article(client, reviewer).status_code == 403
    assert make_article(client, editor).status_code == 201
    for headers in (agent_headers, reviewer):
        assert client.put("/api/v1/articles/shipping", json={"title": "x"}, headers=headers).status_code == 403
        assert client.post("/api/v1/articles/shipping/translate", headers=headers).status_code == 403
        assert client.post("/api/v1/articles/shipping/locales/es/publish", headers=headers).status_code == 403
    assert client.get("/api/v1/articles/shipping", headers=agent_headers).status_code == 200
    assert client.get("/api/v1/articles/shipping").status_code == 401


# --- translating and publishing ----------------------------------------------------------------


def test_auto_policy_publishes_after_translation_with_one_webhook(app, client, editor, helpdesk):
    make_article(client, editor, target_locales=["es", "ca"], publishing_policy="auto")
    assert locale_state(client, editor)["state"] == "missing"
    jobs = translate_article(client, editor)
    assert {j["object"]["locale"] for j in jobs} == {"es", "ca"}
    job = client.get(f"/api/v1/jobs/{jobs[0]['id']}", headers=editor).json
    assert (job["status"], job["done"], job["total"]) == ("queued", 0, 6)  # the title and 5 sentences
    assert locale_state(client, editor)["state"] == "translating"

    run_jobs(app)
    for job in jobs:
        shown = client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json
        assert (shown["status"], shown["done"], shown["total"], shown["error"]) == ("done", 6, 6, None)
    es = locale_state(client, editor)
    assert es["state"] == "published" and es["published_revision"] == 1
    page = client.get("/kb/es/shipping")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="es" dir="ltr">' in html
    assert f"<h1>{es['published_title']}</h1>" in html
    assert "<li>" in html and "<b>" in html  # markup survived translation
    assert "We ship every order" not in html
    assert sorted((e["data"]["locale"], e["data"]["revision"]) for e in helpdesk.payloads) == [
        ("ca", 1), ("es", 1)]


def test_each_published_event_is_enqueued_once(app, client, editor, helpdesk, monkeypatch):
    enqueued: list[int] = []
    dispatch = webhooks.dispatch

    def counting(ids: list[int]) -> None:
        enqueued.extend(ids)
        dispatch(ids)

    monkeypatch.setattr(webhooks, "dispatch", counting)
    make_article(client, editor, target_locales=["es", "ca"], publishing_policy="auto")
    translate_article(client, editor)
    run_jobs(app)
    with app.app_context():
        published = db.session.scalars(select(WebhookDelivery.id).where(
            WebhookDelivery.event_type == "article.published")).all()
    assert len(published) == 2
    assert sorted(i for i in enqueued if i in published) == sorted(published)  # each once, not twice
    assert len(helpdesk.payloads) == 2


def _make_steps_article(client, editor, monkeypatch) -> None:
    """An article of 45 steps, translated in batches of 20: with its title, 46 segments in 3 batches."""
    monkeypatch.setattr(kb_jobs, "BATCH_SIZE", 20)
    make_article(client, editor, body="".join(
        f"<p>Step {i}: open the settings page and check option {i}.</p>" for i in range(45)))


def test_translation_progress_is_visible_in_the_jobs_api_while_it_runs(app, client, editor, monkeypatch):
    _make_steps_article(client, editor, monkeypatch)
    [job] = translate_article(client, editor)
    seen = []
    monkeypatch.setattr(kb_jobs, "PROGRESS_SECONDS", 0)  # commit after every batch
    monkeypatch.setattr(kb_jobs, "_pause", lambda: seen.append(
        (client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json["done"], locale_state(client, editor)["state"])))
    run_jobs(app)
    assert seen == [(21, "translating"), (41, "translating"), (46, "translating")]
    final = client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json
    assert (final["status"], final["done"], final["total"]) == ("done", 46, 46)


def test_a_rerun_served_by_the_memory_commits_its_progress_at_the_end_not_after_every_batch(
        app, client, editor, monkeypatch):
    _make_steps_article(client, editor, monkeypatch)
    translate_article(client, editor)
    run_jobs(app)
    [job] = translate_article(client, editor)  # unchanged: every segment comes from the TM
    commits, seen = [], []
    monkeypatch.setattr(kb_jobs, "PROGRESS_SECONDS", 3600)
    monkeypatch.setattr(kb_jobs, "_pause", lambda: seen.append(len(commits)))
    count = commits.append
    event.listen(Session, "after_commit", count)
    try:
        run_jobs(app)
    finally:
        event.remove(Session, "after_commit", count)
    assert len(seen) == 3 and seen[0] == seen[1] == seen[2]  # no commit while the batches run
    final = client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json
    assert (final["status"], final["done"], final["total"]) == ("done", 46, 46)


def test_each_batch_an_engine_translated_is_committed_at_once_with_its_metering(app, client, editor, monkeypatch):
    # A crash after a batch must not lose the engine calls it billed, however short the throttle's wait.
    _make_steps_article(client, editor, monkeypatch)
    [job] = translate_article(client, editor)
    seen = []
    monkeypatch.setattr(kb_jobs, "PROGRESS_SECONDS", 3600)
    monkeypatch.setattr(kb_jobs, "_pause", lambda: seen.append(
        (engine_characters(app), client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json["done"])))
    run_jobs(app)
    assert [done for _chars, done in seen] == [21, 41, 46]
    characters = [chars for chars, _done in seen]
    assert 0 < characters[0] < characters[1] < characters[2] == engine_characters(app)


def test_edit_marks_locale_outdated_and_retranslation_bills_only_the_changed_segment(app, client, editor):
    make_article(client, editor, publishing_policy="auto")
    translate_article(client, editor)
    run_jobs(app)
    first = engine_characters(app)
    assert first >= len(PLAIN_BODY) // 2

    edited = PLAIN_BODY.replace("Parcels usually arrive within a week.", "Parcels usually arrive within five days.")
    response = client.put("/api/v1/articles/shipping", json={"body": edited}, headers=editor)
    assert response.json["revision"] == 2
    es = response.json["locales"]["es"]
    assert (es["state"], es["outdated_segments"], es["published_revision"]) == ("outdated", [4], 1)
    assert response.json["segments"][4] == "Parcels usually arrive within five days."

    translate_article(client, editor)
    run_jobs(app)
    assert engine_characters(app) - first == len("Parcels usually arrive within five days.")
    es = locale_state(client, editor)
    assert (es["state"], es["outdated_segments"], es["published_revision"]) == ("published", [], 2)
    assert len(published_events(app)) == 2


def test_critical_article_goes_through_review_and_keeps_serving_while_outdated(app, client, editor, reviewer):
    make_article(client, editor, critical=True)
    translate_article(client, editor)
    run_jobs(app)
    es = locale_state(client, editor)
    assert es["state"] == "in_review" and es["review"]["status"] == "pending"
    item_id, task, mt_text, content_type, channel = pending_review(app)
    assert (task, content_type, channel) == ("review", "article", None)
    assert mt_text.startswith("<h1>") and "<li>" in mt_text
    assert client.get("/kb/es/shipping").status_code == 404  # nothing published before approval
    assert published_events(app) == []

    approved = mt_text.replace("</h1>", " (revisado)</h1>", 1)
    response = client.post(f"/api/v1/reviews/{item_id}/approve", json={"text": approved}, headers=reviewer)
    assert response.status_code == 200, response.json
    es = locale_state(client, editor)
    assert (es["state"], es["published_revision"]) == ("published", 1)
    assert es["published_title"].endswith("(revisado)")
    live = client.get("/kb/es/shipping").get_data(as_text=True)
    assert "(revisado)</h1>" in live
    assert len(published_events(app)) == 1

    edited = PLAIN_BODY.replace("Open the <b>Orders</b> page.", "Open the <b>My orders</b> page.")
    client.put("/api/v1/articles/shipping", json={"body": edited}, headers=editor)
    es = locale_state(client, editor)
    assert (es["state"], es["outdated_segments"]) == ("outdated", [3])
    assert client.get("/kb/es/shipping").get_data(as_text=True) == live

    translate_article(client, editor)
    assert locale_state(client, editor)["state"] == "translating"
    assert client.get("/kb/es/shipping").get_data(as_text=True) == live
    run_jobs(app)
    assert locale_state(client, editor)["state"] == "in_review"
    assert client.get("/kb/es/shipping").get_data(as_text=True) == live  # still the reviewed version

    item_id, *_ = pending_review(app)
    assert client.post(f"/api/v1/reviews/{item_id}/approve", headers=reviewer).status_code == 200
    es = locale_state(client, editor)
    assert (es["state"], es["published_revision"], es["outdated_segments"]) == ("published", 2, [])
    assert client.get("/kb/es/shipping").get_data(as_text=True) != live
    assert [e["revision"] for e in published_events(app) for e in [e["data"]]] == [1, 2]


def test_rejection_sends_the_locale_back_with_the_reason(app, client, editor, reviewer):
    make_article(client, editor, critical=True)
    translate_article(client, editor)
    run_jobs(app)
    item_id, *_ = pending_review(app)
    response = client.post(f"/api/v1/reviews/{item_id}/reject", json={"reason": "Wrong tone for Spain"},
                           headers=reviewer)
    assert response.status_code == 200, response.json
    es = locale_state(client, editor)
    assert es["state"] == "missing"
    assert es["review"] == {"id": item_id, "status": "rejected", "task": "review", "decided_by": "lucia",
                            "rejection_reason": "Wrong tone for Spain"}
    assert client.get("/kb/es/shipping").status_code == 404
    assert published_events(app) == []


def test_no_engine_for_the_pair_asks_a_human_translator_and_rtl_pages_say_so(app, client, editor, reviewer):
    make_article(client, editor, target_locales=["ar"])
    [job] = translate_article(client, editor)
    run_jobs(app)
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json["status"] == "done"
    ar = locale_state(client, editor, "ar")
    assert ar["state"] == "in_review" and ar["review"]["task"] == "translate"
    item_id, task, mt_text, *_ = pending_review(app, "ar")
    assert (task, mt_text) == ("translate", None)

    written = "<h1>أوقات الشحن</h1>\n<p>نشحن كل طلب خلال يومين.</p><script>alert(1)</script>"
    assert client.post(f"/api/v1/reviews/{item_id}/approve", json={"text": written},
                       headers=reviewer).status_code == 200
    page = client.get("/kb/ar/shipping").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "<h1>أوقات الشحن</h1>" in page and "<script" not in page


def test_public_page_is_404_unless_published_in_that_locale(app, client, editor):
    make_article(client, editor, target_locales=["es", "ca"], publishing_policy="auto")
    translate_article(client, editor, locales=["es"])
    run_jobs(app)
    assert client.get("/kb/es/shipping").status_code == 200
    assert client.get("/kb/ca/shipping").status_code == 404
    assert client.get("/kb/de/shipping").status_code == 404
    assert client.get("/kb/not-a-lang!/shipping").status_code == 404
    assert client.get("/kb/es/no-such-article").status_code == 404
    assert client.get("/kb/en/shipping").status_code == 200  # the source-language page
    shown = client.get("/api/v1/kb/es/shipping", headers=editor)
    assert shown.status_code == 200 and shown.json["locale"] == "es" and shown.json["dir"] == "ltr"
    assert client.get("/api/v1/kb/ca/shipping", headers=editor).status_code == 404


def test_translate_refuses_locales_that_are_not_targets(client, editor):
    make_article(client, editor)
    response = client.post("/api/v1/articles/shipping/translate", json={"locales": ["de"]}, headers=editor)
    assert response.status_code == 400
    assert "de is not a target locale" in response.json["error"]["message"]
    assert locale_state(client, editor)["state"] == "missing"


def test_publish_endpoint_publishes_checked_drafts_of_non_critical_articles_only(app, client, editor):
    make_article(client, editor, critical=True)
    response = client.post("/api/v1/articles/shipping/locales/es/publish", headers=editor)
    assert response.status_code == 409 and response.json["error"]["code"] == "review_required"
    translate_article(client, editor)
    run_jobs(app)
    assert locale_state(client, editor)["state"] == "in_review"

    client.put("/api/v1/articles/shipping", json={"critical": False}, headers=editor)
    response = client.post("/api/v1/articles/shipping/locales/es/publish", headers=editor)
    assert response.status_code == 200, response.json
    assert (response.json["state"], response.json["published_revision"]) == ("published", 1)
    assert client.get("/kb/es/shipping").status_code == 200
    again = client.post("/api/v1/articles/shipping/locales/es/publish", headers=editor)
    assert again.status_code == 200
    assert len(published_events(app)) == 1  # publishing the same draft twice is one publication


def test_unknown_job_and_article_are_404(client, editor):
    assert client.get("/api/v1/jobs/kb-nope", headers=editor).status_code == 404
    assert client.get("/api/v1/articles/nope", headers=editor).status_code == 404


def test_demo_articles_seed_once(app):
    with app.app_context():
        kb.seed_demo_articles(db.session)
        kb.seed_demo_articles(db.session)
        db.session.commit()
        articles = {a.slug: a for a in db.session.scalars(select(Article))}
        assert set(articles) == {"how-refunds-work", "tracking-your-order"}
        assert articles["how-refunds-work"].critical and articles["how-refunds-work"].target_locales == ["es", "ca", "pl"]
        assert not articles["tracking-your-order"].critical


def test_listing_articles_costs_the_same_queries_for_one_or_six(app, client, editor):
    make_article(client, editor, slug="a-0", target_locales=["es", "ca"])
    one = statements_for(app, client, editor, "/api/v1/articles")
    for n in range(1, 6):
        make_article(client, editor, slug=f"a-{n}", target_locales=["es", "ca"])
    assert statements_for(app, client, editor, "/api/v1/articles") == one
