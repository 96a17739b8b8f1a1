"""The translation API's contract: /translate, /engines and the translation memory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tolk.schema import (
    Absent,
    LanguageTag,
    Schema,
    array,
    boolean,
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


def components() -> dict[str, Schema]:
    """Translations, language detection and translation-memory matches, as answered."""
    s, n = string(), nullable(string())
    any_list = array({})
    detection = record({"lang": n, "confidence": number(), "margin": number(), "reliable": boolean(),
                        "candidates": array(record({"lang": s, "confidence": number()}))})
    attempt = record({"engine": s, "outcome": s, "code": n, "message": n})
    translation = record(
        {"text": s, "engine": s, "origin": s, "source_lang": s, "detected_source_lang": n},
        {"tm_score": nullable(number()), "tm_origin": n, "billed_characters": integer(), "failed_over": boolean(),
         "attempts": array(attempt), "term_findings": any_list, "lost_tokens": any_list, "suggestion": {},
         "detection": detection})
    return {
        "Translation": translation,
        "Detection": detection,
        "TmMatch": record({"segment_id": integer(), "source": s, "text": s, "score": number(), "origin": s,
                           "context": n, "engine": n}),
    }


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
        ("POST", "/api/v1/tm/import"): op("Import a TMX 1.4 file; a malformed file stores nothing", {
            "201": ok(record({"imported": integer()}), "Imported"), **errors(400, 413)},
            body=upload_body({}, "The TMX file as multipart `file` (or the raw body)")),
        ("GET", "/api/v1/tm/export.tmx"): op("The translation memory (optionally one pair) as TMX 1.4", {
            "200": ok(string(), "The TMX file", "application/x-tmx+xml"), **errors(400)},
            params=[query("source_lang", lang), query("target_lang", lang)]),
    }
