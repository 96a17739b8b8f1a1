"""The locales API's contract: locale profiles, reply templates and their PO catalogs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tolk.schema import (
    Absent,
    LanguageTag,
    Schema,
    array,
    component_schemas,
    enum,
    errors,
    integer,
    json_body,
    language_tag,
    model_schema,
    no_content,
    nullable,
    obj,
    ok,
    op,
    patterned,
    query,
    record,
    ref,
    shaped,
    string,
    upload_body,
)
from workflows.locales import CHANNELS, DIRECTIONS, FORMALITIES, WEEKDAYS
from workflows.macros import TEMPLATE_ID
from workflows.models import TemplateState

TAGS = {"locales_api": "locales, templates and catalogs"}
Frame = Annotated[str, Field(max_length=1000, description="may use {customer_name}, {agent_name}, {company_name}")]
LongText = Annotated[str, Field(max_length=10000)]


class CheckSettings(BaseModel):
    """Which automatic checks run for the locale, and their severities."""

    model_config = ConfigDict(extra="forbid")

    disabled: list[str] | Absent = None
    enabled: list[str] | None = None
    severity: dict[str, str] | Absent = None


class LocaleProfileChange(BaseModel):
    """PUT /locales/<locale>: named fields change, others stay; null resets a field to the inherited value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=80)] | None = None
    formality: Annotated[str, shaped(enum(FORMALITIES))] | None = None
    greeting: Frame | None = None
    sign_off: Frame | None = None
    upsell_allowed: bool | None = None
    always_review: bool | None = None
    sla_minutes: Annotated[dict[str, int], shaped(nullable(obj(
        {c: integer(minimum=1, maximum=60 * 24 * 30) for c in CHANNELS}, closed=True)))] | None = None
    preferred_channels: list[Annotated[str, shaped(enum(CHANNELS))]] | None = None
    # A list of weekdays or one comma-separated string.
    working_days: Annotated[list[str] | str | None, shaped(nullable(
        {"anyOf": [array(enum(WEEKDAYS), minItems=1), string(minLength=1)]}))] = None
    holidays: list[Annotated[str, Field(json_schema_extra={"format": "date"})]] | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    text_direction: Annotated[str, shaped(enum(DIRECTIONS))] | None = None
    quality_threshold: Annotated[float, Field(ge=0, le=100)] | None = None
    sample_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    check_config: CheckSettings | None = None
    critical_terms: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = None


class TemplateChange(BaseModel):
    """PUT /templates/<id>: the fields to change (POST /templates: a new template, see :class:`NewTemplate`)."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, shaped(patterned(80, TEMPLATE_ID.pattern,
                                        "must be 1-80 lowercase letters, digits, '_', '.' or '-'"))] | Absent = None
    title: Annotated[str, Field(max_length=200)] | None = None
    source_locale: LanguageTag | Absent = None
    source_text: Annotated[str, Field(min_length=1, max_length=10000)] | Absent = None
    source_plural: LongText | None = None
    plural_variable: Annotated[str, shaped(patterned(
        None, r"^[A-Za-z_][A-Za-z0-9_]*$", "must be a variable name such as 'count'"))] | None = None
    comment: LongText | None = None
    critical: bool | Absent = None


class NewTemplate(TemplateChange):
    """POST /templates: a reply template with its id and source text."""

    id: Annotated[str, shaped(patterned(80, TEMPLATE_ID.pattern,
                                        "must be 1-80 lowercase letters, digits, '_', '.' or '-'"))]
    source_text: Annotated[str, Field(min_length=1, max_length=10000)]


class TemplateTranslationChange(BaseModel):
    """PUT /templates/<id>/translations/<locale>: ``forms`` (one per plural form), or one ``text``."""

    forms: Annotated[list[str], Field(min_length=1)] | None = None
    text: str | Absent = None
    state: Annotated[str, shaped(enum(TemplateState))] | None = None
    translator_comment: Annotated[str, Field(max_length=2000)] | None = None


class RenderRequest(BaseModel):
    """POST /templates/<id>/render: the customer's locale and the variables."""

    locale: LanguageTag
    variables: dict[str, Any] | None = None
    use_unreviewed: bool | None = None
    wrap: bool | None = None


class PrefillRequest(BaseModel):
    """POST /catalogs/<locale>/prefill: optionally a glossary to enforce."""

    glossary: str | None = None


class LocaleProfile(BaseModel):
    """A locale's effective profile, each field resolved along its fallback chain (``sources`` says where)."""

    locale: str
    name: str
    formality: str
    greeting: str
    sign_off: str
    upsell_allowed: bool
    sla_minutes: dict[str, int]
    preferred_channels: list[str]
    working_days: list[str]
    holidays: list[str]
    currency: str
    text_direction: Literal["ltr", "rtl"]
    quality_threshold: float
    sample_rate: float
    always_review: bool
    check_config: dict[str, Any]
    critical_terms: list[str]
    chain: list[str]
    sources: dict[str, str]
    stored: bool


class TemplateTranslation(BaseModel):
    """A template's translation into one locale, with its state."""

    locale: str
    forms: list[str]
    state: TemplateState
    effective_state: TemplateState
    outdated: bool
    source_version: int
    translator_comment: str | None
    reviewed_by: str | None
    updated_at: dt.datetime | None


class _TemplateFields(BaseModel):
    id: str
    title: str | None
    source_locale: str
    source_text: str
    source_plural: str | None
    plural_variable: str | None
    comment: str | None
    critical: bool
    version: int
    variables: list[str]


