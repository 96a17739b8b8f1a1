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

from lqa.checks import ProtectedContentCheck
from lqa.checks import Segment as CheckedSegment
from tolk.auth import audit
from tolk.db import utcnow
from tolk.errors import Conflict
from workflows import webhooks
from workflows.kb.articles import (
    current_revision,
    find_locale,
    revision_of,
    segment_diff,
    segment_texts,
    settle,
)
from workflows.kb.markup import sanitize
from workflows.kb.models import Article, ArticleLocale, LocaleState, PublishingPolicy
from workflows.kb.policy import POLICY_NOTES, default_policy, effective_policy
from workflows.kb.tokens import check_markup
from workflows.models import JobStatus, ReviewItem, TranslationJob


def public_path(locale: str, slug: str) -> str:
    """Where the public page of an article locale is served."""
    return f"/kb/{locale}/{slug}"


def publish(session: Session, row: ArticleLocale, *, body_html: str, title: str, revision: int,
            segments: Sequence[str], actor: str, policy: PublishingPolicy) -> None:
    """Make a version live in one transaction: the published fields, the state, the webhook event and the
    audit event, whose actor is the person who published it (``system`` only under policy ``auto``)."""
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
          detail={"revision": revision, "policy": policy.value,
                  **({"note": "published automatically: the locale's policy is auto"}
                     if policy == PublishingPolicy.AUTO else {})}, sess=session)


def settle_draft(row: ArticleLocale) -> None:
    """After a new draft of a published locale: ``settle`` it, but a draft that differs from the live text of
    the same revision is ``ready`` (it waits for the editor's Publish) rather than ``published``."""
    settle(row)
    if row.state == LocaleState.PUBLISHED and row.draft_html and sanitize(row.draft_html) != row.published_html:
        row.state = LocaleState.READY


def publish_draft(session: Session, article: Article, locale: str, actor: str) -> bool:
    """The editor publishes a locale's checked draft (policy ``manual`` or ``auto``); returns False when that
    draft is already live. 409 with a reason when it cannot be published: policy ``review``, being
    translated, no draft, a draft of an older source revision, or critical findings."""
    row = find_locale(article, locale)
    policy = effective_policy(article, row)
    if policy == PublishingPolicy.REVIEW:
        why = ("is critical" if article.critical else "has the publishing policy review")
        raise Conflict(f"{article.slug!r} {why}: {locale} is published when a native reviewer approves it",
                       code="review_required")
    if row.state == LocaleState.TRANSLATING:
        raise Conflict(f"{locale} is being translated; publish when the job is done", code="translating")
    if not row.draft_html:
        raise Conflict(f"{locale} has no draft to publish: translate it first", code="no_draft")
    if (row.draft_revision or 0) < article.current_revision:
        raise Conflict(f"the {locale} draft translates revision {row.draft_revision} but the source is at revision "
                       f"{article.current_revision}: translate {locale} again, then publish", code="draft_outdated",
                       details={"draft_revision": row.draft_revision, "revision": article.current_revision})
    check_markup(row.draft_html, f"the {locale} draft")
    critical = [f for f in row.findings if f.get("severity") == "critical"]
    if critical:
        raise Conflict(f"{locale} draft has {len(critical)} critical finding(s): send it to review",
                       code="critical_findings", details={"findings": critical[:20]})
    if row.published_revision == row.draft_revision and row.published_html == sanitize(row.draft_html):
        return False
    publish(session, row, body_html=row.draft_html, title=row.draft_title or "", revision=row.draft_revision or 0,
            segments=row.draft_segments, actor=actor, policy=policy)
    return True


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
        # A missing </strong> would be "repaired" by the sanitizer into a bold rest of the page: refuse it.
        check_markup(item.final_text or "", "the approved text")
        clean = sanitize(body)
        # The reviewer's text is checked too: code, keys and translate="no" content must stay as written.
        source = revision_of(row.article, row.draft_revision) or current_revision(row.article)
        row.findings = [f.to_dict() for f in ProtectedContentCheck().run(
            CheckedSegment(source.body_html, clean, row.article.source_locale, row.locale, fmt="html"))]
        publish(session, row, body_html=clean, title=title, revision=row.draft_revision or 0,
                segments=segment_texts(clean, row.locale), actor=reviewer.name, policy=PublishingPolicy.REVIEW)
        return
    if row.published_revision is None:
        row.state, row.outdated_segments = LocaleState.MISSING, []
    else:
        settle(row)  # the live version stays: outdated when the source moved on since it was published


RETRYING_PREFIX = "retrying after: "


def job_message(job: TranslationJob | None) -> str | None:
    """What the editor is told about a job that is not going well, in plain words (the technical error
    is in the log, the jobs API and the admin's view of the article)."""
    if job is None:
        return None
    if job.status == JobStatus.FAILED:
        return "The translation failed. Press Retry to try again; if it fails again, ask an administrator."
    if job.status == JobStatus.QUEUED and (job.error or "").startswith(RETRYING_PREFIX):
        return f"The translation engine did not answer (attempt {job.attempts}); Tolk will retry shortly."
    return None


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
    policy = effective_policy(article, row)
    changes = []
    if row.state == LocaleState.OUTDATED:
        based_on = published or revision_of(article, row.draft_revision)
        changes = segment_diff(based_on.segments if based_on else [], current_revision(article).segments)
    return {
        "locale": row.locale, "state": row.state.value,
        "publishing_policy": policy.value,
        "locale_policy": row.publishing_policy.value if row.publishing_policy else None,
        "policy_note": POLICY_NOTES[policy],
        "progress": {"done": job.done, "total": job.total, "status": job.status.value} if job else None,
        "job": {"id": job.id, "status": job.status.value, "error": job.error, "message": job_message(job),
                "attempts": job.attempts}
        if job else None,
        "outdated_segments": row.outdated_segments,
        "outdated_changes": changes,
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
        "publishing_policy": default_policy(article).value,
        "updated_at": article.updated_at.isoformat(),
        "locales": {row.locale: (locale_to_dict(session, row) if detail else row.state.value)
                    for row in sorted(article.locales, key=lambda r: r.locale)},
    }
    if detail:
        out.update(body_html=rev.body_html, segments=rev.segments, author=rev.author,
                   source_format=rev.source_format, source=rev.source_text if rev.source_text is not None
                   else rev.body_html)
    return out
