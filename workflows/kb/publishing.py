"""Publishing KB article locales: the live version replaced in one transaction, review outcomes, and the
editor's view of each locale's state.

A locale's published version is replaced only by ``publish``, so a locale is never half-published and an
outdated or re-translating locale keeps serving what was published.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.auth import audit
from tolk.db import utcnow
from tolk.errors import Conflict
from workflows import webhooks
from workflows.kb.articles import current_revision, find_locale, revision_of, segment_texts, settle
from workflows.kb.markup import sanitize
from workflows.kb.models import Article, ArticleLocale, LocaleState
from workflows.models import ReviewItem, TranslationJob


def public_path(locale: str, slug: str) -> str:
    """Where the public page of an article locale is served."""
    return f"/kb/{locale}/{slug}"


def publish(session: Session, row: ArticleLocale, *, body_html: str, title: str, revision: int,
            segments: Sequence[str], actor: str) -> None:
    """Make a version live in one transaction: the published fields, the state and the webhook event."""
    article = row.article
    clean = sanitize(body_html)
    row.published_html, row.published_title = clean, title
    row.published_revision, row.published_segments = revision, list(segments)
    row.published_at = utcnow()
    settle(row)
    data = {"article": article.slug, "locale": row.locale, "revision": revision, "title": title,
            "url": public_path(row.locale, article.slug), "published_at": row.published_at.isoformat()}
    # The same version published twice is one event, even if a retried job gets this far again.
    event_id = f"evt_article_{row.id}_{revision}_{uuid.uuid5(uuid.NAMESPACE_URL, clean).hex[:12]}"
    webhooks.emit(session, "article.published", data, event_id=event_id)  # sent once the transaction commits
    audit("article.published", "article", f"{article.slug}/{row.locale}", actor=actor,
          detail={"revision": revision}, sess=session)


def publish_draft(session: Session, article: Article, locale: str, actor: str) -> ArticleLocale:
    """Publish a non-critical locale's draft whose checks passed (critical articles publish via review)."""
    row = find_locale(article, locale)
    if article.critical:
        raise Conflict(f"{article.slug!r} is critical: it is published when a native reviewer approves it",
                       code="review_required")
    if row.state == LocaleState.TRANSLATING:
        raise Conflict(f"{locale} is being translated; publish when the job is done", code="translating")
    if not row.draft_html:
        raise Conflict(f"{locale} has no draft to publish: translate it first", code="no_draft")
    critical = [f for f in row.findings if f.get("severity") == "critical"]
    if critical:
        raise Conflict(f"{locale} draft has {len(critical)} critical finding(s): send it to review",
                       code="critical_findings", details={"findings": critical[:20]})
    if row.published_revision == row.draft_revision and row.published_html == sanitize(row.draft_html):
        return row
    publish(session, row, body_html=row.draft_html, title=row.draft_title or "", revision=row.draft_revision or 0,
            segments=row.draft_segments, actor=actor)
    return row


_TITLE_HEADING = re.compile(r"^\s*<h1>(.*?)</h1>\s*", re.S)


def review_text(title: str, body_html: str) -> str:
    """What a reviewer sees and edits: the title as a first ``<h1>``, then the body."""
    return f"<h1>{html.escape(title, quote=False)}</h1>\n{body_html}"


def split_review_text(text: str, fallback_title: str) -> tuple[str, str]:
    """(title, body HTML) of an approved review text; the title falls back when the heading was removed."""
    m = _TITLE_HEADING.match(text)
    if not m:
        return fallback_title, text
    title = html.unescape(re.sub(r"<[^>]*>", "", m.group(1))).strip()
    return title or fallback_title, text[m.end():]


def latest_review(session: Session, row_id: int) -> ReviewItem | None:
    """The newest review item of an article locale (None when it was never sent to review)."""
    return session.scalar(select(ReviewItem).where(ReviewItem.kind == "article", ReviewItem.object_id == row_id)
                          .order_by(ReviewItem.id.desc()).limit(1))


def on_review_decided(session: Session, item: ReviewItem, approved: bool, reviewer: Any) -> None:
    """Review outcome of an article locale: approval publishes the reviewer's text; rejection sends the
    locale back to ``outdated`` (or ``missing``) with the reason on the review item."""
    row = session.get(ArticleLocale, item.object_id)
    if row is None:
        return
    latest = latest_review(session, row.id)
    if latest is not None and latest.id != item.id:
        return  # a newer translation is queued for review: this decision is about a stale draft
    if approved:
        title, body = split_review_text(item.final_text or "", row.draft_title or "")
        clean = sanitize(body)
        publish(session, row, body_html=clean, title=title, revision=row.draft_revision or 0,
                segments=segment_texts(clean, row.locale), actor=reviewer.name)
        return
    if row.published_revision is None:
        row.state, row.outdated_segments = LocaleState.MISSING, []
    else:
        settle(row)  # the live version stays: outdated when the source moved on since it was published


def locale_to_dict(session: Session, row: ArticleLocale) -> dict[str, Any]:
    """A locale's state for editors: progress, outdated segments, the live and draft revisions, review."""
    article = row.article
    job = session.get(TranslationJob, row.job_id) if row.job_id else None
    item = latest_review(session, row.id)
    review_info = None
    if item is not None:
        rejected = [r.get("message") for r in item.reasons if r.get("code") == "rejected"]
        review_info = {"id": item.id, "status": item.status.value, "task": item.task,
                       "decided_by": item.decided_by, "rejection_reason": rejected[-1] if rejected else None}
    published = revision_of(article, row.published_revision)
    return {
        "locale": row.locale, "state": row.state.value,
        "progress": {"done": job.done, "total": job.total, "status": job.status.value} if job else None,
        "job": {"id": job.id, "status": job.status.value, "error": job.error} if job else None,
        "outdated_segments": row.outdated_segments,
        "title_outdated": bool(published and published.title != current_revision(article).title),
        "draft_revision": row.draft_revision, "draft_title": row.draft_title, "draft_html": row.draft_html,
        "findings": row.findings,
        "published_revision": row.published_revision, "published_title": row.published_title,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "public_url": public_path(row.locale, article.slug) if row.published_html is not None else None,
        "review": review_info,
    }


def article_to_dict(session: Session, article: Article, *, detail: bool = True) -> dict[str, Any]:
    """An article's current revision and each locale's state (only the states unless ``detail``)."""
    rev = current_revision(article)
    out: dict[str, Any] = {
        "slug": article.slug, "title": rev.title, "source_locale": article.source_locale,
        "critical": article.critical, "target_locales": article.target_locales, "revision": rev.number,
        "updated_at": article.updated_at.isoformat(),
        "locales": {row.locale: (locale_to_dict(session, row) if detail else row.state.value)
                    for row in sorted(article.locales, key=lambda r: r.locale)},
    }
    if detail:
        out.update(body_html=rev.body_html, segments=rev.segments, author=rev.author)
    return out
