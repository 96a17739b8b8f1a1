"""Translating and reviewing an article locale segment by segment.

Each segment of the article's current revision is shown with its source, the machine translation and
the target, its inline tags as protected tokens (``workflows.kb.tokens``), with translation-memory matches
and the glossary terms found in its source. Saving checks every segment's tokens first and changes
nothing when one is wrong; the draft is then reassembled in the source's template (so block markup
cannot break), checked by the lqa checks, and follows the article's path as an XLIFF import does:
critical articles, the policy ``review`` and critical findings go to a native reviewer; other drafts
wait for the editor to publish them. A reviewer with the locale's open review item may save and approve
in one step: approval publishes the reviewed text (``publishing.on_review_decided``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from glossaries.verify import find_terms
from machinery.service import services
from tolk.auth import audit
from tolk.errors import Conflict, ValidationError
from tolk.models import User
from workflows import review
from workflows.kb.articles import current_revision, find_locale
from workflows.kb.jobs import default_termbase
from workflows.kb.markup import sanitize
from workflows.kb.models import Article, ArticleLocale, LocaleState, PublishingPolicy
from workflows.kb.policy import effective_policy
from workflows.kb.publishing import latest_review, review_text, settle_draft
from workflows.kb.segmentation import Segment, reassemble, segment, with_texts
from workflows.kb.tokens import segments_to_html, source_tokens, to_tokens, token
from workflows.kb.xliff import check_segments, locale_targets
from workflows.kb.xliff_doc import Code
from workflows.locales import effective_profile
from workflows.models import ReviewItem, ReviewStatus

#: Translation-memory matches shown per segment, and the lowest score shown.
TM_MATCHES, TM_THRESHOLD = 3, 70.0


@dataclass
class SegmentRow:
    """One segment as the editor shows it: source parts (text and tokens), MT and target as token text."""

    number: int
    source: list[tuple[str, str]]  # (kind, text): kind "text" or "tag" (a protected token), in order
    tokens: list[str]
    machine: str | None
    target: str
    matches: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)


def open_review(session: Session, row: ArticleLocale) -> ReviewItem | None:
    """The locale's review item still waiting for a decision (pending or escalated), if any."""
    item = latest_review(session, row.id)
    if item is not None and item.status in (ReviewStatus.PENDING, ReviewStatus.ESCALATED) and not item.spot_check:
        return item
    return None


def _source_parts(seg: Segment) -> list[tuple[str, str]]:
    return [("text", part) if isinstance(part, str) else ("tag", token(part)) for part in source_tokens(seg.text_html)]


def _terms(termbase: Any, text: str, source: str, target: str) -> list[dict[str, Any]]:
    if termbase is None:
        return []
    out, seen = [], set()
    for start, end, concept in find_terms(text, termbase, source):
        key = text[start:end].lower()
        if key in seen:
            continue
        seen.add(key)
        out.append({"source": text[start:end], "targets": [t.text for t in concept.allowed(target)],
                    "do_not_translate": concept.do_not_translate})
    return out


def segment_rows(session: Session, article: Article, locale: str) -> tuple[list[SegmentRow], str]:
    """The rows of the segment editor for ``locale`` and the target title (draft, else published, else '')."""
    row = find_locale(article, locale)
    revision = current_revision(article)
    sources = segment(revision.body_html, article.source_locale)
    targets, title, _state = locale_targets(row, revision, len(sources))
    machine = row.machine_segments if (row.draft_revision == revision.number and row.machine_segments
                                       and len(row.machine_segments) == len(sources)) else None
    termbase = default_termbase(session)
    memory = services().memory
    rows = []
    for i, seg in enumerate(sources):
        target = targets[i]
        matches = [{"score": round(m.score), "source": m.source_text, "target": m.target_text}
                   for m in memory.lookup_fuzzy(article.source_locale, locale, seg.text, limit=TM_MATCHES,
                                                threshold=TM_THRESHOLD, session=session)]
        rows.append(SegmentRow(
            number=i + 1, source=_source_parts(seg),
            tokens=[token(c) for c in source_tokens(seg.text_html) if isinstance(c, Code)],
            machine=to_tokens(machine[i], seg.text_html) if machine else None,
            target=to_tokens(target, seg.text_html) if target is not None else "",
            matches=matches, terms=_terms(termbase, seg.text, article.source_locale, locale)))
    return rows, title or ""


