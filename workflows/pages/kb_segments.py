"""The segment editor: an article locale translated or reviewed segment by segment, inline tags protected."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tolk.auth import require, require_language, signed_in_user
from tolk.db import db
from tolk.errors import Forbidden, NotFound, TolkError
from tolk.models import Role
from tolk.web import page_errors
from workflows import kb, review
from workflows.kb.models import Article, ArticleLocale
from workflows.kb.segment_editing import (
    SegmentRow,
    approve_segments,
    open_review,
    save_segments,
    segment_rows,
)

bp = Blueprint("kb_segment_pages", __name__)
page_errors(bp)


@bp.app_template_global("text_direction")
def text_direction(locale: str) -> str:
    """``rtl`` or ``ltr`` for a locale, for the ``dir`` of any page's text in that locale."""
    return kb.text_direction(db.session, locale)


def _locale_row(slug: str, locale: str) -> tuple[Article, ArticleLocale]:
    article = kb.get_article(db.session, slug)
    require_language(signed_in_user(), locale)
    return article, kb.find_locale(article, locale)


def _page(article: Article, row: ArticleLocale, *, rows: list[SegmentRow] | None = None, title: str | None = None,
          error: str | None = None, status: int = 200):
    user = signed_in_user()
    if rows is None:
        rows, draft_title = segment_rows(db.session, article, row.locale)
        title = draft_title if title is None else title
    item = open_review(db.session, row)
    source = kb.current_revision(article)
    return render_template(
        "kb/segments.html", article=article, row=row, rows=rows, title=title or "",
        source_title=source.title, revision=source.number, error=error, item=item,
        editor=user.role in (Role.EDITOR, Role.ADMIN),
        can_save=user.role != Role.REVIEWER or item is not None,
        can_approve=item is not None and user.role in (Role.REVIEWER, Role.ADMIN),
        source_dir=kb.text_direction(db.session, article.source_locale),
        target_dir=kb.text_direction(db.session, row.locale)), status


@bp.get("/kb-editor/<slug>/segments/<locale>")
@require(Role.EDITOR, Role.REVIEWER)
def kb_segments(slug: str, locale: str):
    article, row = _locale_row(slug, locale)
    return _page(article, row)


@bp.post("/kb-editor/<slug>/segments/<locale>")
@require(Role.EDITOR, Role.REVIEWER)
def kb_segments_save(slug: str, locale: str):
    user = signed_in_user()
    article, row = _locale_row(slug, locale)
    title = request.form.get("title", "")
    texts = request.form.getlist("target")
    approving = request.form.get("action") == "approve"
    version = request.form.get("version", "")
    try:
        if approving:
            if user.role not in (Role.REVIEWER, Role.ADMIN):
                raise Forbidden(_("Only reviewers approve a translation."))
            approve_segments(db.session, article, locale, title=title, texts=texts, reviewer=user,
                             version=int(version) if version.isdigit() else None)
        else:
            if user.role == Role.REVIEWER and open_review(db.session, row) is None:
                raise Forbidden(_("Reviewers edit a locale while it waits for their review."))
            save_segments(db.session, article, locale, title=title, texts=texts, actor=user)
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        article, row = _locale_row(slug, locale)
        rows, _title = segment_rows(db.session, article, locale)
        for seg, text in zip(rows, texts, strict=False):  # a refused form keeps what was typed
            seg.target = text
        return _page(article, row, rows=rows, title=title, error=exc.message, status=exc.status)
    if approving:
        flash(_("Approved and published %(locale)s.", locale=locale), "success")
        return redirect(url_for("review_pages.review_queue"), code=303)
    flash(_("Saved the %(locale)s draft.", locale=locale), "success")
    return redirect(url_for("kb_segment_pages.kb_segments", slug=slug, locale=locale), code=303)


@bp.get("/review/<int:item_id>/segments")
@require(Role.REVIEWER)
def review_segments(item_id: int):
    """The segment editor of a review item's article locale."""
    item = review.get_item(db.session, signed_in_user(), item_id)
    row = db.session.get(ArticleLocale, item.object_id) if item.kind == "article" else None
    if row is None:
        raise NotFound(_("Review item %(id)d is not an article.", id=item_id))
    return redirect(url_for("kb_segment_pages.kb_segments", slug=row.article.slug, locale=row.locale), code=303)
