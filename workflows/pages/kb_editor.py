"""KB editor pages: articles with their state per locale; write, translate, preview and publish."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
        jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import NotFound, TolkError, ValidationError
from tolk.models import Role
from tolk.pagination import first_page_url, next_page_url, page_request, paginate
from tolk.web import commit_or_rollback, form_flag, form_list, page_errors
from workflows import kb
from workflows.kb.models import Article, PublishingPolicy
from workflows.kb.policy import POLICY_NOTES, apply_policies, effective_policy, parse_policy
from workflows.kb.targets import coverage_warnings, locale_tag

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
        form = {"format": "html", "source_locale": "en", "targets": "", "critical": False, "policy": ""}
        if info is not None and article is not None:
            # The body reopens as it was written: Markdown stays Markdown.
            form.update(slug=info["slug"], title=info["title"], body=info["source"], format=info["source_format"],
                        source_locale=info["source_locale"], targets=", ".join(info["target_locales"]),
                        critical=info["critical"], policy=(article.publishing_policy or ""))
    # The source fields are in the article's language (a new article's: the form's when it names one).
    try:
        source_lang = info["source_locale"] if info is not None else locale_tag(form.get("source_locale") or "en",
                                                                                 "source_locale")
    except TolkError:
        source_lang = ""
    return render_template("kb/editor_article.html", article=info, form=form, error=error,
                           source_lang=source_lang, source_dir=kb.text_direction(db.session, source_lang) if source_lang else "auto",
                           policies=list(PublishingPolicy), notes=POLICY_NOTES,
                           admin=signed_in_user().role == Role.ADMIN), status


def _form_article() -> dict[str, Any]:
    return {"slug": request.form.get("slug", "").strip(), "title": request.form.get("title", "").strip(),
            "body": request.form.get("body", "").replace("\r\n", "\n"),
            "format": request.form.get("format", "html"),
            "source_locale": request.form.get("source_locale", "en").strip() or "en",
            "targets": request.form.get("targets", ""), "critical": form_flag("critical"),
            "policy": request.form.get("policy", "").strip()}


def _flash_warnings(warnings: list[dict[str, str]]) -> None:
    for warning in warnings:
        flash(_("Warning: %(message)s", message=warning["message"]), "warning")


def _targets(raw: str) -> list[str]:
    return [locale_tag(tag, "targets") for tag in (t.strip() for t in raw.replace("\n", ",").split(",")) if tag]


def _source(form: dict[str, Any]) -> tuple[str, str | None]:
    """The sanitized HTML of the form's body and the Markdown as written (None for HTML)."""
    return kb.source_html(form["body"], form["format"]), form["body"] if form["format"] == "markdown" else None


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
        source_locale = locale_tag(form["source_locale"], "source_locale")
        targets = _targets(form["targets"])
        body_html, markdown = _source(form)
        article = kb.create_article(
            db.session, slug=form["slug"], title=form["title"][:kb.MAX_TITLE_CHARS], body_html=body_html,
            source_locale=source_locale, critical=form["critical"], target_locales=targets, author=user.name,
            source_format=form["format"], source_text=markdown)
        apply_policies(article, parse_policy(form["policy"], "policy"), {}, clear=True)
        warnings = coverage_warnings(db.session, source_locale, targets)
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        return _article_form(None, form, exc.message, exc.status)
    flash(_("Article created."), "success")
    _flash_warnings(warnings)
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
    before = set(article.target_locales)
    form = _form_article()
    try:
        if not form["title"]:
            raise ValidationError(_("The title is empty."))
        targets = _targets(form["targets"])
        body_html, markdown = _source(form)
        revised = kb.update_article(db.session, article, author=user.name, title=form["title"],
                                    body_html=body_html, critical=form["critical"], target_locales=targets,
                                    source_format=form["format"], source_text=markdown)
        apply_policies(article, parse_policy(form["policy"], "policy"), {}, clear=True)
        added = [t for t in targets if t not in before]
        warnings = coverage_warnings(db.session, article.source_locale, added)
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        form["slug"] = slug
        return _article_form(kb.get_article(db.session, slug), form, exc.message, exc.status)
    flash(_("Saved as a new revision.") if revised else _("Saved."), "success")
    _flash_warnings(warnings)
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
    published = commit_or_rollback(lambda: kb.publish_draft(db.session, article, locale, author))
    flash(_("Published %(locale)s.", locale=locale) if published
          else _("%(locale)s was already published: nothing changed.", locale=locale), "success")
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


@bp.post("/kb-editor/<slug>/policy")
@require(Role.EDITOR)
def kb_locale_policy(slug: str):
    article = kb.get_article(db.session, slug)
    locale = request.form.get("locale", "")
    policy = parse_policy(request.form.get("policy", ""), "policy")
    commit_or_rollback(lambda: apply_policies(article, None, {locale: policy}))
    row = kb.find_locale(article, locale)
    flash(_("%(locale)s: %(note)s.", locale=locale, note=POLICY_NOTES[effective_policy(article, row)]), "success")
    return redirect(url_for("kb_editor_pages.kb_article", slug=slug), code=303)


@bp.get("/kb-editor/<slug>/states")
@require(Role.EDITOR)
def kb_states(slug: str):
    """Each locale's state cell, for the page's progress polling (``static/kb_editor.js``)."""
    article = kb.get_article(db.session, slug)
    infos = {row.locale: kb.locale_to_dict(db.session, row) for row in article.locales}
    admin = signed_in_user().role == Role.ADMIN
    return jsonify({
        "active": any(info["state"] == "translating" for info in infos.values()),
        "locales": {loc: {"state": info["state"], "html": render_template("kb/_state_cell.html", info=info,
                                                                                slug=slug, admin=admin)}
                    for loc, info in infos.items()}})


@bp.post("/kb-editor/preview")
@require(Role.EDITOR)
def kb_source_preview():
    """The body as it will be stored and translated: Markdown rendered, then sanitized."""
    form = _form_article()
    try:
        body = kb.source_html(form["body"], form["format"])
    except TolkError as exc:
        return render_template("kb/editor_source_preview.html", form=form, body=None, error=exc.message), exc.status
    removed = kb.removed_markup(form["body"]) if form["format"] == "html" else []
    return render_template("kb/editor_source_preview.html", form=form, body=body, removed=removed, error=None)
