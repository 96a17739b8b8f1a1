"""The public knowledge base a company links to: languages, a per-locale index and search, article pages
with a language switcher in native names, and errors in the KB's own look.

``/kb/<locale>/`` lists a locale's articles (``?q=`` searches them); ``/kb/<locale>/<slug>`` serves the published translation, or the source-language page (the article as
written) when ``<locale>`` is the article's source. For a target locale not published yet it serves the
source-language page with a notice saying so, answered 404 (the visitor reads the source; for search
engines and link checkers that locale's page does not exist yet). Anything else is a 404 page that offers the versions there are. Drafts are never shown.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from tolk.db import db
from tolk.languages import UnknownLanguage, canonical
from workflows.kb import search
from workflows.kb.articles import text_direction
from workflows.kb.markup import sanitize
from workflows.kb.models import Article

bp = Blueprint("kb_public", __name__)


def _tag(locale: str) -> str:
    try:
        return canonical(locale)
    except UnknownLanguage:
        abort(404)


def _switcher(available: list[str], current: str, endpoint: str, slug: str | None = None) -> list[dict]:
    return [{"locale": loc, "name": search.native_name(loc), "current": loc == current,
             "url": url_for(endpoint, locale=loc, slug=slug) if slug else url_for(endpoint, locale=loc)}
            for loc in available]


def _chrome(locale: str) -> dict:
    """What every public page shows: the page language and direction, the locale's name, the switcher."""
    return {"lang": locale, "direction": text_direction(db.session, locale), "locale": locale,
            "locale_name": search.native_name(locale)}


@bp.get("/kb/")
def public_home():
    available = search.locales(db.session)
    best = request.accept_languages.best_match(available) if available else None
    return render_template("kb/public_home.html", lang="en", direction="ltr", locale=None, best=best,
                           languages=[{"locale": loc, "name": search.native_name(loc),
                                       "count": len(search.entries(db.session, loc))} for loc in available])


@bp.get("/kb/<locale>/")
def public_index(locale: str):
    """The locale's articles by title, or with ``?q=`` the ones matching the search."""
    tag = _tag(locale)
    if tag != locale:
        query = request.args.get("q")
        return redirect(url_for("kb_public.public_index", locale=tag, q=query) if query
                        else url_for("kb_public.public_index", locale=tag), code=301)
    available = search.locales(db.session)
    if tag not in available:
        abort(404)
    switcher = _switcher(available, tag, "kb_public.public_index")
    query = request.args.get("q", "")[:search.MAX_QUERY_CHARS]
    if query.strip():
        return render_template("kb/public_search.html", **_chrome(tag), query=query, switcher=switcher,
                               hits=search.search(db.session, tag, query))
    return render_template("kb/public_index.html", **_chrome(tag), entries=search.entries(db.session, tag),
                           switcher=switcher, query="")


@bp.get("/kb/<locale>/<slug>")
def public_article(locale: str, slug: str):
    tag = _tag(locale)
    versions = search.versions(db.session, slug)
    if not versions:
        abort(404)
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        abort(404)
    source = versions[article.source_locale]
    entry, notice = versions.get(tag), None
    if entry is None:
        if tag not in article.target_locales:
            return _not_here(tag, slug, versions)
        entry, notice = source, {"wanted": tag, "wanted_name": search.native_name(tag)}
    available = sorted(versions)
    others = [loc for loc in available if loc != entry.locale]
    # The body was sanitized when published; sanitizing again costs little and guards older rows.
    page = render_template(
        "kb/public.html", **_chrome(entry.locale), title=entry.title, body=Markup(sanitize(entry.body_html)),
        published_at=entry.published_at, slug=slug, others=others, notice=notice,
        source_name=search.native_name(article.source_locale),
        switcher=_switcher(available, entry.locale, "kb_public.public_article", slug=slug))
    # The visitor reads the source; for crawlers and link checkers the page in that locale does not exist yet.
    return page, 404 if notice else 200


def _not_here(tag: str, slug: str, versions: dict):
    offers = [{"name": search.native_name(loc), "locale": loc,
               "url": url_for("kb_public.public_article", locale=loc, slug=slug)} for loc in sorted(versions)]
    return render_template("kb/public_error.html", lang=tag, direction="ltr", locale=None, status=404,
                           message=None, offers=offers), 404


@bp.errorhandler(404)
def not_found(exc: NotFound):
    """A 404 in the KB's look, with a way back to the index."""
    locale = (request.view_args or {}).get("locale")
    try:
        tag = canonical(locale) if locale else None
    except UnknownLanguage:
        tag = None
    if tag is not None and tag not in search.locales(db.session):
        tag = None  # no index to go back to in that locale
    return render_template("kb/public_error.html", lang=tag or "en", direction="ltr", locale=tag,
                           locale_name=search.native_name(tag) if tag else None, status=404, offers=[]), 404