def save_segments(session: Session, article: Article, locale: str, *, title: str, texts: Sequence[str],
                  actor: User) -> ArticleLocale:
    """Make the segments' texts the locale's draft; 400 (nothing changed) when a segment's tokens are not
    its source's or a text is empty, 409 while the locale is being translated."""
    row = find_locale(article, locale)
    if row.state == LocaleState.TRANSLATING:
        raise Conflict(f"{locale} is being translated; edit it when the job is done", code="translating")
    revision = current_revision(article)
    sources = segment(revision.body_html, article.source_locale)
    if len(texts) != len(sources):
        raise ValidationError(f"{len(texts)} segment(s) sent; the article has {len(sources)}: reload the page",
                              code="segment_count", details={"segments": len(sources)})
    title = " ".join(title.split())
    if not title:
        raise ValidationError("the title is empty: translate it", code="empty_title", details={"field": "title"})
    html_texts = segments_to_html([t.replace("\r\n", "\n") for t in texts], [s.text_html for s in sources])
    profile = effective_profile(session, locale)
    findings = check_segments([s.text_html for s in sources], html_texts, article.source_locale, locale,
                      dict(profile.check_config or {}))
    draft = sanitize(reassemble(revision.body_html, with_texts(sources, html_texts)))
    if row.draft_revision != revision.number:
        row.machine_segments = None  # the engine's text was of another revision
    row.draft_html, row.draft_title, row.draft_segments, row.findings = draft, title, html_texts, findings
    row.draft_revision, row.job_id = revision.number, None
    critical = [f for f in findings if f.get("severity") == "critical"]
    waiting = open_review(session, row)
    if waiting is not None:
        row.state = LocaleState.IN_REVIEW  # the reviewer decides on this draft
    elif article.critical or critical or effective_policy(article, row) == PublishingPolicy.REVIEW:
        reasons = [{"code": "segment_editor", "message": f"translated segment by segment by {actor.name}"}]
        if critical:
            reasons.append({"code": "critical_finding",
                            "message": f"{len(critical)} critical check finding(s) in the translation"})
        review.enqueue(session, kind="article", object_id=row.id, source_lang=article.source_locale,
                       target_lang=locale, source_text=review_text(revision.title, revision.body_html),
                       mt_text=review_text(title, draft), engine=None, channel=None, content_type="article",
                       reasons=reasons, findings=findings, sla_minutes=dict(profile.sla_minutes or {}),
                       holidays=list(profile.holidays or []))
        row.state = LocaleState.IN_REVIEW
    elif row.published_revision is None:
        row.state = LocaleState.READY
    else:
        settle_draft(row)
    session.flush()
    audit("article.segments_saved", "article", f"{article.slug}/{locale}", actor=actor.name,
          detail={"revision": revision.number, "segments": len(sources), "findings": len(findings)}, sess=session)
    return row


def approve_segments(session: Session, article: Article, locale: str, *, title: str, texts: Sequence[str],
                     reviewer: User, version: int | None = None) -> ArticleLocale:
    """A reviewer saves the segments and approves the locale's open review item with that text, which
    publishes it; 409 when nothing waits for review."""
    row = find_locale(article, locale)
    item = open_review(session, row)
    if item is None:
        raise Conflict(f"{locale} has no review waiting for a decision", code="no_review")
    review.get_item(session, reviewer, item.id)  # a reviewer of another language may not decide it
    save_segments(session, article, locale, title=title, texts=texts, actor=reviewer)
    review.approve(session, item, reviewer, text=review_text(row.draft_title or title, row.draft_html or ""),
                   version=version)
    return row
