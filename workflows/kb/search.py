"""What the public knowledge base shows in a locale, and full-text search over it.

A locale shows its published translations and the articles written in it (the source revision an
editor saved is the source-language page; drafts of translations are never shown). Search is
full-text on both databases: SQLite through the FTS5 table ``kb_search_fts`` (migration 0016), which
is brought up to date before each search by comparing each document's stamp (the published revision
and time, or the source revision) with the one indexed; PostgreSQL through ``to_tsvector`` with the
locale's text search configuration (stemming for the languages PostgreSQL knows, ``simple`` otherwise)
over the published columns themselves. Every word of the query must match; the last one may be the
start of a word, so results come while a visitor is still typing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tolk.languages import base
from workflows.kb.models import Article, ArticleLocale, ArticleRevision

MAX_RESULTS = 50
MAX_QUERY_CHARS = 200
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
#: PostgreSQL's text search configurations, by language (others use ``simple``: no stemming).
PG_CONFIGS = {"ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
              "fi": "finnish", "fr": "french", "hu": "hungarian", "id": "indonesian", "it": "italian",
              "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
              "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "ta": "tamil",
              "tr": "turkish"}


@dataclass(frozen=True)
class Entry:
    """An article as the public sees it in one locale."""

    slug: str
    locale: str
    title: str
    body_html: str
    is_source: bool
    published_at: dt.datetime | None
    stamp: str  # changes whenever what is shown changes


@dataclass(frozen=True)
class Hit:
    """A search result: the article and a plain-text excerpt as (text, matched) pieces."""

    entry: Entry
    excerpt: list[tuple[str, bool]]


def native_name(tag: str) -> str:
    """A locale's name in its own language ("Español", "Català"), or the tag if Babel does not know it."""
    try:
        name = Locale.parse(tag, sep="-").get_display_name(tag.replace("-", "_")) or tag
    except (ValueError, UnknownLocaleError):
        return tag
    return name[:1].upper() + name[1:]


def plain_text(body_html: str) -> str:
    """The text of sanitized HTML: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", body_html)).split())


def _source_entries(session: Session, locale: str | None = None, slug: str | None = None) -> list[Entry]:
    query = select(Article, ArticleRevision).join(ArticleRevision, (ArticleRevision.article_id == Article.id)
                                                  & (ArticleRevision.number == Article.current_revision))
    if locale is not None:
        query = query.where(Article.source_locale == locale)
    if slug is not None:
        query = query.where(Article.slug == slug)
    return [Entry(a.slug, a.source_locale, r.title, r.body_html, True, r.created_at, f"s{r.number}")
            for a, r in session.execute(query)]


def _translated_entries(session: Session, locale: str | None = None, slug: str | None = None) -> list[Entry]:
    query = select(Article.slug, ArticleLocale).join(Article).where(ArticleLocale.published_html.is_not(None))
    if locale is not None:
        query = query.where(ArticleLocale.locale == locale)
    if slug is not None:
        query = query.where(Article.slug == slug)
    out = []
    for article_slug, row in session.execute(query):
        when = row.published_at.isoformat() if row.published_at else ""
        out.append(Entry(article_slug, row.locale, row.published_title or article_slug, row.published_html or "",
                         False, row.published_at, f"l{row.published_revision}@{when}"))
    return out


def entries(session: Session, locale: str) -> list[Entry]:
    """Every article the public sees in ``locale``, by title."""
    found = _translated_entries(session, locale) + _source_entries(session, locale)
    return sorted(found, key=lambda e: (e.title.casefold(), e.slug))


def versions(session: Session, slug: str) -> dict[str, Entry]:
    """The public versions of one article, by locale (the source and each published translation)."""
    return {e.locale: e for e in _source_entries(session, slug=slug) + _translated_entries(session, slug=slug)}


def locales(session: Session) -> list[str]:
    """The locales that have something to show, in order."""
    published = session.scalars(select(ArticleLocale.locale).where(ArticleLocale.published_html.is_not(None))
                                .distinct())
    sources = session.scalars(select(Article.source_locale).distinct())
    return sorted(set(published) | set(sources))


def query_words(query: str) -> list[str]:
    """The words of a visitor's query (punctuation and operators dropped)."""
    return _WORD.findall(query[:MAX_QUERY_CHARS].casefold())