class TemplateSummary(_TemplateFields):
    """A reply template with each locale's state."""

    locales: dict[str, TemplateState]


class Template(_TemplateFields):
    """A reply template with its translations."""

    translations: list[TemplateTranslation]


class FallbackStep(BaseModel):
    """A locale skipped on the way to the one rendered, and why."""

    locale: str
    reason: str


class RenderedTemplate(BaseModel):
    """A template rendered for a customer's locale: the text, the locale used and how it was chosen."""

    template_id: str
    requested_locale: str
    locale_used: str
    text: str
    body: str
    greeting: str
    sign_off: str
    state: str
    chain: list[str]
    fallback: list[FallbackStep]
    used_source: bool
    plural_form: int | None
    unused_variables: list[str]
    template_version: int
    critical: bool
    text_direction: str
    fell_back: bool


class CatalogImport(BaseModel):
    """What importing a PO file did, template by template."""

    locale: str
    state: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    fuzzy: list[str]
    untranslated: list[str]
    outdated: list[str]


class CatalogPrefill(BaseModel):
    """What the machine pre-fill of a catalog did."""

    locale: str
    filled: list[str]
    skipped: list[str]
    engines: dict[str, str]
    problems: list[dict[str, Any]]
    error: str | None
    ok: bool


def components() -> dict[str, Schema]:
    """Locale profiles, templates, rendered templates and catalog results, as answered."""
    return component_schemas(LocaleProfile, TemplateSummary, Template, TemplateTranslation, RenderedTemplate, CatalogImport, CatalogPrefill)


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The locale, template and catalog endpoints, keyed by (method, Flask rule)."""
    lang = language_tag()
    po = "text/x-gettext-translation"
    return {
        ("GET", "/api/v1/locales"): op("Effective profiles of every stored locale", {
            "200": ok(record({"locales": array(ref("LocaleProfile"))}))}),
        ("GET", "/api/v1/locales/<locale>"): op("A locale's effective profile, resolved along its fallbacks", {
            "200": ok(ref("LocaleProfile")), **errors(400)}),
        ("PUT", "/api/v1/locales/<locale>"): op("Create or update a locale profile", {
            "200": ok(ref("LocaleProfile")), "201": ok(ref("LocaleProfile"), "Created"), **errors(400)},
            body=json_body(model_schema(LocaleProfileChange), {"formality": "formal", "sla_minutes": {"email": 480}})),
        ("DELETE", "/api/v1/locales/<locale>"): op("Delete a stored locale profile", {
            "204": no_content(), **errors(400, 404)}),
        ("GET", "/api/v1/templates"): op("Reply templates with each locale's state", {
            "200": ok(record({"templates": array(ref("TemplateSummary"))}))}),
        ("POST", "/api/v1/templates"): op("Create a reply template", {
            "201": ok(ref("Template"), "Created"), **errors(400, 409)},
            body=json_body(model_schema(NewTemplate), {"id": "order-shipped", "title": "Order shipped",
                                                       "source_text": "Your order {order} has shipped."})),
        ("GET", "/api/v1/templates/<template_id>"): op("A template with its translations", {
            "200": ok(ref("Template")), **errors(404)}),
        ("PUT", "/api/v1/templates/<template_id>"): op(
            "Change a template; a changed source makes older translations outdated", {
                "200": ok(ref("Template")), **errors(400, 404)},
            body=json_body(model_schema(TemplateChange), {"title": "Greeting"})),
        ("DELETE", "/api/v1/templates/<template_id>"): op("Delete a template", {"204": no_content(), **errors(404)}),
        ("PUT", "/api/v1/templates/<template_id>/translations/<locale>"): op(
            "Save a translation (`forms`, or `text`); a reviewer of the language saves it reviewed", {
                "200": ok(ref("TemplateTranslation")), **errors(400, 403, 404)},
            body=json_body(model_schema(TemplateTranslationChange), {"forms": ["Hola {name}"]})),
        ("DELETE", "/api/v1/templates/<template_id>/translations/<locale>"): op("Delete a translation", {
            "204": no_content(), **errors(400, 404)}),
        ("POST", "/api/v1/templates/<template_id>/render"): op(
            "Render for a customer's locale: reviewed translation along the fallbacks, variables formatted", {
                "200": ok(ref("RenderedTemplate")), **errors(400, 403, 404)},
            description="`use_unreviewed` previews drafts and is refused to agents.",
            body=json_body(model_schema(RenderRequest), {"locale": "es", "variables": {"name": "Ana"}, "wrap": False})),
        ("GET", "/api/v1/catalogs/messages.pot"): op("Every template as a PO template", {
            "200": ok(string(), "The POT file", po)}),
        ("GET", "/api/v1/catalogs/<locale>.po"): op("A locale's translations as a PO file", {
            "200": ok(string(), "The PO file", po), **errors(400)}),
        ("POST", "/api/v1/catalogs/import"): op("Import a PO file; a refused file stores nothing", {
            "200": ok(ref("CatalogImport")), **errors(400, 403, 413)},
            params=[query("locale", lang, "the catalog's locale when the file has no Language header")],
            body=upload_body({"locale": lang}, "The PO file as multipart `file` (or the raw body)")),
        ("POST", "/api/v1/catalogs/<locale>/prefill"): op(
            "Machine pre-fill of untranslated templates (stored fuzzy)", {
                "200": ok(ref("CatalogPrefill")), **errors(400, 404)},
            body=json_body(model_schema(PrefillRequest), {}, required=False)),
    }
