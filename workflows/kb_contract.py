"""The knowledge-base API's contract: articles, their locales, translation jobs and published articles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from tolk.schema import (
    Absent,
    LanguageTag,
    Schema,
    array,
    boolean,
    enum,
    errors,
    integer,
    json_body,
    model_schema,
    nullable,
    obj,
    ok,
    op,
    patterned,
    record,
    ref,
    shaped,
    string,
    timestamp,
)
from workflows.kb import MAX_TITLE_CHARS
from workflows.models import JobStatus, LocaleState

TAGS = {"kb_api": "knowledge base"}
Slug = Annotated[str, shaped(patterned(120, r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                                       "must be lowercase letters, digits and single hyphens (at most 120)"))]
Title = Annotated[str, Field(max_length=MAX_TITLE_CHARS)]
Body = Annotated[str, Field(description="HTML (sanitized) or Markdown")]


class ArticleChange(BaseModel):
    """PUT /articles/<slug>: the fields to change; a new revision outdates published locales."""

    slug: Slug | Absent = None
    title: Title | Absent = None
    body: Body | Absent = None
    format: Literal["html", "markdown"] | None = None
    source_locale: LanguageTag | None = None
    target_locales: list[LanguageTag] | None = None
    critical: bool | None = None


class NewArticle(ArticleChange):
    """POST /articles: an article with its slug, title and body."""

    slug: Slug
    title: Title
    body: Body


class TranslateArticle(BaseModel):
    """POST /articles/<slug>/translate: the locales to translate into (all target locales by default)."""

    locales: list[LanguageTag] | None = None


def components() -> dict[str, Schema]:
    """Articles, their locales, jobs and published articles, as answered."""
    s, n = string(), nullable(string())
    n_int = nullable(integer())
    any_list = array({})
    article_locale = record({
        "locale": s, "state": enum(LocaleState),
        "progress": nullable(record({"done": integer(), "total": integer(), "status": enum(JobStatus)})),
        "job": nullable(record({"id": s, "status": enum(JobStatus), "error": n})),
        "outdated_segments": any_list, "title_outdated": boolean(), "draft_revision": n_int, "draft_title": n,
        "draft_html": n, "findings": any_list, "published_revision": n_int, "published_title": n,
        "published_at": nullable(timestamp()), "public_url": n, "review": nullable(obj())})
    article = {"slug": s, "title": s, "source_locale": s, "critical": boolean(), "target_locales": array(s),
               "revision": integer(), "updated_at": timestamp()}
    return {
        "ArticleSummary": record({**article, "locales": obj(additionalProperties=enum(LocaleState))}),
        "Article": record({**article, "locales": obj(additionalProperties=ref("ArticleLocale")),
                           "body_html": s, "segments": array(s), "author": s},
                          {"sanitizer_removed": array(s)}),
        "ArticleLocale": article_locale,
        "Job": record({"id": s, "kind": s, "status": enum(JobStatus), "done": integer(), "total": integer(),
                       "error": n, "attempts": integer(), "object": record({"type": s}, {"article": s, "locale": s}),
                       "created_at": timestamp(), "updated_at": timestamp()}),
        "PublishedArticle": record({"slug": s, "locale": s, "title": n, "body_html": s, "revision": n_int,
                                    "published_at": nullable(timestamp()), "dir": s}),
    }


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The knowledge-base endpoints, keyed by (method, Flask rule)."""
    return {
        ("GET", "/api/v1/articles"): op("KB articles with each locale's state", {
            "200": ok(record({"articles": array(ref("ArticleSummary"))}))}),
        ("POST", "/api/v1/articles"): op("Create an article (the body is sanitized)", {
            "201": ok(ref("Article"), "Created"), **errors(400, 409, 413)},
            body=json_body(model_schema(NewArticle), {
                "slug": "returns", "title": "Returns", "body": "<p>Send the item back within 30 days.</p>",
                "target_locales": ["es"]})),
        ("GET", "/api/v1/articles/<slug>"): op("An article with every locale's state", {
            "200": ok(ref("Article")), **errors(404)}),
        ("PUT", "/api/v1/articles/<slug>"): op("Edit an article: a new revision outdates published locales", {
            "200": ok(ref("Article")), **errors(400, 404, 413)},
            body=json_body(model_schema(ArticleChange), {"title": "Returns and refunds"})),
        ("POST", "/api/v1/articles/<slug>/translate"): op("Queue translation jobs (all target locales by default)", {
            "202": ok(record({"jobs": array(ref("Job"))}), "Queued"), **errors(400, 404, 503)},
            body=json_body(model_schema(TranslateArticle), {"locales": ["es"]}, required=False)),
        ("POST", "/api/v1/articles/<slug>/locales/<locale>/publish"): op(
            "Publish a non-critical locale's checked draft", {
                "200": ok(ref("ArticleLocale")), **errors(404, 409)}),
        ("GET", "/api/v1/jobs/<job_id>"): op("A translation job's status and progress", {
            "200": ok(ref("Job")), **errors(404)}),
        ("GET", "/api/v1/kb/<locale>/<slug>"): op("A published article in one locale", {
            "200": ok(ref("PublishedArticle")), **errors(404)}),
    }
