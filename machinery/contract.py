"""The translation API's contract: /translate, /engines and the translation memory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tolk.pagination import page_params, paged, with_link
from tolk.schema import (
    Absent,
    LanguageTag,
    Schema,
    array,
    boolean,
    component_schemas,
    errors,
    integer,
    json_body,
    language_tag,
    model_schema,
    nullable,
    number,
    obj,
    ok,
    op,
    query,
    record,
    ref,
    string,
    upload_body,
)

TAGS = {"machinery_api": "translation"}
#: Segments per page of GET /tm/segments (default, maximum).
TM_PAGE = (100, 1000)
Format = Literal["text", "html"]
Formality = Literal["default", "formal", "informal"]


class TranslateRequest(BaseModel):
    """POST /translate: one text or a batch, into one language."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["texts"]}],
                                                 "x-error-reason": "give exactly one of 'text' or 'texts'"})

    text: str | Absent = None
    texts: Annotated[list[str], Field(min_length=1)] | Absent = None
    target_lang: LanguageTag
    source_lang: LanguageTag | None = None
    format: Format | None = None
    formality: Formality | None = None
    context: Annotated[str, Field(max_length=2000)] | None = None
    glossary: Annotated[str, Field(max_length=80)] | None = None


class DetectionCandidate(BaseModel):
    """A language the detector considered, with its confidence."""

    lang: str
    confidence: float


class Detection(BaseModel):
    """Which language a text is in, how sure the detector is, and the runners-up."""

    lang: str | None
    confidence: float
    margin: float
    reliable: bool
    candidates: list[DetectionCandidate]


class EngineAttempt(BaseModel):
    """One engine tried for a translation, and how that went."""

    engine: str
    outcome: str
    code: str | None
    message: str | None


class Translation(BaseModel):
    """One translated text, with where it came from (memory or engine) and what was checked."""

    text: str
    engine: str
    origin: str
    source_lang: str
    detected_source_lang: str | None
    tm_score: float | None = None
    tm_origin: str | None = None
    billed_characters: int | Absent = None
    failed_over: bool | Absent = None
    attempts: list[EngineAttempt] | Absent = None
    term_findings: list[Any] | Absent = None
    lost_tokens: list[Any] | Absent = None
    suggestion: Any = None
    detection: Detection | Absent = None


class TmMatch(BaseModel):
    """A translation-memory segment that matches a text, with its score."""

    segment_id: int
    source: str
    text: str
    score: float
    origin: str
    context: str | None
    engine: str | None


def components() -> dict[str, Schema]:
    """Translations, language detection and translation-memory matches, as answered."""
    return component_schemas(Translation, Detection, TmMatch)


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The translation endpoints, keyed by (method, Flask rule); ``config`` supplies the size limits."""
    max_text = config["MAX_TEXT_CHARS"]
    lang = language_tag()
    return {
        ("POST", "/api/v1/translate"): op(
            "Translate one text or a batch (translation memory first, glossary enforced)",
            {"200": ok(record({"translations": array(ref("Translation"))})), **errors(400, 404, 413, 422, 503)},
            description=f"Texts longer than {max_text} characters or batches larger than "
                        f"{config['MAX_BATCH_TEXTS']} texts are refused with 413.",
            body=json_body(model_schema(TranslateRequest),
                           {"text": "Your refund was processed.", "source_lang": "en", "target_lang": "es"})),
        ("GET", "/api/v1/engines"): op("Engines, whether each is configured, the pairs it serves, the routes", {
            "200": ok(record({"engines": array(record({"engine": string(), "configured": boolean(),
                                                       "pairs": nullable(array(string()))})),
                              "routes": obj(additionalProperties=array(string()))}))}),
        ("GET", "/api/v1/engines/budgets"): op(
            "Monthly engine budgets: spend so far, share, notices at 80% and 100% (admins)", {
                "200": ok(record({"currency": string(), "budgets": array(record({
                    "engine": string(), "month": string(), "budget": number(), "spent": number(),
                    "currency": string(), "percent": nullable(number()), "withheld": boolean(),
                    "notices": array(record({"engine": string(), "month": string(), "threshold": integer(),
                                             "spent": number(), "budget": number(), "currency": string(),
                                             "at": string()}))}))})),
                **errors(403)}),
        ("GET", "/api/v1/tm/lookup"): op("Exact and fuzzy translation-memory matches for a text", {
            "200": ok(record({"exact": nullable(ref("TmMatch")), "fuzzy": array(ref("TmMatch"))})),
            **errors(400, 413)},
            params=[query("source_lang", lang, required=True), query("target_lang", lang, required=True),
                    query("text", string(), f"at most {max_text} characters (413 beyond)", required=True),
                    query("threshold", integer(minimum=config["TM_FUZZY_THRESHOLD"], maximum=100),
                          "lowest fuzzy score, at least TOLK_TM_FUZZY_THRESHOLD (the default)"),
                    query("limit", integer(minimum=1, maximum=config["TM_LOOKUP_MAX_RESULTS"]),
                          "default 5, at most TOLK_TM_LOOKUP_MAX_RESULTS")],
            description="Segments hold customer data as tokens (`[[email:1]]`); the matches carry the values "
                        "of the asked text in them where it has them."),
        ("POST", "/api/v1/tm/import"): op(
            "Import a TMX 1.4 file; a malformed file stores nothing. A file above TOLK_IMPORT_SYNC_BYTES is "
            "imported by a worker: 202 with the job to poll at /api/v1/imports/<id>", {
                "201": ok(record({"imported": integer()}), "Imported"), "202": ok(ref("ImportJob"), "Queued"),
                **errors(400, 413, 503)},
            body=upload_body({}, "The TMX file as multipart `file` (or the raw body)")),
        ("GET", "/api/v1/tm/segments"): op("Translation-memory segments, newest first, a page at a time", {
            "200": with_link(ok(paged("segments", record({
                "id": integer(), "source_lang": string(), "target_lang": string(), "source": string(),
                "text": string(), "origin": string(), "engine": nullable(string()), "context": nullable(string()),
                "approved_by": nullable(string()), "created_at": string(format="date-time")})))), **errors(400)},
            params=[query("source_lang", lang), query("target_lang", lang),
                    query("q", string(255), "only segments whose source contains this text (any case)"),
                    *page_params(*TM_PAGE)]),
        ("GET", "/api/v1/tm/export.tmx"): op("The translation memory (optionally one pair) as TMX 1.4", {
            "200": ok(string(), "The TMX file", "application/x-tmx+xml"), **errors(400)},
            params=[query("source_lang", lang), query("target_lang", lang)]),
    }
