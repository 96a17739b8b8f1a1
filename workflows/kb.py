"""KB articles: sanitized revisions, per-locale translation jobs with progress, review and publishing.

An article has a source revision per save and one ``ArticleLocale`` per target locale, whose state is
missing -> translating -> in_review -> published, or failed, and outdated when the source changed after
publishing (``outdated_segments`` names the changed source segments). The published version of a
locale is replaced only in one transaction (``publish``), so a locale is never half-published and an
outdated or re-translating locale keeps serving what was published.

Translation runs as an RQ job per locale (``translate_locale``): segment by segment in batches, TM
first, committing progress after each batch. Re-running it after a crash is safe: batches already
translated come back from the TM as exact matches, and the review item, publication and webhook are
written in the job's final transaction together with the job's ``done`` status.
"""

from __future__ import annotations

import difflib
import html
import logging
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TypedDict

import nh3
from flask import current_app
from rq import Retry
from rq.callbacks import Callback
from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.auth import audit
from tolk.db import db, utcnow
from tolk.errors import Conflict, NotFound, ServiceUnavailable, ValidationError
from tolk.queue import DEFAULT_RETRY, queue, task
from workflows import review, webhooks
from workflows.models import (
    Article,
    ArticleLocale,
    ArticleRevision,
    JobStatus,
    LocaleState,
    ReviewItem,
    TranslationJob,
)
from workflows.segmentation import Segment, reassemble, segment, with_texts

log = logging.getLogger(__name__)

ALLOWED_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "a", "b", "strong", "i", "em", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "br", "img",
})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "th": {"colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Removed with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "noscript", "svg", "math", "object",
                                  "template", "textarea", "select"})
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ARTICLE_CHARS = 200_000
MAX_TITLE_CHARS = 300
#: Segments per engine request: progress is committed after each batch.
BATCH_SIZE = 20
#: How RQ retries a translation job (engine errors, a worker that died); tests shorten the intervals.
TRANSLATION_RETRY: Retry = DEFAULT_RETRY
JOB_TIMEOUT = 1800
#: Test hook: seconds to sleep after each batch, so a test can kill a worker mid-job.
BATCH_PAUSE_ENV = "TOLK_TEST_KB_BATCH_PAUSE"


# --- sanitizing and Markdown -----------------------------------------------------------------------


def sanitize(raw_html: str) -> str:
    """The HTML with only the KB's tags and attributes: no scripts, event handlers or javascript: URLs."""
    return nh3.clean(raw_html, tags=set(ALLOWED_TAGS),
                     attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), clean_content_tags=set(DROPPED_WITH_CONTENT),
                     link_rel="noopener noreferrer", strip_comments=True).strip()


