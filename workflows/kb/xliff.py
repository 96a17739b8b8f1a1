"""XLIFF hand-off of KB articles to outside translators: export a locale, import the translated file.

The export holds the article's current revision as segments (``workflows.kb.segmentation``): a unit
``title`` for the title, then ``s0``, ``s1``... in document order, inline markup as codes, notes
(the article, a changed source, check findings) and states: a segment with no draft translation is
``initial``, a draft ``translated``, the published text ``final`` (for an outdated locale, the
published translation of each unchanged segment, so the translator does only what changed). ``<file original>`` names the
article and revision (``tolk-kb:<slug>@<revision>``).

Import is all-or-nothing: the file must be an export of this article at its current revision, with a
translation for every segment and only the inline codes its source has; anything else is refused whole
with the reason and the line. The imported text becomes the locale's draft, checked by the lqa checks,
and then follows the article's normal path: critical articles and drafts with critical findings go to
native review (so does a draft replacing one that waits for review: the new item supersedes it); other
drafts wait for the editor to publish them. Nothing is published on import.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lqa.checks import CheckConfig, run_checks
from lqa.checks import Segment as CheckedSegment
from tolk.auth import audit
from tolk.errors import Conflict
from tolk.languages import same_language
from workflows import review
from workflows.kb import xliff2, xliff12
from workflows.kb.articles import current_revision, find_locale, revision_of
from workflows.kb.markup import sanitize
from workflows.kb.models import Article, ArticleLocale, ArticleRevision, LocaleState, PublishingPolicy
from workflows.kb.policy import effective_policy
from workflows.kb.publishing import latest_review, review_text, settle_draft
from workflows.kb.segmentation import reassemble, segment, with_texts
from workflows.kb.tokens import markup_problems
from workflows.kb.xliff_doc import (
    MAX_BYTES,
    Code,
    Document,
    File,
    Segment,
    SegmentState,
    Unit,
    XliffError,
    content_to_html,
    html_to_content,
    local,
    natives_of,
    parse_xml,
    plain,
)
from workflows.locales import effective_profile
from workflows.models import ReviewStatus

VERSIONS = ("2.1", "2.0", "1.2")
MEDIA_TYPE = "application/xliff+xml"
MAX_FILE_BYTES = MAX_BYTES
_ORIGINAL = re.compile(r"^tolk-kb:(?P<slug>[a-z0-9-]+)@(?P<revision>[0-9]+)$")

__all__ = ["MAX_FILE_BYTES", "MEDIA_TYPE", "VERSIONS", "XliffError", "export_locale", "import_locale", "read", "write"]


def read(data: bytes) -> Document:
    """Parse an XLIFF 2.0, 2.1 or 1.2 file (XliffError with the line when it cannot be read)."""
    root = parse_xml(data)
    if local(root) != "xliff":
        raise XliffError(f"the root element is <{local(root)}>, not <xliff>", root.sourceline)
    namespace = root.nsmap.get(root.prefix)
    if namespace == xliff2.NS:
        return xliff2.read(root)
    if namespace in (xliff12.NS, None):
        return xliff12.read(root)
    raise XliffError(f"unknown XLIFF namespace {namespace!r}", root.sourceline)


def write(doc: Document, version: str) -> bytes:
    """``doc`` as an XLIFF file of ``version`` (2.1, 2.0 or 1.2)."""
    if version == "1.2":
        return xliff12.write(doc)
    return xliff2.write(doc, version)


def _findings_by_segment(row: ArticleLocale) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for f in row.findings or []:
        if isinstance(f.get("segment"), int):
            out.setdefault(f["segment"], []).append(f"check {f.get('check', '?')} ({f.get('severity', '?')}): "
                                                    f"{f.get('message', '')}")
    return out


def locale_targets(row: ArticleLocale, revision: ArticleRevision, count: int
                   ) -> tuple[list[str | None], str | None, SegmentState]:
    """Per segment, the translation to hand over (None: none yet), the title's, and their state.

    The draft of this revision unless it is what is published (translated), else the published text:
    all of it for this revision, for an older one the translation of each source segment that did not
    change (final).
    """
    draft = row.draft_revision == revision.number and bool(row.draft_html) and len(row.draft_segments or []) == count
    live = row.published_revision == revision.number and len(row.published_segments or []) == count
    if draft and not (live and sanitize(row.draft_html or "") == row.published_html):
        return list(row.draft_segments), row.draft_title, SegmentState.TRANSLATED
    published = revision_of(row.article, row.published_revision)
    if published is None or len(row.published_segments or []) != len(published.segments):
        return [None] * count, None, SegmentState.INITIAL
    out: list[str | None] = [None] * count
    matcher = difflib.SequenceMatcher(a=published.segments, b=revision.segments, autojunk=False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out[j1:j2] = row.published_segments[i1:i1 + (j2 - j1)]
    title = row.published_title if published.title == revision.title else None
    return out, title, SegmentState.FINAL


def export_locale(article: Article, locale: str, version: str = "2.1") -> bytes:
    """The article's current revision in ``locale`` as XLIFF, with the draft or published translation."""
    row = find_locale(article, locale)
    revision = current_revision(article)
    sources = segment(revision.body_html, article.source_locale)
    targets, target_title, state = locale_targets(row, revision, len(sources))
    findings = _findings_by_segment(row) if state == SegmentState.TRANSLATED else {}
    f = File(id=article.slug, original=f"tolk-kb:{article.slug}@{revision.number}",
             notes=[f"Tolk KB article {article.slug!r}, revision {revision.number}, {article.source_locale} -> "
                    f"{locale}. Keep the inline codes; translate every segment."])
    f.units.append(Unit(id="title", notes=["The article's title"], segments=[Segment(
        id="title", source=[revision.title], target=[target_title] if target_title else None,
        state=state if target_title else SegmentState.INITIAL)]))
    for i, seg in enumerate(sources):
        notes = list(findings.get(i, []))
        target = targets[i]
        if target is None and state == SegmentState.FINAL:
            notes.insert(0, "New or changed since the locale was published: translate it.")
        f.units.append(Unit(id=f"s{i}", notes=notes, segments=[Segment(
            id=f"s{i}", source=html_to_content(seg.text_html),
            target=html_to_content(target) if target is not None else None,
            state=state if target is not None else SegmentState.INITIAL)]))
    return write(Document(version=version, source_lang=article.source_locale, target_lang=locale, files=[f]),
                 version)


