"""KB endpoints: the articles and jobs JSON API (the public pages are in ``workflows.kb.public``)."""

from __future__ import annotations

from typing import Any, Literal, overload

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tolk.auth import current_user, require
from tolk.db import db
from tolk.errors import NotFound, PayloadTooLarge, ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import Role
from tolk.validation import json_object, language, optional, optional_json_object
from workflows import kb
from workflows.kb.models import Article, ArticleLocale
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


@overload
def _body(body: dict[str, Any], *, required: Literal[True]) -> tuple[str, list[str]]: ...
@overload
def _body(body: dict[str, Any], *, required: Literal[False]) -> tuple[str | None, list[str]]: ...


def _body(body: dict[str, Any], *, required: bool) -> tuple[str | None, list[str]]:
    """The sanitized body HTML (None when absent) and what sanitizing removed."""
    raw = body["body"] if required else body.get("body")
    fmt = optional(body, "format", "html")
    if raw is None:
        return None, []
    if len(raw) > kb.MAX_ARTICLE_CHARS:
        raise PayloadTooLarge(f"the body is longer than {kb.MAX_ARTICLE_CHARS} characters")
    removed = kb.removed_markup(raw) if fmt == "html" else []
    return kb.source_html(raw, fmt), removed


@bp.get("/articles")
@require()
def list_articles():
    # Revisions and locales in two more queries for the whole page, not two per article.
    articles = db.session.scalars(select(Article).order_by(Article.slug)
                                  .options(selectinload(Article.revisions), selectinload(Article.locales))).all()
    return jsonify({"articles": [kb.article_to_dict(db.session, a, detail=False) for a in articles]})


@bp.post("/articles")
@require(Role.EDITOR)
def create_article():
    body = json_object()
    slug = body["slug"]
    title = _title(body, required=True)
    html, removed = _body(body, required=True)
    source = language(body, "source_locale") or "en"
    targets = _targets(body, "target_locales") or []
    critical = bool(body.get("critical"))
    article = kb.create_article(db.session, slug=slug, title=title, body_html=html, source_locale=source,
                                critical=critical, target_locales=targets, author=_actor())
    db.session.commit()
    return jsonify({**kb.article_to_dict(db.session, article), "sanitizer_removed": removed}), 201


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
    html, removed = _body(body, required=False)
    kb.update_article(db.session, article, author=_actor(), title=title, body_html=html,
                      critical=body.get("critical"), target_locales=_targets(body, "target_locales"))
    db.session.commit()
    return jsonify({**kb.article_to_dict(db.session, article), "sanitizer_removed": removed})


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
    row = kb.publish_draft(db.session, article, _locale_tag(locale), _actor())
    db.session.commit()
    return jsonify(kb.locale_to_dict(db.session, row))


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