class _MarkupAudit(HTMLParser):
    """Lists what ``sanitize`` will drop from raw HTML, with line numbers, for the editor."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: list[str] = []

    def _note(self, what: str) -> None:
        line = self.getpos()[0]
        entry = f"{what} (line {line})"
        if entry not in self.removed:
            self.removed.append(entry)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._note(f"<{tag}>")
            return
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self._note(f"{name} attribute of <{tag}>")
            elif name in ("href", "src") and value and (url := re.match(r"^\s*([a-zA-Z][\w+.-]*):", value)):
                scheme = url.group(1).lower()
                if scheme not in URL_SCHEMES:
                    self._note(f"{scheme}: URL in {name} of <{tag}>")

    def handle_comment(self, data: str) -> None:
        self._note("comment")


def removed_markup(raw_html: str) -> list[str]:
    """What sanitizing drops from ``raw_html``: elements, attributes and URLs, each with its line."""
    parser = _MarkupAudit()
    parser.feed(raw_html)
    parser.close()
    return parser.removed[:50]


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_MD_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_MD_QUOTE = re.compile(r"^\s*>\s?(.*)$")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")


def _md_inline(text: str) -> str:
    """Inline Markdown: code spans, links, strong and emphasis (HTML in the text is shown, not run)."""
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        codes.append(f"<code>{html.escape(m.group(1), quote=False)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"`([^`]+)`", keep_code, text)
    text = html.escape(text, quote=False)
    text = re.sub(r"\[([^\]]+)\]\(\s*((?:[^()\s]|\([^()\s]*\))+)\s*\)",
                  lambda m: f'<a href="{html.escape(html.unescape(m.group(2)), quote=True)}">{m.group(1)}</a>',
                  text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"<strong>\2</strong>", text)
    text = re.sub(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])", r"<em>\2</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def markdown_to_html(text: str) -> str:
    """Convert the Markdown subset the KB accepts (paragraphs, #-headings, lists, quotes, code, links,
    emphasis) to HTML; raw HTML inside Markdown is escaped. Raise ValidationError naming the line."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag: str | None = None
    quote: list[str] = []
    fence_line: int | None = None
    code: list[str] = []

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append(f"<p>{_md_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append(f"<{list_tag}>" + "".join(f"<li>{_md_inline(i)}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = None
        if quote:
            out.append(f"<blockquote><p>{_md_inline(' '.join(quote))}</p></blockquote>")
            quote.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        if fence_line is not None:
            if _MD_FENCE.match(line):
                out.append(f"<pre><code>{html.escape(chr(10).join(code), quote=False)}</code></pre>")
                fence_line, code = None, []
            else:
                code.append(line)
            continue
        if _MD_FENCE.match(line):
            flush()
            fence_line = number
            continue
        if not line.strip():
            flush()
            continue
        heading, bullet, numbered, quoted = (
            p.match(line) for p in (_MD_HEADING, _MD_BULLET, _MD_NUMBERED, _MD_QUOTE))
        if heading:
            flush()
            level = min(len(heading.group(1)), 4)
            out.append(f"<h{level}>{_md_inline(heading.group(2))}</h{level}>")
        elif listed := bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or quote or (list_tag and list_tag != tag):
                flush()
            list_tag = tag
            items.append(listed.group(1))
        elif quoted:
            if paragraph or items:
                flush()
            quote.append(quoted.group(1))
        elif items and line[:1].isspace():
            items[-1] += " " + line.strip()
        else:
            if items or quote:
                flush()
            paragraph.append(line.strip())
    if fence_line is not None:
        raise ValidationError(f"markdown line {fence_line}: the code block opened here is never closed",
                              code="invalid_markdown", details={"field": "body", "line": fence_line})
    flush()
    return "\n".join(out)


def source_html(body: str, fmt: str) -> str:
    """The sanitized HTML of an article body given as ``html`` or ``markdown``; 400 when it has no text."""
    if fmt not in ("html", "markdown"):
        raise ValidationError("'format' must be one of: html, markdown", details={"field": "format"})
    clean = sanitize(markdown_to_html(body) if fmt == "markdown" else body)
    if not html.unescape(re.sub(r"<[^>]*>", "", clean)).strip():
        raise ValidationError("the body has no text left after removing disallowed markup",
                              code="empty_body", details={"field": "body"})
    return clean


# --- locale profiles ----------------------------------------------------------------------------------


@dataclass
class _DefaultProfile:
    formality: str = "default"
    sla_minutes: dict[str, int] = field(default_factory=dict)
    holidays: list[str] = field(default_factory=list)
    check_config: dict[str, Any] = field(default_factory=dict)
    text_direction: str = "ltr"


def locale_profile(session: Session, locale: str) -> Any:
    """The locale's effective profile (``workflows.locales``), or defaults when profiles are absent."""
    try:
        from workflows.locales import effective_profile
    except ImportError:
        return _DefaultProfile(text_direction="rtl" if locale.split("-")[0] in RTL_LANGUAGES else "ltr")
    return effective_profile(session, locale)


def text_direction(session: Session, locale: str) -> str:
    """``rtl`` or ``ltr`` for a locale: the profile's setting, with Arabic, Hebrew, Persian, Urdu RTL."""
    if locale.split("-")[0] in RTL_LANGUAGES:
        return "rtl"
    direction = getattr(locale_profile(session, locale), "text_direction", "ltr")
    return "rtl" if direction == "rtl" else "ltr"


# --- articles and revisions ---------------------------------------------------------------------------


def get_article(session: Session, slug: str) -> Article:
    """The article ``slug``; NotFound otherwise."""
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound(f"no article {slug!r}")
    return article


def revision_of(article: Article, number: int | None) -> ArticleRevision | None:
    """Revision ``number`` of the article (None when absent)."""
    return next((r for r in article.revisions if r.number == number), None)


def current_revision(article: Article) -> ArticleRevision:
    """The article's latest revision."""
    found = revision_of(article, article.current_revision)
    assert found is not None, f"article {article.slug} lost revision {article.current_revision}"
    return found


def find_locale(article: Article, locale: str) -> ArticleLocale:
    """The article's row for ``locale``; NotFound when it is not a target locale."""
    found = next((lo for lo in article.locales if lo.locale == locale), None)
    if found is None:
        raise NotFound(f"article {article.slug!r} has no locale {locale}")
    return found


def changed_segments(old: Sequence[str], new: Sequence[str]) -> list[int]:
    """Indexes of ``new`` segments that are not in ``old`` at the same place (edited or inserted)."""
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    changed: list[int] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changed.extend(range(j1, j2))
    return changed


def _check_targets(source_locale: str, targets: Iterable[str]) -> list[str]:
    out: list[str] = []
    for target in targets:
        if target == source_locale:
            raise ValidationError(f"target locale {target} is the source locale",
                                  details={"field": "target_locales"})
        if target not in out:
            out.append(target)
    return out


def create_article(session: Session, *, slug: str, title: str, body_html: str, source_locale: str,
                   critical: bool, target_locales: Sequence[str], author: str) -> Article:
    """Create an article with its first revision and a ``missing`` locale per target; 409 if the slug exists."""
    if not SLUG.match(slug) or len(slug) > 120:
        raise ValidationError("'slug' must be lowercase letters, digits and single hyphens (at most 120)",
                              details={"field": "slug"})
    if session.scalar(select(Article.id).where(Article.slug == slug)) is not None:
        raise Conflict(f"an article with slug {slug!r} already exists", code="slug_taken")
    targets = _check_targets(source_locale, target_locales)
    article = Article(slug=slug, source_locale=source_locale, critical=critical, target_locales=targets,
                      current_revision=1)
    article.revisions.append(ArticleRevision(number=1, title=title, body_html=body_html,
                                             segments=_segment_texts(body_html, source_locale), author=author))
    article.locales.extend(ArticleLocale(locale=t, state=LocaleState.MISSING) for t in targets)
    session.add(article)
    session.flush()
    audit("article.created", "article", slug, actor=author, detail={"targets": targets}, sess=session)
    return article


def _segment_texts(body_html: str, lang: str) -> list[str]:
    return [s.text_html for s in segment(body_html, lang)]


def update_article(session: Session, article: Article, *, author: str, title: str | None = None,
                   body_html: str | None = None, critical: bool | None = None,
                   target_locales: Sequence[str] | None = None) -> bool:
    """Save an edit: a changed title or body is a new revision and marks published locales outdated.

    Returns whether a new revision was made. Removing a target locale deletes that locale's
    translation (and its public page).
    """
    if critical is not None:
        article.critical = critical
    if target_locales is not None:
        targets = _check_targets(article.source_locale, target_locales)
        for row in [lo for lo in article.locales if lo.locale not in targets]:
            article.locales.remove(row)
        known = {lo.locale for lo in article.locales}
        article.locales.extend(ArticleLocale(locale=t, state=LocaleState.MISSING)
                               for t in targets if t not in known)
        article.target_locales = targets
    latest = current_revision(article)
    new_title = latest.title if title is None else title
    new_body = latest.body_html if body_html is None else body_html
    revised = (new_title, new_body) != (latest.title, latest.body_html)
    if revised:
        article.current_revision = latest.number + 1
        article.revisions.append(ArticleRevision(
            number=article.current_revision, title=new_title, body_html=new_body,
            segments=_segment_texts(new_body, article.source_locale), author=author))
        session.flush()
        for row in article.locales:
            if row.state in (LocaleState.PUBLISHED, LocaleState.OUTDATED):
                settle(row)
    article.updated_at = utcnow()
    session.flush()
    audit("article.updated", "article", article.slug, actor=author,
          detail={"revision": article.current_revision, "new_revision": revised}, sess=session)
    return revised


def settle(row: ArticleLocale) -> None:
    """Set a locale with a published version to ``published``, or ``outdated`` with the changed segments."""
    article = row.article
    if row.published_revision is None:
        return
    if row.published_revision >= article.current_revision:
        row.state, row.outdated_segments = LocaleState.PUBLISHED, []
        return
    published = revision_of(article, row.published_revision)
    old = published.segments if published is not None else []
    row.state = LocaleState.OUTDATED
    row.outdated_segments = changed_segments(old, current_revision(article).segments)


# --- publishing -----------------------------------------------------------------------------------


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


def _latest_review(session: Session, row_id: int) -> ReviewItem | None:
    return session.scalar(select(ReviewItem).where(ReviewItem.kind == "article", ReviewItem.object_id == row_id)
                          .order_by(ReviewItem.id.desc()).limit(1))


def on_review_decided(session: Session, item: ReviewItem, approved: bool, reviewer: Any) -> None:
    """Review outcome of an article locale: approval publishes the reviewer's text; rejection sends the
    locale back to ``outdated`` (or ``missing``) with the reason on the review item."""
    row = session.get(ArticleLocale, item.object_id)
    if row is None:
        return
    latest = _latest_review(session, row.id)
    if latest is not None and latest.id != item.id:
        return  # a newer translation is queued for review: this decision is about a stale draft
    if approved:
        title, body = split_review_text(item.final_text or "", row.draft_title or "")
        clean = sanitize(body)
        publish(session, row, body_html=clean, title=title, revision=row.draft_revision or 0,
                segments=_segment_texts(clean, row.locale), actor=reviewer.name)
        return
    if row.published_revision is None:
        row.state, row.outdated_segments = LocaleState.MISSING, []
    else:
        settle(row)  # the live version stays: outdated when the source moved on since it was published


# --- translation jobs -----------------------------------------------------------------------------


def _job_ref(row: ArticleLocale) -> str:
    return f"article_locale:{row.id}"


def prepare_jobs(session: Session, article: Article, locales: Sequence[str] | None, actor: str
                 ) -> list[TranslationJob]:
    """Job rows for the current revision in each locale (all targets by default), locales ``translating``.

    A locale already translating is taken over by the new job (the old one finds itself superseded).
    """
    wanted = list(locales) if locales else list(article.target_locales)
    if not wanted:
        raise ValidationError("the article has no target locales", details={"field": "locales"})
    rows = []
    for locale in wanted:
        try:
            rows.append(find_locale(article, locale))
        except NotFound as exc:
            raise ValidationError(f"{locale} is not a target locale of {article.slug!r}",
                                  details={"field": "locales", "locale": locale}) from exc
    jobs = []
    for row in rows:
        job = TranslationJob(id=f"kb-{uuid.uuid4().hex}", kind="article", object_ref=_job_ref(row),
                             status=JobStatus.QUEUED, total=len(current_revision(article).segments) + 1)
        session.add(job)
        row.state, row.job_id, row.draft_revision = LocaleState.TRANSLATING, job.id, article.current_revision
        jobs.append(job)
    audit("article.translate", "article", article.slug, actor=actor, detail={"locales": wanted}, sess=session)
    return jobs


def start_translation(session: Session, article: Article, locales: Sequence[str] | None, actor: str
                      ) -> list[TranslationJob]:
    """Queue one translation job per locale (all targets by default) and commit; 503 if Redis is down."""
    before = {row.id: (row.state, row.job_id, row.draft_revision) for row in article.locales}
    jobs = prepare_jobs(session, article, locales, actor)
    session.commit()
    try:
        q = queue()
        for job in jobs:
            q.enqueue(translate_locale, job.id, job_id=job.id, retry=TRANSLATION_RETRY, job_timeout=JOB_TIMEOUT,
                      on_failure=Callback(on_job_failure), result_ttl=86400, failure_ttl=7 * 86400)
    except Exception as exc:  # noqa: BLE001 - Redis unreachable: no job will run, say so everywhere
        for job in jobs:
            job.status, job.error = JobStatus.FAILED, f"could not queue the job: {type(exc).__name__}: {exc}"[:4000]
            row = _locale_of(session, job)
            if row is not None and row.job_id == job.id:
                # Nothing was queued, so nothing changed: the locale is as it was (a live version stays live).
                row.state, row.job_id, row.draft_revision = before[row.id]
        session.commit()
        raise ServiceUnavailable("the job queue is unavailable; nothing was queued",
                                 code="queue_unavailable") from exc
    return jobs


def _locale_of(session: Session, job: TranslationJob) -> ArticleLocale | None:
    kind, _, ident = job.object_ref.partition(":")
    if kind != "article_locale" or not ident.isdigit():
        return None
    return session.get(ArticleLocale, int(ident))


def _mark_failed(session: Session, job: TranslationJob, error: str) -> None:
    job.status, job.error = JobStatus.FAILED, error[:4000]
    row = _locale_of(session, job)
    if row is not None and row.job_id == job.id:
        row.state = LocaleState.FAILED


@task
def record_job_failure(job_id: str, error: str, final: bool) -> None:
    """Note a failed attempt; the final one marks the job and its locale ``failed`` (never left translating)."""
    with current_app.app_context():
        session = db.session
        job = session.get(TranslationJob, job_id)
        if job is None or job.status == JobStatus.DONE:
            return
        if final:
            _mark_failed(session, job, error)
        else:
            job.status, job.error = JobStatus.QUEUED, f"retrying after: {error}"[:4000]
        session.commit()


def on_job_failure(rq_job: Any, _connection: Any, exc_type: type | None, exc_value: BaseException | None,
                   _traceback: Any) -> None:
    """RQ failure callback, also run for jobs whose worker died (``AbandonedJobError``)."""
    name = exc_type.__name__ if exc_type else "Error"
    message = f"{name}: {exc_value}" if str(exc_value or "") else name
    record_job_failure(rq_job.id, message, not rq_job.should_retry)


@task
def translate_locale(job_id: str) -> str:
    """RQ job: translate one article locale, then publish it or queue it for review."""
    with current_app.app_context():  # a session of its own, whatever ran before
        return run_translation(db.session, job_id)


def _pause() -> None:
    pause = os.environ.get(BATCH_PAUSE_ENV)
    if pause:
        time.sleep(float(pause))


def _termbase(session: Session) -> Any:
    name = current_app.config.get("DEFAULT_GLOSSARY")
    if not name:
        return None
    from glossaries.store import load_termbase

    try:
        return load_termbase(session, name)
    except NotFound:
        return None


def run_translation(session: Session, job_id: str) -> str:
    """The body of ``translate_locale``: idempotent, so a retried or re-run job never duplicates work."""
    from machinery.routing import NoEngineAvailable
    from machinery.service import services

    job = session.get(TranslationJob, job_id)
    if job is None:
        return "missing"
    if job.status == JobStatus.DONE:
        return "done"
    row = _locale_of(session, job)
    if row is None or row.job_id != job.id:
        job.status, job.error = JobStatus.DONE, "superseded by a newer translation request"
        session.commit()
        return "superseded"
    article = row.article
    revision = revision_of(article, row.draft_revision) or current_revision(article)
    segments = segment(revision.body_html, article.source_locale)
    job.status, job.attempts, job.done, job.total = JobStatus.RUNNING, job.attempts + 1, 0, len(segments) + 1
    row.state = LocaleState.TRANSLATING
    session.commit()

    profile = locale_profile(session, row.locale)
    options = {"glossary": _termbase(session), "tm_context": f"kb:{article.id}",
               "formality": profile.formality if profile.formality in ("formal", "informal") else None,
               "content_type": "kb"}
    translator = services().translator
    source, target = article.source_locale, row.locale
    try:
        title = translator.translate(session, [revision.title], source, target, fmt="text", **options)[0]
        job.done = 1
        session.commit()
        results = []
        for start in range(0, len(segments), BATCH_SIZE):
            batch = [s.text_html for s in segments[start:start + BATCH_SIZE]]
            results.extend(translator.translate(session, batch, source, target, fmt="html", **options))
            job.done += len(batch)
            session.commit()
            _pause()
    except NoEngineAvailable as exc:
        job.error = str(exc)[:4000]
        session.commit()  # keep the metering of the failed attempts
        if not exc.unserved:
            raise  # every engine failed: RQ retries; the last failure marks the locale failed
        _queue_human_translation(session, row, revision, profile, str(exc))
        job.status, job.done, job.error = JobStatus.DONE, job.total, None
        session.commit()
        return "human_translation"

    _finish(session, row, revision, segments, title, results, profile)
    job.status, job.done, job.error = JobStatus.DONE, job.total, None
    session.commit()
    return str(row.state)


def _queue_human_translation(session: Session, row: ArticleLocale, revision: ArticleRevision, profile: Any,
                             why: str) -> None:
    article = row.article
    row.draft_html, row.draft_title, row.draft_segments, row.findings = None, None, [], []
    review.enqueue(session, kind="article", object_id=row.id, source_lang=article.source_locale,
                   target_lang=row.locale, source_text=review_text(revision.title, revision.body_html),
                   mt_text=None, engine=None, channel=None, content_type="article", task="translate",
                   reasons=[{"code": "no_engine_for_pair", "message": why}],
                   sla_minutes=dict(profile.sla_minutes or {}), holidays=list(profile.holidays or []))
    row.state = LocaleState.IN_REVIEW


def _check_segments(segments: Sequence[Segment], texts: Sequence[str], source: str, target: str,
                    check_config: dict[str, Any]) -> list[dict[str, Any]]:
    from lqa.checks import CheckConfig, run_checks
    from lqa.checks import Segment as CheckedSegment

    try:
        config = CheckConfig.from_dict(check_config)
    except ValueError:
        log.warning("invalid check config for %s; using the default checks", target)
        config = CheckConfig()
    findings = []
    for i, (seg, text) in enumerate(zip(segments, texts, strict=True)):
        for f in run_checks(CheckedSegment(seg.text_html, text, source, target, fmt="html"), config=config):
            findings.append({**f.to_dict(), "segment": i})
    return findings


def _finish(session: Session, row: ArticleLocale, revision: ArticleRevision, segments: Sequence[Segment],
            title: Any, results: Sequence[Any], profile: Any) -> None:
    """Store the draft, run the checks, then publish it or queue it for review (one transaction)."""
    article = row.article
    texts = [r.text for r in results]
    findings = _check_segments(segments, texts, article.source_locale, row.locale,
                               dict(profile.check_config or {}))
    for i, r in enumerate(results):
        findings.extend({**f, "segment": i} for f in r.term_findings)
    draft = sanitize(reassemble(revision.body_html, with_texts(segments, texts)))
    row.draft_html, row.draft_title, row.draft_segments, row.findings = draft, title.text, texts, findings
    critical = [f for f in findings if f.get("severity") == "critical"]
    engines = Counter(r.engine for r in [title, *results] if r.engine != "tm")
    engine = engines.most_common(1)[0][0] if engines else "tm"
    if article.critical or critical:
        reasons = []
        if article.critical:
            reasons.append({"code": "critical_article",
                            "message": "critical articles are published after native review"})
        if critical:
            reasons.append({"code": "critical_finding",
                            "message": f"{len(critical)} critical check finding(s) in the translation"})
        review.enqueue(session, kind="article", object_id=row.id, source_lang=article.source_locale,
                       target_lang=row.locale, source_text=review_text(revision.title, revision.body_html),
                       mt_text=review_text(title.text, draft), engine=engine, channel=None,
                       content_type="article", reasons=reasons, findings=findings,
                       sla_minutes=dict(profile.sla_minutes or {}), holidays=list(profile.holidays or []))
        row.state = LocaleState.IN_REVIEW
        return
    publish(session, row, body_html=draft, title=title.text, revision=revision.number, segments=texts,
            actor="system")


# --- JSON views -------------------------------------------------------------------------------------


def job_to_dict(session: Session, job: TranslationJob) -> dict[str, Any]:
    """A job's status and progress for ``GET /api/v1/jobs/<id>``."""
    row = _locale_of(session, job)
    obj: dict[str, Any] = {"type": job.object_ref.partition(":")[0]}
    if row is not None:
        obj.update(article=row.article.slug, locale=row.locale)
    return {"id": job.id, "kind": job.kind, "status": job.status.value, "done": job.done, "total": job.total,
            "error": job.error, "attempts": job.attempts, "object": obj,
            "created_at": job.created_at.isoformat(), "updated_at": job.updated_at.isoformat()}


def locale_to_dict(session: Session, row: ArticleLocale) -> dict[str, Any]:
    """A locale's state for editors: progress, outdated segments, the live and draft revisions, review."""
    article = row.article
    job = session.get(TranslationJob, row.job_id) if row.job_id else None
    item = _latest_review(session, row.id)
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


# --- demo content ---------------------------------------------------------------------------------

class DemoArticle(TypedDict):
    """A demo article as :func:`seed_demo_articles` creates it."""

    slug: str
    title: str
    critical: bool
    targets: list[str]
    body: str  # source HTML, sanitized when seeded


DEMO_ARTICLES: list[DemoArticle] = [
    {"slug": "how-refunds-work", "title": "How refunds work", "critical": True, "targets": ["es", "ca", "pl"],
     "body": (
         "<p>When you return an item within 30 days, we refund the full price to your original payment "
         "method. Refunds are processed within five business days after we receive the item.</p>"
         "<h2>Before you start</h2>"
         "<ul><li>Keep your order number at hand.</li><li>Pack the item in its original box.</li>"
         "<li>Print the return label from <a href=\"https://example.com/account\">your account</a>.</li></ul>"
         "<p>Shipping costs are refunded only when the item arrived damaged. "
         "If you paid with a gift card, the refund goes back to that card.</p>")},
    {"slug": "tracking-your-order", "title": "Tracking your order", "critical": False, "targets": ["es", "ca"],
     "body": (
         "<p>As soon as your order ships, we send you an email with a tracking link.</p>"
         "<p>Open the link to see where your parcel is. Tracking can take a day to show the first update.</p>"
         "<ol><li>Sign in to your account.</li><li>Open <b>Orders</b>.</li>"
         "<li>Choose the order and click <b>Track</b>.</li></ol>")},
]


def seed_demo_articles(session: Session) -> None:
    """Load the demo articles (a critical refunds article and a non-critical tracking one); idempotent."""
    for demo in DEMO_ARTICLES:
        if session.scalar(select(Article.id).where(Article.slug == demo["slug"])) is not None:
            continue
        create_article(session, slug=demo["slug"], title=demo["title"], body_html=sanitize(demo["body"]),
                       source_locale="en", critical=demo["critical"], target_locales=demo["targets"],
                       author="kim")
    session.flush()
