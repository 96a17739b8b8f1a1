"""The public knowledge base: languages, per-locale index and full-text search (SQLite FTS5, and
PostgreSQL to_tsvector in the second run), the language switcher, the source page with a notice for a
locale not published yet, and 404 pages in the KB's look. Drafts are never shown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.conftest import run_jobs
from tests.factories import make_article, translate_article
from tests.web.forms import text_of
from tolk.db import db
from workflows.kb import search
from workflows.kb.models import ArticleLocale

RETURNS = ("<p>Send the parcel back within thirty days. Refunds reach your card in five working days.</p>"
           "<p>Damaged items are replaced at no cost.</p>")
CONTACT = "<p>Call our support line or write to us. We answer every message within a day.</p>"


def links(response, css_id: str) -> list[str]:
    """The link texts inside the element with id ``css_id``."""
    page = response.get_data(as_text=True)
    block = page[page.index(f'id="{css_id}"'):]
    block = block[:block.index("</ol>") if "</ol>" in block[:block.find("</ul>") if "</ul>" in block else None]
                  else block.index("</ul>")]
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<a [^>]*>(.*?)</a>", block, re.S)]


@pytest.fixture
def kb_world(app, client, editor):
    """Three English articles: two published in Spanish (by the fake MT, policy auto), one with Catalan not
    yet done."""
    make_article(client, editor, publishing_policy="auto")  # "shipping", en -> es
    make_article(client, editor, slug="returns", title="Returns and refunds", body=RETURNS,
                 target_locales=["es", "ca"], publishing_policy="auto")
    make_article(client, editor, slug="contact", title="Contact us", body=CONTACT, target_locales=["es"],
                 publishing_policy="auto")
    translate_article(client, editor, slug="shipping")
    translate_article(client, editor, slug="returns", locales=["es"])
    run_jobs(app)
    return app


def test_home_lists_languages_by_native_name(kb_world, client):
    page = client.get("/kb/", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    assert links(page, "languages") == ["English", "Español"]
    assert client.get("/kb").status_code in (301, 308)


def test_index_lists_only_what_is_public_in_the_locale(kb_world, client):
    english = client.get("/kb/en/")
    assert links(english, "articles") == ["Contact us", "Returns and refunds", "Shipping times"]
    spanish = client.get("/kb/es/")
    assert spanish.status_code == 200 and len(links(spanish, "articles")) == 2  # contact was never translated
    assert 'lang="es"' in spanish.get_data(as_text=True)
    assert client.get("/kb/ca/").status_code == 404  # nothing published in Catalan
    assert client.get("/kb/ES/").headers["Location"].endswith("/kb/es/")


def test_search_finds_words_and_prefixes_and_marks_them(kb_world, client):
    found = client.get("/kb/en/", query_string={"q": "refunds card"})
    assert found.status_code == 200
    assert links(found, "results") == ["Returns and refunds"]
    assert "<mark>card</mark>" in found.get_data(as_text=True)
    assert sorted(links(client.get("/kb/en/?q=parc"), "results")) == ["Returns and refunds", "Shipping times"]
    assert links(client.get("/kb/en/?q=ANSWER"), "results") == ["Contact us"]


def test_search_only_sees_the_locale_and_what_is_published(kb_world, client, editor):
    assert "No article matches" in text_of(client.get("/kb/es/?q=parcel"))  # English words, Spanish index
    # The source page is the current revision: after an edit, search finds the new text, not the old.
    client.put("/api/v1/articles/contact", json={"body": "<p>Pigeons carry our replies.</p>"}, headers=editor)
    assert "No article matches" in text_of(client.get("/kb/en/?q=answer"))  # the index follows the edit
    assert links(client.get("/kb/en/?q=pigeons"), "results") == ["Contact us"]


@pytest.mark.parametrize("query", ['"', "AND OR NOT", "*", "NEAR(", "a' OR 1=1 --", "))", "x" * 500])
def test_search_syntax_in_a_query_is_just_words(kb_world, client, query):
    response = client.get("/kb/en/", query_string={"q": query})
    assert response.status_code == 200


def test_search_escapes_what_it_shows(app, client, editor):
    make_article(client, editor, slug="xss", title="<script>alert(1)</script> Tips",
                 body="<p>Use &lt;b&gt; carefully: tips inside.</p>")
    page = client.get("/kb/en/?q=tips").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;" in page


def test_article_page_has_a_switcher_with_native_names(kb_world, client):
    page = client.get("/kb/es/shipping")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    nav = html[html.index('class="languages"'):]
    assert re.findall(r'lang="([a-z-]+)">([^<]+)</a>', nav) == [("en", "English"), ("es", "Español")]
    assert 'aria-current="page" href="/kb/es/shipping"' in html
    assert '<link rel="alternate" hreflang="en" href="/kb/en/shipping">' in html


def test_unpublished_locale_shows_the_source_with_a_notice(kb_world, client):
    page = client.get("/kb/ca/returns")
    assert page.status_code == 404  # no Catalan page yet (for crawlers); the visitor reads the English one
    html = page.get_data(as_text=True)
    assert 'id="not-translated"' in html and "Català" in html and "English" in html
    assert "Send the parcel back within thirty days." in html
    assert '<html lang="en"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'id="not-translated"' not in client.get("/kb/en/returns").get_data(as_text=True)


def test_drafts_are_never_public(app, client, editor):
    make_article(client, editor, slug="secret", critical=True, target_locales=["es"])
    translate_article(client, editor, slug="secret")
    run_jobs(app)  # critical: the Spanish draft waits for review
    with app.app_context():
        draft = db.session.scalar(ArticleLocale.__table__.select().where(ArticleLocale.locale == "es")
                                  .with_only_columns(ArticleLocale.draft_html))
    assert draft
    response = client.get("/kb/es/secret")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and 'id="not-translated"' in page and draft not in page
    assert client.get("/kb/es/").status_code == 404


@pytest.mark.parametrize(("url", "offers"), [
    ("/kb/en/no-such-article", False), ("/kb/de/shipping", True), ("/kb/not-a-lang!/shipping", False),
    ("/kb/zz/", False),
])
def test_errors_are_404_pages_in_the_kb_look(kb_world, client, url, offers):
    response = client.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'id="not-found"' in html and 'class="kb-bar"' in html
    assert ("It is available in" in html) is offers
    if offers:
        assert '<a href="/kb/en/shipping" hreflang="en" lang="en">English</a>' in html


def test_native_names():
    assert [search.native_name(t) for t in ("es", "ca", "pt-BR", "zh-Hant", "xx")] == [
        "Español", "Català", "Português (Brasil)", "中文 (繁體)", "xx"]


def test_sqlite_search_keeps_its_fts5_index_up_to_date(kb_world, client, editor, database):
    if database[0] != "sqlite":
        pytest.skip("the FTS5 index is SQLite's; PostgreSQL searches the published columns")
    def indexed():
        with kb_world.app_context():
            return sorted(db.session.execute(text("SELECT doc, stamp FROM kb_search_fts WHERE locale = 'en'")))

    assert indexed() == []  # filled by the first search
    client.get("/kb/en/?q=parcel")
    assert indexed() == [("s:contact", "s1"), ("s:returns", "s1"), ("s:shipping", "s1")]
    client.put("/api/v1/articles/contact", json={"body": "<p>Pigeons carry our replies.</p>"}, headers=editor)
    client.get("/kb/en/?q=pigeons")
    assert indexed() == [("s:contact", "s2"), ("s:returns", "s1"), ("s:shipping", "s1")]  # replaced, not added


def test_postgresql_search_stems_words_in_the_locale_language(kb_world, client, database):
    if database[0] != "postgresql":
        pytest.skip("stemming is PostgreSQL's text search configuration; FTS5 matches words and prefixes")
    assert links(client.get("/kb/en/?q=arriving"), "results") == ["Shipping times"]  # "arrive", English stem
    assert links(client.get("/kb/en/?q=damage"), "results") == ["Returns and refunds"]  # "Damaged"
