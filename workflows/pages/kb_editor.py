"""KB editor pages: articles with their state per locale; write, translate, preview and publish."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import NotFound, TolkError, ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import Role
from tolk.pagination import first_page_url, next_page_url, page_request, paginate
from tolk.web import commit_or_rollback, form_flag, form_list, page_errors
from workflows import kb
from workflows.kb.models import Article

bp = Blueprint("kb_editor_pages", __name__)
page_errors(bp)


#: Articles per page of the editor's list (default, maximum).
ARTICLES_PAGE = (50, 200)


@bp.get("/kb-editor")
@require(Role.EDITOR)
def kb_articles():
    query = select(Article).options(selectinload(Article.revisions), selectinload(Article.locales))
    page = paginate(db.session, query, Article.slug, page_request(default=ARTICLES_PAGE[0], maximum=ARTICLES_PAGE[1]))
    articles = page.items
    locales_shown = sorted({row.locale for a in articles for row in a.locales})
    rows = [{"article": a, "title": kb.current_revision(a).title,
             "states": {row.locale: kb.locale_to_dict(db.session, row) for row in a.locales}} for a in articles]
    return render_template("kb/editor_list.html", rows=rows, locales=locales_shown, next_url=next_page_url(page),
                           first_url=first_page_url())


def _article_form(article: Article | None, form: dict[str, Any] | None = None, error: str | None = None,
                  status: int = 200):
    info = kb.article_to_dict(db.session, article) if article is not None else None
    if form is None:
        form = {"format": "html", "source_locale": "en", "targets": "", "critical": False}
        if info is not None:
            form.update(slug=info["slug"], title=info["title"], body=info["body_html"],
                        source_locale=info["source_locale"], targets=", ".join(info["target_locales"]),
                        critical=info["critical"])
    return render_template("kb/editor_article.html", article=info, form=form, error=error), status


def _form_article() -> dict[str, Any]:
    return {"slug": request.form.get("slug", "").strip(), "title": request.form.get("title", "").strip(),
            "body": request.form.get("body", "").replace("\r\n", "\n"),
            "format": request.form.get("format", "html"),
            "source_locale": request.form.get("source_locale", "en").strip() or "en",
            "targets": request.form.get("targets", ""), "critical": form_flag("critical")}


def _targets(raw: str) -> list[str]:
    out = []
    for tag in (t.strip() for t in raw.replace("\n", ",").split(",")):
        if not tag:
            continue
        try:
            out.append(canonical(tag))
        except UnknownLanguage as exc:
            raise ValidationError(_("Target locales: %(error)s", error=str(exc))) from exc
    return out


@bp.get("/kb-editor/new")
@require(Role.EDITOR)
def kb_new():
    return _article_form(None)


@bp.post("/kb-editor/new")
@require(Role.EDITOR)
def kb_create():
    user = signed_in_user()
    form = _form_article()
    try:
        if not form["title"]:
            raise ValidationError(_("The title is empty."))
        article = kb.create_article(
            db.session, slug=form["slug"], title=form["title"][:kb.MAX_TITLE_CHARS],
            body_html=kb.source_html(form["body"], form["format"]), source_locale=form["source_locale"],
            critical=form["critical"], target_locales=_targets(form["targets"]), author=user.name)
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        return _article_form(None, form, exc.message, exc.status)
    flash(_("Article created."), "success")
    return redirect(url_for("kb_editor_pages.kb_article", slug=article.slug), code=303)


@bp.get("/kb-editor/<slug>")
@require(Role.EDITOR)
def kb_article(slug: str):
    return _article_form(kb.get_article(db.session, slug))


@bp.post("/kb-editor/<slug>")
@require(Role.EDITOR)
def kb_save(slug: str):
    user = signed_in_user()
    article = kb.get_article(db.session, slug)
    form = _form_article()
    try:
        if not form["title"]:
            raise ValidationError(_("The title is empty."))
        revised = kb.update_article(db.session, article, author=user.name, title=form["title"],
                                    body_html=kb.source_html(form["body"], form["format"]),
                                    critical=form["critical"], target_locales=_targets(form["targets"]))
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        form["slug"] = slug
        return _article_form(kb.get_article(db.session, slug), form, exc.message, exc.status)
    flash(_("Saved as a new revision.") if revised else _("Saved."), "success")
    return redirect(url_for("kb_editor_pages.kb_article", slug=slug), code=303)


@bp.post("/kb-editor/<slug>/translate")
@require(Role.EDITOR)
def kb_translate(slug: str):
    article = kb.get_article(db.session, slug)
    wanted = form_list("locale") or None
    jobs = kb.start_translation(db.session, article, wanted, signed_in_user().name)
    flash(_("Translation started for %(count)d locale(s).", count=len(jobs)), "success")
    return redirect(url_for("kb_editor_pages.kb_article", slug=slug), code=303)


@bp.post("/kb-editor/<slug>/publish")
@require(Role.EDITOR)
def kb_publish(slug: str):
    article = kb.get_article(db.session, slug)
    locale = request.form.get("locale", "")
    author = signed_in_user().name
    commit_or_rollback(lambda: kb.publish_draft(db.session, article, locale, author))
    flash(_("Published %(locale)s.", locale=locale), "success")
    return redirect(url_for("kb_editor_pages.kb_article", slug=slug), code=303)


@bp.get("/kb-editor/<slug>/preview/<locale>")
@require(Role.EDITOR)
def kb_preview(slug: str, locale: str):
    article = kb.get_article(db.session, slug)
    row = kb.find_locale(article, locale)
    which = request.args.get("version", "draft")
    title, body = ((row.published_title, row.published_html) if which == "published"
                   else (row.draft_title, row.draft_html))
    if body is None:
        raise NotFound(_("%(locale)s has no %(version)s version yet.", locale=locale, version=which))
    # kb.sanitize is the KB module's HTML allow-list: the only markup pages render unescaped.
    return render_template("kb/editor_preview.html", article=article, locale=locale, title=title,
                           body=kb.sanitize(body), version=which,
                           direction=kb.text_direction(db.session, locale),
                           public_url=kb.public_path(locale, slug) if row.published_html else None)
