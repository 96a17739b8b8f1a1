"""The segment editor: an article locale translated and reviewed segment by segment, its tags protected;
TM and glossary help per segment; lang and dir on every field; broken markup never approved or published."""

from __future__ import annotations

import re

from lxml import etree
from sqlalchemy import select

from glossaries.demo import seed_demo_glossary
from machinery.models import TmOrigin
from machinery.service import services
from tests.conftest import run_jobs
from tests.factories import locale_state, make_article, translate_article
from tests.web.forms import post, sign_in, text_of
from tests.workflows.test_kb_xliff import NS2, export, translate_in_tool, upload
from tolk.db import db
from workflows.kb.models import ArticleLocale
from workflows.models import ReviewItem

PAGE = "/kb-editor/shipping/segments/{}"
# The segments of PLAIN_BODY, translated with their tokens.
SPANISH = ["Enviamos cada pedido en dos días.", "Recibe un correo cuando el paquete sale.",
           "Inicie sesión en su cuenta.", "Abra la página <1>Pedidos</1>.", "Los paquetes llegan en una semana."]


def _row(app, locale="es") -> ArticleLocale:
    with app.app_context():
        row = db.session.scalar(select(ArticleLocale).where(ArticleLocale.locale == locale))
        assert row is not None
        db.session.expunge(row)
        return row


def _save(client, texts, locale="es", title="Plazos de envío", action="save"):
    return post(client, PAGE.format(locale), {"title": title, "target": texts, "action": action})


