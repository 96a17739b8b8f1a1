"""KB endpoints: the articles and jobs JSON API (the public pages are in ``workflows.kb.public``)."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, overload

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tolk.auth import current_user, require
from tolk.db import db
from tolk.errors import NotFound, PayloadTooLarge, ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import Role
from tolk.pagination import page_request, page_response, paginate
from tolk.validation import json_object, language, optional, optional_json_object
from workflows import kb
from workflows.kb.contract import ARTICLES_PAGE
from workflows.kb.models import Article, ArticleLocale, PublishingPolicy
from workflows.kb.policy import apply_policies, parse_policy
from workflows.kb.targets import coverage_warnings, locale_tag
from workflows.models import TranslationJob

bp = Blueprint("kb_api", __name__, url_prefix="/api/v1")


def _actor() -> str:
    user = current_user()
    return user.name if user is not None else "system"


def _targets(body: dict[str, Any], name: str) -> list[str] | None:
    raw = body.get(name)
    if raw is None:
        return None
    out = []
    for i, value in enumerate(raw):
        try:
            out.append(canonical(value))
        except UnknownLanguage as exc:
            raise ValidationError(f"'{name}[{i}]': {exc}", code="unknown_language",
                                  details={"field": name, "index": i}) from exc
    return out


@overload
def _title(body: dict[str, Any], *, required: Literal[True]) -> str: ...
@overload
def _title(body: dict[str, Any], *, required: Literal[False]) -> str | None: ...


def _title(body: dict[str, Any], *, required: bool) -> str | None:
    title = body["title"] if required else body.get("title")
    if title is not None and not title.strip():
        raise ValidationError("'title' must not be empty", details={"field": "title"})
    return title.strip() if title is not None else None


class _Source(NamedTuple):
    html: str | None  # sanitized, None when the body is absent
    removed: list[str]  # what sanitizing dropped (HTML bodies)
    fmt: str
    text: str | None  # the Markdown as written


def _body(body: dict[str, Any], *, required: bool) -> _Source:
    """The body as written and as sanitized HTML."""
    raw = body["body"] if required else body.get("body")
    fmt = optional(body, "format", "html")
    if raw is None:
        return _Source(None, [], fmt, None)
    if len(raw) > kb.MAX_ARTICLE_CHARS:
        raise PayloadTooLarge(f"the body is longer than {kb.MAX_ARTICLE_CHARS} characters")
    removed = kb.removed_markup(raw) if fmt == "html" else []
    return _Source(kb.source_html(raw, fmt), removed, fmt, raw if fmt == "markdown" else None)


def _policies(body: dict[str, Any]) -> tuple[PublishingPolicy | None, dict[str, PublishingPolicy | None]]:
    article = parse_policy(body.get("publishing_policy"), "publishing_policy")
    locales = {locale_tag(loc, "locale_policies"): parse_policy(value, f"locale_policies.{loc}")
               for loc, value in (body.get("locale_policies") or {}).items()}
    return article, locales


@bp.get("/articles")
@require()
def list_articles():
    """Articles by slug, a page at a time (tolk.pagination)."""
    # Revisions and locales in two more queries for the whole page, not two per article.
    query = select(Article).options(selectinload(Article.revisions), selectinload(Article.locales))
    page = paginate(db.session, query, Article.slug, page_request(default=ARTICLES_PAGE[0], maximum=ARTICLES_PAGE[1]))
    return page_response("articles", [kb.article_to_dict(db.session, a, detail=False) for a in page.items], page)


@bp.post("/articles")
@require(Role.EDITOR)
def create_article():
    body = json_object()
    slug = body["slug"]
    title = _title(body, required=True)
    src = _body(body, required=True)
    source = language(body, "source_locale") or "en"
    targets = _targets(body, "target_locales") or []
    critical = bool(body.get("critical"))
    policy, locale_policies = _policies(body)
    article = kb.create_article(db.session, slug=slug, title=title, body_html=src.html or "", source_locale=source,
                                critical=critical, target_locales=targets, author=_actor(),
                                source_format=src.fmt, source_text=src.text)
    apply_policies(article, policy, locale_policies)
    warnings = coverage_warnings(db.session, source, targets)
    db.session.commit()
    return jsonify({**kb.article_to_dict(db.session, article), "sanitizer_removed": src.removed,
                    "warnings": warnings}), 201


@bp.get("/articles/<slug>")
@require()
def show_article(slug: str):
    return jsonify(kb.article_to_dict(db.session, kb.get_article(db.session, slug)))


@bp.put("/articles/<slug>")
@require(Role.EDITOR)
def update_article(slug: str):
    article = kb.get_article(db.session, slug)
    body = json_object()
    title = _title(body, required=False)
    src = _body(body, required=False)
    targets = _targets(body, "target_locales")
    policy, locale_policies = _policies(body)
    kb.update_article(db.session, article, author=_actor(), title=title, body_html=src.html,
                      critical=body.get("critical"), target_locales=targets, source_format=src.fmt,
                      source_text=src.text)
    apply_policies(article, policy, locale_policies)
    warnings = coverage_warnings(db.session, article.source_locale, targets) if targets is not None else []
    db.session.commit()
    return jsonify({**kb.article_to_dict(db.session, article), "sanitizer_removed": src.removed,
                    "warnings": warnings})


@bp.get("/articles/<slug>/diff")
@require()
def article_diff(slug: str):
    article = kb.get_article(db.session, slug)
    to = request.args.get("to", type=int) or article.current_revision
    since = request.args.get("from", type=int) or max(to - 1, 1)
    old, new = kb.revision_of(article, since), kb.revision_of(article, to)
    if old is None or new is None:
        raise NotFound(f"article {slug!r} has revisions 1 to {article.current_revision}")
    return jsonify({"slug": slug, "from_revision": since, "to_revision": to,
                    "title": {"old": old.title, "new": new.title},
                    "segments": kb.segment_diff(old.segments, new.segments)})


@bp.post("/articles/<slug>/translate")
@require(Role.EDITOR)
def translate_article(slug: str):
    article = kb.get_article(db.session, slug)
    body = optional_json_object()
    jobs = kb.start_translation(db.session, article, _targets(body, "locales"), _actor())
    return jsonify({"jobs": [kb.job_to_dict(db.session, j) for j in jobs]}), 202


@bp.post("/articles/<slug>/locales/<locale>/publish")
@require(Role.EDITOR)
def publish_locale(slug: str, locale: str):
    article = kb.get_article(db.session, slug)
    tag = _locale_tag(locale)
    kb.publish_draft(db.session, article, tag, _actor())
    db.session.commit()
    return jsonify(kb.locale_to_dict(db.session, kb.find_locale(article, tag)))


@bp.get("/jobs/<job_id>")
@require()
def show_job(job_id: str):
    job = db.session.get(TranslationJob, job_id)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    return jsonify(kb.job_to_dict(db.session, job))


def _locale_tag(locale: str) -> str:
    try:
        return canonical(locale)
    except UnknownLanguage as exc:
        raise NotFound(f"unknown locale {locale!r}") from exc


def _published(locale: str, slug: str) -> ArticleLocale | None:
    try:
        tag = canonical(locale)
    except UnknownLanguage:
        return None
    return db.session.scalar(select(ArticleLocale).join(Article).where(
        Article.slug == slug, ArticleLocale.locale == tag, ArticleLocale.published_html.is_not(None)))


@bp.get("/kb/<locale>/<slug>")
@require()
def published_article(locale: str, slug: str):
    row = _published(locale, slug)
    if row is None:
        raise NotFound(f"{slug!r} is not published in {locale}")
    return jsonify({"slug": slug, "locale": row.locale, "title": row.published_title,
                    "body_html": kb.sanitize(row.published_html or ""), "revision": row.published_revision,
                    "published_at": row.published_at.isoformat() if row.published_at else None,
                    "dir": kb.text_direction(db.session, row.locale)})
