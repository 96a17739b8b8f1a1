"""The knowledge-base API's contract: articles, their locales, translation jobs and published articles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from tolk.pagination import page_params, paged, with_link
from tolk.schema import (
    Absent,
    LanguageTag,
    Schema,
    array,
    component_schemas,
    errors,
    integer,
    json_body,
    model_schema,
    ok,
    op,
    patterned,
    query,
    record,
    ref,
    shaped,
)
from workflows.kb import MAX_TITLE_CHARS
from workflows.kb.models import LocaleState, PublishingPolicy
from workflows.models import JobStatus

TAGS = {"kb_api": "knowledge base"}
#: Articles per page of GET /articles (default, maximum).
ARTICLES_PAGE = (100, 500)
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
    publishing_policy: PublishingPolicy | None = Field(None, description=(
        "How machine translations go live: review (a native reviewer approves; critical articles always), "
        "manual (the editor publishes after looking; the default) or auto (published at once, then spot-checked)"))
    locale_policies: dict[LanguageTag, PublishingPolicy | None] | None = Field(
        None, description="A policy per target locale, overriding the article's (null: the article's)")


class NewArticle(ArticleChange):
    """POST /articles: an article with its slug, title and body."""

    slug: Slug
    title: Title
    body: Body


class TranslateArticle(BaseModel):
    """POST /articles/<slug>/translate: the locales to translate into (all target locales by default)."""

    locales: list[LanguageTag] | None = None


class JobProgress(BaseModel):
    """How far a locale's translation job is."""

    done: int
    total: int
    status: JobStatus


class JobRef(BaseModel):
    """A locale's translation job."""

    id: str
    status: JobStatus
    error: str | None
    message: str | None = Field(description="what went wrong, in plain words (error: the technical summary)")
    attempts: int


class SegmentChange(BaseModel):
    """One changed source segment: where it is now (None when removed), its old and new text."""

    index: int | None
    old_index: int | None
    change: Literal["changed", "added", "removed"]
    old: str | None
    new: str | None


class ArticleDiff(BaseModel):
    """What changed in the source between two revisions, segment by segment."""

    slug: str
    from_revision: int
    to_revision: int
    title: dict[str, str]
    segments: list[SegmentChange]


class LocaleWarning(BaseModel):
    """Something the editor should know about a target locale; the request still succeeded."""

    locale: str
    code: str
    message: str


class ArticleLocale(BaseModel):
    """An article in one target locale: its draft, what is outdated, what is published."""

    locale: str
    state: LocaleState
    progress: JobProgress | None
    job: JobRef | None
    outdated_segments: list[Any]
    outdated_changes: list[SegmentChange]
    title_outdated: bool
    publishing_policy: PublishingPolicy
    locale_policy: PublishingPolicy | None
    policy_note: str
    draft_revision: int | None
    draft_title: str | None
    draft_html: str | None
    findings: list[Any]
    published_revision: int | None
    published_title: str | None
    published_at: dt.datetime | None
    public_url: str | None
    review: dict[str, Any] | None


class _ArticleFields(BaseModel):
    slug: str
    title: str
    source_locale: str
    critical: bool
    target_locales: list[str]
    revision: int
    publishing_policy: PublishingPolicy
    updated_at: dt.datetime


class ArticleSummary(_ArticleFields):
    """An article with each locale's state."""

    locales: dict[str, LocaleState]


class Article(_ArticleFields):
    """An article with its body, segments and every locale."""

    locales: dict[str, ArticleLocale]
    body_html: str
    segments: list[str]
    author: str
    source_format: Literal["html", "markdown"]
    source: str
    sanitizer_removed: list[str] | Absent = None
    warnings: list[LocaleWarning] | Absent = None


class JobObject(BaseModel):
    """What a job works on."""

    type: str
    article: str | Absent = None
    locale: str | Absent = None


class Job(BaseModel):
    """A background job: its status and progress."""

    id: str
    kind: str
    status: JobStatus
    done: int
    total: int
    error: str | None
    message: str | None
    attempts: int
    object: JobObject
    created_at: dt.datetime
    updated_at: dt.datetime


class PublishedArticle(BaseModel):
    """An article as published in one locale."""

    slug: str
    locale: str
    title: str | None
    body_html: str
    revision: int | None
    published_at: dt.datetime | None
    dir: str


def components() -> dict[str, Schema]:
    """Articles, their locales, jobs and published articles, as answered."""
    return component_schemas(ArticleSummary, Article, ArticleLocale, ArticleDiff, Job, PublishedArticle)


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The knowledge-base endpoints, keyed by (method, Flask rule)."""
    return {
        ("GET", "/api/v1/articles"): op("KB articles with each locale's state, by slug, a page at a time", {
            "200": with_link(ok(paged("articles", ref("ArticleSummary")))), **errors(400)},
            params=page_params(*ARTICLES_PAGE)),
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
        ("GET", "/api/v1/articles/<slug>/diff"): op(
            "Which source segments changed between two revisions (default: the previous and the current)", {
                "200": ok(ref("ArticleDiff")), **errors(400, 404)},
            params=[query("from", integer(minimum=1), "the older revision"),
                    query("to", integer(minimum=1), "the newer revision")]),
        ("POST", "/api/v1/articles/<slug>/translate"): op("Queue translation jobs (all target locales by default)", {
            "202": ok(record({"jobs": array(ref("Job"))}), "Queued"), **errors(400, 404, 503)},
            body=json_body(model_schema(TranslateArticle), {"locales": ["es"]}, required=False)),
        ("POST", "/api/v1/articles/<slug>/locales/<locale>/publish"): op(
            "Publish a locale's checked draft (policy manual or auto; the audit names the editor)", {
                "200": ok(ref("ArticleLocale")), **errors(404, 409)}),
        ("GET", "/api/v1/jobs/<job_id>"): op("A translation job's status and progress", {
            "200": ok(ref("Job")), **errors(404)}),
        ("GET", "/api/v1/kb/<locale>/<slug>"): op("A published article in one locale", {
            "200": ok(ref("PublishedArticle")), **errors(404)}),
    }