def test_the_page_shows_each_segment_with_its_tags_as_tokens_and_lang_and_dir(client, editor, person):
    make_article(client, editor)
    person("editor", "eve")
    sign_in(client, "eve")
    page = client.get(PAGE.format("es"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('name="target"') == 5
    assert '<span class="tag-chip" translate="no">&lt;1&gt;</span>Orders<span class="tag-chip" translate="no">&lt;/1&gt;</span>' in html
    assert re.search(r'<textarea id="target-1" name="target" rows="3" lang="es" dir="ltr"', html)
    assert 'id="title" name="title" value="" lang="es" dir="ltr"' in html
    assert '<td class="source" lang="en" dir="ltr">' in html


def test_an_arabic_target_is_right_to_left_on_every_field(client, editor, person):
    make_article(client, editor, target_locales=["ar"])
    person("editor", "eve")
    sign_in(client, "eve")
    html = client.get(PAGE.format("ar")).get_data(as_text=True)
    assert len(re.findall(r'<textarea [^>]*lang="ar" dir="rtl"', html)) == 5
    assert 'lang="ar" dir="rtl" maxlength="300"' in html  # the title
    assert 'dir="ltr"' in html and '<td class="source" lang="en" dir="ltr">' in html


def test_a_lost_closing_tag_is_refused_with_the_segment_number_and_nothing_is_saved(app, client, editor, person):
    make_article(client, editor)
    person("editor", "eve")
    sign_in(client, "eve")
    broken = [*SPANISH[:3], "Abra la página <1>Pedidos.", SPANISH[4]]
    response = _save(client, broken)
    assert response.status_code == 400
    assert "segment 4: &lt;/1&gt; is missing" in response.get_data(as_text=True)
    assert "Abra la página &lt;1&gt;Pedidos." in response.get_data(as_text=True)  # what was typed stays
    row = _row(app)
    assert row.draft_html is None and row.draft_segments == []


def test_saved_segments_become_the_draft_which_the_editor_publishes(app, client, editor, person):
    make_article(client, editor)
    person("editor", "eve")
    sign_in(client, "eve")
    response = _save(client, SPANISH)
    assert response.status_code == 303, text_of(response)
    row = _row(app)
    assert row.state.value == "ready"
    assert row.draft_title == "Plazos de envío"
    assert "<li>Abra la página <b>Pedidos</b>.</li>" in row.draft_html
    assert row.draft_html.startswith("<p>Enviamos cada pedido en dos días. Recibe un correo")
    page = client.get(PAGE.format("es")).get_data(as_text=True)
    assert "Abra la página &lt;1&gt;Pedidos&lt;/1&gt;." in page  # reopens as tokens
    post(client, "/kb-editor/shipping/publish", {"locale": "es"})
    assert locale_state(client, editor)["state"] == "published"
    public = client.get("/kb/es/shipping")
    assert "Abra la página <b>Pedidos</b>." in public.get_data(as_text=True)


def test_a_wrong_number_of_segments_or_an_empty_title_changes_nothing(app, client, editor, person):
    make_article(client, editor)
    person("editor", "eve")
    sign_in(client, "eve")
    assert _save(client, SPANISH[:4]).status_code == 400
    assert _save(client, SPANISH, title=" ").status_code == 400
    assert _row(app).draft_html is None


def test_machine_translation_tm_matches_and_glossary_terms_are_shown_per_segment(app, client, editor, person):
    with app.app_context():
        seed_demo_glossary(db.session)
        services().memory.add(db.session, "en", "es", "Parcels usually arrive within one week.",
                              "Los paquetes suelen llegar en una semana.", TmOrigin.HUMAN)
        db.session.commit()
    make_article(client, editor)
    translate_article(client, editor)
    run_jobs(app)  # Apertium: a draft for the editor (policy manual)
    person("editor", "eve")
    sign_in(client, "eve")
    html = client.get(PAGE.format("es")).get_data(as_text=True)
    machine = re.findall(r'<span class="machine-text">(.*?)</span>', html)
    assert len(machine) == 5 and "&lt;1&gt;" in machine[3] and "&lt;/1&gt;" in machine[3]
    assert "Los paquetes suelen llegar en una semana." in html
    assert re.search(r'<span class="badge">\d+%</span>', html)
    assert re.search(r'<mark class="term"[^>]*>order</mark> → <span lang="es" dir="ltr">pedido', html)


def _article_in_review(app, client, editor):
    make_article(client, editor, critical=True)
    translate_article(client, editor)
    run_jobs(app)
    assert locale_state(client, editor)["state"] == "in_review"
    with app.app_context():
        return db.session.scalar(select(ReviewItem.id).where(ReviewItem.kind == "article"))


def test_the_raw_review_text_with_a_missing_closing_tag_cannot_be_approved(app, client, editor, make_user):
    """The issue's bug: a missing </strong> was approved, published, and made the rest of the page bold."""
    item_id = _article_in_review(app, client, editor)
    reviewer = make_user("reviewer", "es", name="lucia")[1]
    text = ("<h1>Plazos de envío</h1>\n<p>Enviamos <strong>cada pedido en dos días.</p>"
            "<p>Los paquetes llegan en una semana.</p>")
    response = client.post(f"/api/v1/reviews/{item_id}/approve", json={"text": text}, headers=reviewer)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "broken_markup"
    assert "<strong> (line 2) is not closed before </p>" in error["message"]
    state = locale_state(client, editor)
    assert state["state"] == "in_review" and state["published_revision"] is None
    assert client.get("/kb/es/shipping").status_code == 404
    with app.app_context():
        assert db.session.get(ReviewItem, item_id).status.value == "pending"


def test_a_reviewer_approves_segment_by_segment_and_it_is_published(app, client, editor, person):
    item_id = _article_in_review(app, client, editor)
    person("reviewer", "lucia", "es")
    sign_in(client, "lucia")
    link = client.get(f"/review/{item_id}/segments")
    assert link.status_code == 303 and link.headers["Location"].endswith(PAGE.format("es"))
    page = client.get(PAGE.format("es")).get_data(as_text=True)
    assert 'id="approve-segments"' in page
    broken = [*SPANISH[:3], "Abra la página </1>Pedidos<1>.", SPANISH[4]]
    refused = _save(client, broken, action="approve")
    assert refused.status_code == 400 and "segment 4" in refused.get_data(as_text=True)
    assert locale_state(client, editor)["state"] == "in_review"
    response = _save(client, SPANISH, action="approve")
    assert response.status_code == 303, text_of(response)
    state = locale_state(client, editor)
    assert state["state"] == "published"
    public = client.get("/kb/es/shipping").get_data(as_text=True)
    assert "Abra la página <b>Pedidos</b>." in public and "Plazos de envío" in public
    with app.app_context():
        item = db.session.get(ReviewItem, item_id)
        assert item.status.value == "approved" and item.decided_by == "lucia"


def test_a_reviewer_of_another_language_may_not_open_or_save(app, client, editor, person):
    _article_in_review(app, client, editor)
    person("reviewer", "piet", "nl")
    sign_in(client, "piet")
    assert client.get(PAGE.format("es")).status_code == 403
    assert _save(client, SPANISH, action="approve").status_code == 403
    assert locale_state(client, editor)["state"] == "in_review"


def test_a_reviewer_cannot_save_a_locale_that_waits_for_no_review(app, client, editor, person):
    make_article(client, editor)
    person("reviewer", "lucia", "es")
    sign_in(client, "lucia")
    page = client.get(PAGE.format("es")).get_data(as_text=True)
    assert 'id="save-segments"' not in page and "readonly" in page
    assert _save(client, SPANISH).status_code == 403
    assert _save(client, SPANISH, action="approve").status_code == 409
    assert _row(app).draft_html is None


def test_the_arabic_review_textarea_is_right_to_left_and_links_to_the_segment_editor(app, client, editor, person):
    """The issue's bug: the Arabic textarea had lang="ar" but no dir="rtl"."""
    make_article(client, editor, target_locales=["ar"], critical=True)
    translate_article(client, editor)
    run_jobs(app)  # no engine or a draft: either way a review item for ar
    with app.app_context():
        item_id = db.session.scalar(select(ReviewItem.id).where(ReviewItem.target_lang == "ar"))
    person("reviewer", "amal", "ar")
    sign_in(client, "amal")
    html = client.get(f"/review/{item_id}").get_data(as_text=True)
    assert re.search(r'<textarea id="target" name="text" rows="8" lang="ar" dir="rtl"', html)
    assert 'id="machine" lang="ar" dir="rtl"' in html and 'id="source" lang="en" dir="ltr"' in html
    assert f'href="/review/{item_id}/segments"' in html


def test_the_article_form_fields_carry_the_source_language_and_direction(client, editor, person):
    make_article(client, editor, slug="shipping-ar", source_locale="ar", target_locales=["en"],
                 body="<p>نشحن كل طلب في غضون يومين.</p>", title="أوقات الشحن")
    person("editor", "eve")
    sign_in(client, "eve")
    html = client.get("/kb-editor/shipping-ar").get_data(as_text=True)
    assert re.search(r'<input id="title" name="title"[^>]*lang="ar" dir="rtl"', html)
    assert re.search(r'<textarea id="body" name="body" rows="12" lang="ar" dir="rtl"', html)
    assert 'href="/kb-editor/shipping-ar/segments/en"' in html
    new = client.get("/kb-editor/new").get_data(as_text=True)
    assert re.search(r'<textarea id="body" name="body" rows="12" lang="en" dir="ltr"', new)


def test_an_xliff_target_whose_codes_lose_their_end_is_refused_whole(app, client, editor):
    """An agency's tool can write an opening code without its end (<sc> without <ec>): that is the same
    unbalanced tag, refused on import with the segment and line instead of sanitized into a bold page."""
    make_article(client, editor)
    root = etree.fromstring(translate_in_tool(export(client, editor)))
    target = root.find(f".//{{{NS2}}}unit[@id='s3']//{{{NS2}}}target")
    pc = target.find(f"{{{NS2}}}pc")
    start = etree.SubElement(target, f"{{{NS2}}}sc", id=pc.get("id"))
    start.tail = pc.text + (pc.tail or "")
    target.remove(pc)
    response = upload(client, editor, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert response.status_code == 400, response.get_json()
    message = response.get_json()["error"]["message"]
    assert "segment 's3': its inline codes do not nest: <b> (line 1) is never closed" in message
    state = locale_state(client, editor)
    assert state["draft_html"] is None and state["state"] == "missing"


def test_an_editor_may_save_but_not_approve_a_locale_in_review(app, client, editor, person):
    item_id = _article_in_review(app, client, editor)
    person("editor", "eve")
    sign_in(client, "eve")
    assert 'id="approve-segments"' not in client.get(PAGE.format("es")).get_data(as_text=True)
    assert _save(client, SPANISH, action="approve").status_code == 403
    assert _row(app).draft_title != "Plazos de envío"
    assert _save(client, SPANISH).status_code == 303  # the reviewer decides on the saved draft
    assert locale_state(client, editor)["state"] == "in_review"
    with app.app_context():
        assert db.session.get(ReviewItem, item_id).status.value == "pending"
