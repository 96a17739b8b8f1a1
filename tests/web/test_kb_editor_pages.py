"""The KB editor pages: what publishing will do, live progress and honest failures, Markdown kept, locales checked."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.conftest import run_jobs
from tests.web.forms import post, sign_in, text_of
from tolk.db import db
from tolk.models import AuditEvent
from workflows.kb import jobs as kb_jobs
from workflows.kb.models import Article
from workflows.models import TranslationJob

TRACEBACKISH = ("ConnectionError: HTTPConnectionPool(host='apertium.internal', port=2737): Max retries exceeded "
                "with url: /translate?langpair=en|es&markUnknown=no (Caused by NewConnectionError(...))")
MARKDOWN = "Track your order from **Orders**.\n\nThe link arrives by email."


@pytest.fixture
def kim(person, client):
    person("editor", "kim", "en")
    sign_in(client, "kim")


def create(client, **form):
    data = {"slug": "tracking", "title": "Tracking your order", "format": "html", "source_locale": "en",
            "targets": "es, ca", "body": "<p>As soon as your order ships, we send you an email.</p>", **form}
    return post(client, "/kb-editor/new", data)


def row_of(page: str, locale: str) -> str:
    return re.search(rf'<tr data-locale="{locale}">.*?</tr>', page, re.S).group(0)


def test_the_page_says_what_translating_will_do_and_translate_all_publishes_nothing(app, client, kim):
    assert create(client).status_code == 303
    page = text_of(client.get("/kb-editor/tracking"))
    assert "es: after translation, the draft waits for you: preview it, then press Publish" in page
    post(client, "/kb-editor/tracking/translate", {})
    run_jobs(app)
    page = client.get("/kb-editor/tracking").get_data(as_text=True)
    for locale in ("es", "ca"):
        assert "ready to publish" in row_of(page, locale) and 'class="publish"' in row_of(page, locale)
        assert client.get(f"/kb/{locale}/tracking").status_code == 404

    done = post(client, "/kb-editor/tracking/publish", {"locale": "es"})
    assert "Published es." in text_of(client.get(done.location))
    again = post(client, "/kb-editor/tracking/publish", {"locale": "es"})
    assert "es was already published: nothing changed." in text_of(client.get(again.location))
    with app.app_context():
        actors = db.session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "article.published")).all()
    assert actors == ["kim"]


def test_the_editor_chooses_auto_per_locale_and_the_page_says_it_publishes_at_once(app, client, kim):
    create(client)
    post(client, "/kb-editor/tracking/policy", {"locale": "ca", "policy": "auto"})
    page = text_of(client.get("/kb-editor/tracking"))
    assert "ca: after translation, it is published at once by the system (not reviewed first)" in page
    assert post(client, "/kb-editor/tracking/policy", {"locale": "ca", "policy": "yolo"}).status_code == 303
    with app.app_context():
        article = db.session.scalar(select(Article))
        assert {r.locale: r.publishing_policy for r in article.locales} == {"es": None, "ca": "auto"}


def test_publishing_an_outdated_locale_says_why_and_changes_nothing(app, client, kim):
    create(client, targets="es")
    post(client, "/kb-editor/tracking/translate", {"locale": "es"})
    run_jobs(app)
    post(client, "/kb-editor/tracking/publish", {"locale": "es"})
    live = client.get("/kb/es/tracking").get_data(as_text=True)
    post(client, "/kb-editor/tracking", {"title": "Tracking your order", "format": "html", "targets": "es",
                                         "body": "<p>As soon as your order ships, we send you a text message.</p>"})
    page = client.get("/kb-editor/tracking").get_data(as_text=True)
    es = row_of(page, "es")
    assert "outdated" in es and 'class="publish"' not in es
    assert "<del>As soon as your order ships, we send you an email.</del>" in es
    assert "<ins>As soon as your order ships, we send you a text message.</ins>" in es

    refused = post(client, "/kb-editor/tracking/publish", {"locale": "es"})
    shown = text_of(client.get(refused.location, follow_redirects=True))
    assert "Published es." not in shown and "translate es again, then publish" in shown
    assert client.get("/kb/es/tracking").get_data(as_text=True) == live


def test_markdown_reopens_as_markdown_and_can_be_previewed(app, client, kim):
    create(client, format="markdown", body=MARKDOWN)
    page = client.get("/kb-editor/tracking").get_data(as_text=True)
    assert "Track your order from **Orders**." in page and '<option value="markdown" selected>' in page
    post(client, "/kb-editor/tracking", {"title": "Tracking", "format": "markdown", "targets": "es, ca",
                                         "body": MARKDOWN + "\n\nQuestions? Write to us."})
    page = client.get("/kb-editor/tracking").get_data(as_text=True)
    assert "Questions? Write to us." in page and "<strong>" not in page.split('id="body"')[1].split("</textarea>")[0]

    preview = post(client, "/kb-editor/preview", {"title": "T", "format": "markdown",
                                                   "body": "Press **Save**.\n\n<script>x()</script>"})
    assert preview.status_code == 200
    shown = preview.get_data(as_text=True)
    assert "<strong>Save</strong>" in shown and "<script>x()" not in shown
    bad = post(client, "/kb-editor/preview", {"title": "T", "format": "markdown", "body": "```\nnever closed"})
    assert bad.status_code == 400 and "never closed" in text_of(bad)


def test_a_source_locale_that_is_not_a_language_is_a_form_error(app, client, kim):
    response = create(client, source_locale="english")
    assert response.status_code == 400
    assert "'english' is not a locale" in html.unescape(text_of(response))
    assert "As soon as your order ships" in response.get_data(as_text=True)  # the text is kept
    with app.app_context():
        assert db.session.scalar(select(Article)) is None


def test_targets_without_engine_or_reviewer_are_accepted_with_a_warning(app, client, kim):
    created = create(client, targets="es, ar, he")
    assert created.status_code == 303
    page = text_of(client.get(created.location))
    assert "Article created." in page
    assert "Warning: no engine translates en to he" in page and "Warning: no reviewer reviews ar" in page
    assert "he is not among the configured languages" in page


def mark_job(app, status: str, error: str, attempts: int = 1) -> None:
    with app.app_context():
        job = db.session.scalar(select(TranslationJob))
        if status == "failed":
            kb_jobs._mark_failed(db.session, job, error)
        else:
            job.status, job.error, job.attempts = status, error, attempts
        db.session.commit()


def test_progress_is_served_for_polling_and_a_failure_is_plain_with_a_retry_button(app, client, kim, person,
                                                                                  monkeypatch):
    create(client, targets="es")
    post(client, "/kb-editor/tracking/translate", {"locale": "es"})
    page = client.get("/kb-editor/tracking").get_data(as_text=True)
    assert 'data-states-url="/kb-editor/tracking/states"' in page and "kb_editor.js" in page
    states = client.get("/kb-editor/tracking/states")
    assert states.json["active"] is True
    assert states.json["locales"]["es"]["state"] == "translating" and "0/2" in states.json["locales"]["es"]["html"]
    # Polled every few seconds: the cell's template is compiled once, not again on every poll.
    with monkeypatch.context() as patched:
        patched.setattr(app.jinja_env, "compile", lambda *a, **k: pytest.fail("a template was compiled by a poll"))
        assert client.get("/kb-editor/tracking/states").json["locales"]["es"]["state"] == "translating"

    mark_job(app, "queued", f"retrying after: {TRACEBACKISH}")
    retrying = client.get("/kb-editor/tracking/states").json["locales"]["es"]["html"]
    assert "did not answer (attempt 1); Tolk will retry shortly" in retrying
    assert "HTTPConnectionPool" not in retrying and "0/2" not in retrying

    mark_job(app, "failed", TRACEBACKISH)
    states = client.get("/kb-editor/tracking/states").json
    assert states["active"] is False
    cell = states["locales"]["es"]["html"]
    assert "The translation failed. Press Retry" in cell and 'class="retry"' in cell
    page = client.get("/kb-editor/tracking").get_data(as_text=True)
    assert "HTTPConnectionPool" not in page and "ConnectionError" not in page

    retried = post(client, "/kb-editor/tracking/translate", {"locale": "es"})
    assert "Translation started for 1 locale(s)." in text_of(client.get(retried.location))
    run_jobs(app)
    assert "ready to publish" in row_of(client.get("/kb-editor/tracking").get_data(as_text=True), "es")


def test_admins_see_the_technical_error_editors_do_not(app, client, kim, person):
    create(client, targets="es")
    post(client, "/kb-editor/tracking/translate", {"locale": "es"})
    mark_job(app, "failed", TRACEBACKISH)
    assert "HTTPConnectionPool" not in client.get("/kb-editor/tracking").get_data(as_text=True)
    person("admin", "ada", "en")
    sign_in(client, "ada")
    page = client.get("/kb-editor/tracking").get_data(as_text=True)
    assert "Technical details (admins)" in page and "HTTPConnectionPool(host=&#39;apertium.internal&#39;" in page


def test_the_locale_matrix_wraps_long_messages_instead_of_widening():
    from pathlib import Path

    css = (Path(__file__).parents[2] / "static" / "tolk.css").read_text()
    assert re.search(r"\.matrix td\.state \{[^}]*white-space: normal;[^}]*overflow-wrap: anywhere", css)
