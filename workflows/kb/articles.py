"""KB articles and their revisions: create, edit (a new revision per change), look up, and locale states.

An article has a source revision per save and one ``ArticleLocale`` per target locale. A revision keeps
the source as the editor wrote it (``source_format`` html or markdown, Markdown in ``source_text``) beside
its sanitized HTML. Editing the source marks published locales, and locales whose draft waits for review
or for the editor, ``outdated`` with the indexes of the changed source segments.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.auth import audit
from tolk.db import utcnow
from tolk.errors import Conflict, NotFound, ValidationError
from tolk.languages import base
from workflows.kb.models import Article, ArticleLocale, ArticleRevision, LocaleState
from workflows.kb.segmentation import segment
from workflows.locales import effective_profile
from workflows.models import ReviewItem, ReviewStatus

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ARTICLE_CHARS = 200_000
MAX_TITLE_CHARS = 300


def text_direction(session: Session, locale: str) -> str:
    """``rtl`` or ``ltr`` for a locale: the profile's setting, with Arabic, Hebrew, Persian, Urdu RTL."""
    if base(locale) in RTL_LANGUAGES:
        return "rtl"
    return "rtl" if effective_profile(session, locale).text_direction == "rtl" else "ltr"


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


def segment_diff(old: Sequence[str], new: Sequence[str]) -> list[dict[str, Any]]:
    """What changed between two revisions' segments: per changed segment its index in ``new`` (None when
    removed), the old and the new text (None when inserted or removed) and the kind of change."""
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    out: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            before = old[i1 + k] if i1 + k < i2 else None
            after = new[j1 + k] if j1 + k < j2 else None
            if before is not None and after is not None:
                change = "changed"
            else:
                change = "added" if after is not None else "removed"
            out.append({"index": j1 + k if after is not None else None,
                        "old_index": i1 + k if before is not None else None,
                        "change": change, "old": before, "new": after})
    return out


def segment_texts(body_html: str, lang: str) -> list[str]:
    """The segments of sanitized ``body_html`` as HTML strings, in order."""
    return [s.text_html for s in segment(body_html, lang)]


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
                   critical: bool, target_locales: Sequence[str], author: str, source_format: str = "html",
                   source_text: str | None = None) -> Article:
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
                                             segments=segment_texts(body_html, source_locale), author=author,
                                             source_format=source_format, source_text=source_text))
    article.locales.extend(ArticleLocale(locale=t, state=LocaleState.MISSING) for t in targets)
    session.add(article)
    session.flush()
    audit("article.created", "article", slug, actor=author, detail={"targets": targets}, sess=session)
    return article


def update_article(session: Session, article: Article, *, author: str, title: str | None = None,
                   body_html: str | None = None, critical: bool | None = None,
                   target_locales: Sequence[str] | None = None, source_format: str | None = None,
                   source_text: str | None = None) -> bool:
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
    if body_html is None:  # the body is kept as it was written
        source_format, source_text = latest.source_format, latest.source_text
    new_format = source_format or "html"
    new_text = source_text if new_format != "html" else None
    revised = (new_title, new_body, new_format, new_text) != (
        latest.title, latest.body_html, latest.source_format, latest.source_text)
    if revised:
        article.current_revision = latest.number + 1
        article.revisions.append(ArticleRevision(
            number=article.current_revision, title=new_title, body_html=new_body,
            segments=segment_texts(new_body, article.source_locale), author=author,
            source_format=new_format, source_text=new_text))
        session.flush()
        for row in article.locales:
            source_changed(session, row)
    article.updated_at = utcnow()
    session.flush()
    audit("article.updated", "article", article.slug, actor=author,
          detail={"revision": article.current_revision, "new_revision": revised}, sess=session)
    return revised


def source_changed(session: Session, row: ArticleLocale) -> None:
    """After a new source revision: a published locale, or one whose draft waits for review or for the
    editor, becomes ``outdated`` with the changed segments; a pending review of it says the source moved on."""
    if row.published_revision is not None and row.state in (LocaleState.PUBLISHED, LocaleState.OUTDATED):
        settle(row)
        return
    if row.state not in (LocaleState.IN_REVIEW, LocaleState.READY, LocaleState.OUTDATED):
        return
    article = row.article
    drafted = revision_of(article, row.draft_revision)
    row.state = LocaleState.OUTDATED
    row.outdated_segments = changed_segments(drafted.segments if drafted is not None else [],
                                             current_revision(article).segments)
    pending = session.scalar(select(ReviewItem).where(
        ReviewItem.kind == "article", ReviewItem.object_id == row.id, ReviewItem.status == ReviewStatus.PENDING))
    if pending is not None:
        pending.reasons = [*pending.reasons, {
            "code": "source_changed",
            "message": f"the source changed after this was queued (now revision {article.current_revision}); "
                       f"{len(row.outdated_segments)} segment(s) differ: the editor will send a new translation"}]


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