@dataclass
class Imported:
    """What an import did: the locale row and how many segments it took."""

    row: ArticleLocale
    segments: int
    review_id: int | None


def _match_file(doc: Document, article: Article, revision: ArticleRevision, locale: str) -> File:
    if len(doc.files) != 1:
        raise XliffError(f"the file has {len(doc.files)} <file> elements; an article export has one")
    f = doc.files[0]
    m = _ORIGINAL.match(f.original or "")
    if m is None or m["slug"] != article.slug:
        raise XliffError(f"<file original={f.original!r}> is not an export of article {article.slug!r}", f.line)
    if int(m["revision"]) != revision.number:
        raise XliffError(f"the file was exported from revision {m['revision']}; the article is now at revision "
                         f"{revision.number}: export it again", f.line)
    if not (same_language(doc.source_lang, article.source_locale) and doc.target_lang is not None
            and same_language(doc.target_lang, locale)):
        raise XliffError(f"the file is {doc.source_lang} -> {doc.target_lang}; the article's locale is "
                         f"{article.source_locale} -> {locale}", f.line)
    return f


def _translated(seg: Segment, source_text: str) -> list[str | Code]:
    """The segment's target, if its source is the article's and it is translated."""
    if plain(seg.source).split() != source_text.split():
        raise XliffError(f"segment {seg.id!r}: its source is not the article's ({source_text[:60]!r})", seg.line)
    if seg.target is None or seg.state < SegmentState.TRANSLATED or not plain(seg.target).strip():
        raise XliffError(f"segment {seg.id!r} is not translated (state {seg.state.label})", seg.line)
    return seg.target


def _target_html(seg: Segment, source_html: str, source_text: str) -> str:
    target = _translated(seg, source_text)
    natives = natives_of(html_to_content(source_html))
    try:
        return content_to_html(target, natives)
    except KeyError as exc:
        kind, code_id = exc.args[0]
        raise XliffError(f"segment {seg.id!r}: its target has an inline code ({kind} {code_id!r}) its source "
                         "does not have", seg.line) from exc