def search(session: Session, locale: str, query: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Articles in ``locale`` matching every word of ``query``, best first."""
    words = query_words(query)
    if not words:
        return []
    shown = {(e.slug, e.is_source): e for e in entries(session, locale)}
    if session.get_bind().dialect.name == "postgresql":
        keys = _search_postgresql(session, locale, words, limit)
    else:
        keys = _search_sqlite(session, locale, words, shown.values(), limit)
    return [Hit(shown[k], excerpt(plain_text(shown[k].body_html), words)) for k in keys if k in shown]


def _doc(entry: Entry) -> str:
    return f"{'s' if entry.is_source else 'l'}:{entry.slug}"


def _search_sqlite(session: Session, locale: str, words: Sequence[str], shown, limit: int
                   ) -> list[tuple[str, bool]]:
    _refresh(session, locale, shown)
    match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
    rows = session.execute(text(
        "SELECT doc FROM kb_search_fts WHERE kb_search_fts MATCH :match AND locale = :locale "
        "ORDER BY bm25(kb_search_fts, 0.0, 0.0, 0.0, 5.0, 1.0) LIMIT :limit"),
        {"match": "{title body}: (" + match.strip() + ")", "locale": locale, "limit": limit}).scalars()
    return [(doc[2:], doc.startswith("s:")) for doc in rows]


def _refresh(session: Session, locale: str, shown) -> None:
    """Bring the FTS5 rows of ``locale`` up to date with what is shown (committed with the request)."""
    indexed: dict[str, str] = {doc: stamp for doc, stamp in session.execute(
        text("SELECT doc, stamp FROM kb_search_fts WHERE locale = :locale"), {"locale": locale})}
    wanted = {_doc(e): e for e in shown}
    stale = [doc for doc, stamp in indexed.items() if doc not in wanted or wanted[doc].stamp != stamp]
    fresh = [e for doc, e in wanted.items() if indexed.get(doc) != e.stamp]
    if not stale and not fresh:
        return
    for doc in stale:
        session.execute(text("DELETE FROM kb_search_fts WHERE locale = :locale AND doc = :doc"),
                        {"locale": locale, "doc": doc})
    for e in fresh:
        session.execute(text("INSERT INTO kb_search_fts (doc, locale, stamp, title, body) "
                             "VALUES (:doc, :locale, :stamp, :title, :body)"),
                        {"doc": _doc(e), "locale": locale, "stamp": e.stamp, "title": e.title,
                         "body": plain_text(e.body_html)})
    session.commit()


def _search_postgresql(session: Session, locale: str, words: Sequence[str], limit: int
                       ) -> list[tuple[str, bool]]:
    config = PG_CONFIGS.get(base(locale), "simple")
    # Words are \w+ only, so the tsquery has no operator but the ones written here.
    tsquery = " & ".join([*words[:-1], f"{words[-1]}:*"])
    rows = session.execute(text(
        "WITH docs AS ("
        " SELECT a.slug AS slug, false AS is_source, l.published_title AS title, l.published_html AS body"
        " FROM article_locales l JOIN articles a ON a.id = l.article_id"
        " WHERE l.locale = :locale AND l.published_html IS NOT NULL"
        " UNION ALL"
        " SELECT a.slug, true, r.title, r.body_html FROM articles a JOIN article_revisions r"
        " ON r.article_id = a.id AND r.number = a.current_revision WHERE a.source_locale = :locale),"
        " scored AS (SELECT slug, is_source, title,"
        " setweight(to_tsvector(CAST(:config AS regconfig), coalesce(title, '')), 'A') ||"
        " setweight(to_tsvector(CAST(:config AS regconfig), coalesce(body, '')), 'B') AS document FROM docs)"
        " SELECT slug, is_source FROM scored, to_tsquery(CAST(:config AS regconfig), :query) AS q"
        " WHERE document @@ q ORDER BY ts_rank(document, q) DESC, title LIMIT :limit"),
        {"locale": locale, "config": config, "query": tsquery, "limit": limit})
    return [(slug, bool(is_source)) for slug, is_source in rows]


def excerpt(plain: str, words: Sequence[str], width: int = 220) -> list[tuple[str, bool]]:
    """About ``width`` characters of ``plain`` around the first word of the query found in it, as
    (text, matched) pieces: a template marks the matched ones without building HTML from text."""
    pattern = re.compile("|".join(rf"\b{re.escape(w)}\w*" for w in words), re.IGNORECASE)
    first = pattern.search(plain)
    start = max(0, (first.start() if first else 0) - width // 3)
    if start:
        start = plain.find(" ", start) + 1 or start
    cut = plain[start:start + width]
    pieces: list[tuple[str, bool]] = [("… ", False)] if start else []
    pos = 0
    for m in pattern.finditer(cut):
        pieces.append((cut[pos:m.start()], False))
        pieces.append((m.group(0), True))
        pos = m.end()
    pieces.append((cut[pos:] + (" …" if start + width < len(plain) else ""), False))
    return [p for p in pieces if p[0]]