def check_segments(sources: Sequence[str], texts: Sequence[str], source: str, target: str,
                   check_config: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        config = CheckConfig.from_dict(check_config)
    except ValueError:
        config = CheckConfig()
    return [{**f.to_dict(), "segment": i} for i, (src, text) in enumerate(zip(sources, texts, strict=True))
            for f in run_checks(CheckedSegment(src, text, source, target, fmt="html"), config=config)]


def import_locale(session: Session, article: Article, locale: str, data: bytes, actor: str) -> Imported:
    """Make a translated XLIFF file the locale's draft, checked, then queued for review when the article's
    path asks for it; XliffError (nothing changed) when the file cannot be taken whole."""
    row = find_locale(article, locale)
    if row.state == LocaleState.TRANSLATING:
        raise Conflict(f"{locale} is being translated; import when the job is done", code="translating")
    revision = current_revision(article)
    doc = read(data)
    f = _match_file(doc, article, revision, locale)
    sources = segment(revision.body_html, article.source_locale)
    by_id: dict[str, Segment] = {}
    for unit, seg in ((u, s) for u in f.units for s in u.segments):
        key = seg.id or unit.id
        if key in by_id:
            raise XliffError(f"segment {key!r} appears twice", seg.line)
        by_id[key] = seg
    wanted = ["title", *(f"s{i}" for i in range(len(sources)))]
    unknown = [k for k in by_id if k not in wanted]
    if unknown:
        raise XliffError(f"segment {unknown[0]!r} is not in the article", by_id[unknown[0]].line)
    missing = [k for k in wanted if k not in by_id]
    if missing:
        raise XliffError(f"the file lacks {len(missing)} segment(s) of the article: {', '.join(missing[:10])}")
    title = " ".join(plain(_translated(by_id["title"], revision.title)).split())
    texts = [_target_html(by_id[f"s{i}"], s.text_html, s.text) for i, s in enumerate(sources)]
    for i, text in enumerate(texts):
        # Codes that cross or lose their end would be "repaired" by the sanitizer into a bold rest of the page.
        if problems := markup_problems(text):
            raise XliffError(f"segment 's{i}': its inline codes do not nest: {problems[0]}", by_id[f"s{i}"].line)
    profile = effective_profile(session, locale)
    findings = check_segments([s.text_html for s in sources], texts, article.source_locale, locale,
                      dict(profile.check_config or {}))
    draft = sanitize(reassemble(revision.body_html, with_texts(sources, texts)))
    row.draft_html, row.draft_title, row.draft_segments, row.findings = draft, title, texts, findings
    row.draft_revision, row.job_id = revision.number, None
    critical = [x for x in findings if x.get("severity") == "critical"]
    waiting = latest_review(session, row.id)
    # A review still open is about the draft this import replaces: its decision would publish that text.
    in_review = waiting is not None and waiting.status in (ReviewStatus.PENDING, ReviewStatus.ESCALATED)
    always_review = effective_policy(article, row) == PublishingPolicy.REVIEW
    item = None
    if always_review or critical or in_review:
        reasons = [{"code": "xliff_import", "message": "translated outside Tolk (XLIFF)"}]
        if in_review:
            reasons.append({"code": "replaces_draft_in_review",
                            "message": "the imported file replaces a draft that was waiting for review"})
        if article.critical:
            reasons.append({"code": "critical_article",
                            "message": "critical articles are published after native review"})
        elif always_review:
            reasons.append({"code": "locale:always_review", "message": "the publishing policy is review"})
        if critical:
            reasons.append({"code": "quality:critical_check",
                            "message": f"{len(critical)} critical check finding(s) in the translation"})
        item = review.enqueue(session, kind="article", object_id=row.id, source_lang=article.source_locale,
                              target_lang=locale, source_text=review_text(revision.title, revision.body_html),
                              mt_text=review_text(title, draft), engine=None, channel=None,
                              content_type="article", reasons=reasons, findings=findings,
                              sla_minutes=dict(profile.sla_minutes or {}),
                              holidays=list(profile.holidays or [])).item
        row.state = LocaleState.IN_REVIEW
    elif row.published_revision is None:
        row.state = LocaleState.MISSING  # a draft waiting for the editor's "Publish"
    else:
        settle_draft(row)  # a changed draft of the live revision waits for "Publish"
    session.flush()
    audit("article.xliff_imported", "article", f"{article.slug}/{locale}", actor=actor,
          detail={"revision": revision.number, "version": doc.version, "findings": len(findings),
                  "review": item.id if item is not None else None}, sess=session)
    return Imported(row=row, segments=len(sources), review_id=item.id if item is not None else None)

