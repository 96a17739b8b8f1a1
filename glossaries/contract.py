"""The glossary API's contract: request and response schemas of every termbase operation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field

from glossaries.listing import MAX_SEARCH_CHARS
from glossaries.store import NAME
from glossaries.terms import STATUSES
from tolk.pagination import page_params, paged, with_link
from tolk.schema import (
    Absent,
    Schema,
    boolean,
    component_schemas,
    enum,
    errors,
    json_body,
    model_schema,
    no_content,
    ok,
    op,
    patterned,
    query,
    ref,
    shaped,
    string,
    upload_body,
)

TAGS = {"glossaries_api": "glossaries", "imports_api": "imports"}
#: Rows per page (default, maximum) of the glossary list and of a glossary's entries.
GLOSSARIES_PAGE = (100, 500)
ENTRIES_PAGE = (100, 1000)
GLOSSARY_NAME = patterned(80, NAME.pattern, "must be 1-80 letters, digits, '_', '.' or '-'")
GlossaryName = Annotated[str, shaped(GLOSSARY_NAME)]


class NewGlossary(BaseModel):
    """POST /glossaries: an empty glossary."""

    name: GlossaryName
    source_lang: Annotated[str, Field(max_length=35)]
    description: Annotated[str, Field(max_length=2000)] | None = None


class NewTerm(BaseModel):
    """One term of an entry: the concept's name in one language."""

    lang: Annotated[str, Field(max_length=35, description="BCP 47 language tag of the term")]
    text: str
    status: Annotated[str, shaped(enum(STATUSES))] | Absent = None
    part_of_speech: str | None = None
    case_sensitive: bool | None = None
    note: str | None = None


class NewEntry(BaseModel):
    """POST /glossaries/<name>/entries and PUT .../entries/<id>: a concept with its terms."""

    terms: Annotated[list[NewTerm], Field(min_length=1)]
    do_not_translate: bool | None = None
    note: str | None = None
    subject: str | None = None
    id: str | None = None


class GlossaryTerm(BaseModel):
    """One term of an entry, as stored."""

    lang: str
    text: str
    status: Annotated[str, shaped(enum(STATUSES))]
    part_of_speech: str | None
    case_sensitive: bool
    note: str | None


class GlossaryEntry(BaseModel):
    """An entry: one concept with its terms."""

    id: int
    external_id: str | None
    do_not_translate: bool
    note: str | None
    subject: str | None
    terms: list[GlossaryTerm]


class GlossarySummary(BaseModel):
    """A glossary without its entries."""

    name: str
    description: str
    source_lang: str
    version: int
    entries_count: int
    languages: list[str]
    updated_at: dt.datetime


class Glossary(GlossarySummary):
    """A glossary with its entries."""

    entries: list[GlossaryEntry]


class ImportJob(BaseModel):
    """A glossary or TMX file being imported by a worker; nothing is stored unless it ends ``done``."""

    id: str
    kind: Annotated[str, shaped(enum(("glossary", "tmx")))]
    filename: str
    status: Annotated[str, shaped(enum(("queued", "running", "done", "failed")))]
    done: int
    total: int
    error: str | None
    line: int | None
    result: dict[str, Any] | None
    created_at: dt.datetime
    updated_at: dt.datetime


def components() -> dict[str, Schema]:
    """Glossaries and their entries, and import jobs, as answered."""
    return component_schemas(Glossary, GlossarySummary, ImportJob)


def _glossary_entry() -> tuple[Schema, Schema]:
    return (model_schema(NewEntry),
            {"terms": [{"lang": "en", "text": "refund"}, {"lang": "es", "text": "reembolso"}]})


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The glossary endpoints, keyed by (method, Flask rule)."""
    glossary_name = GLOSSARY_NAME
    return {
        ("GET", "/api/v1/glossaries"): op("Glossaries with languages and entry counts, by name, a page at a time", {
            "200": with_link(ok(paged("glossaries", ref("GlossarySummary")))), **errors(400)},
            params=page_params(*GLOSSARIES_PAGE)),
        ("GET", "/api/v1/glossaries/<name>/entries"): op(
            "A glossary's entries in the order they were added, a page at a time; `term` finds entries with a "
            "term containing it (any language, any case)", {
                "200": with_link(ok(paged("entries", ref("GlossaryEntry")))), **errors(400, 404)},
            params=[query("term", string(MAX_SEARCH_CHARS)), *page_params(*ENTRIES_PAGE)]),
        ("POST", "/api/v1/glossaries"): op("Create an empty glossary", {
            "201": ok(ref("Glossary"), "Created"), **errors(400, 409)},
            body=json_body(model_schema(NewGlossary),
                           {"name": "support", "source_lang": "en", "description": "Support terms"})),
        ("GET", "/api/v1/glossaries/<name>"): op("A glossary with its entries", {
            "200": ok(ref("Glossary")), **errors(404)}),
        ("DELETE", "/api/v1/glossaries/<name>"): op("Delete a glossary", {"204": no_content(), **errors(404)}),
        ("POST", "/api/v1/glossaries/<name>/entries"): op("Add an entry (a concept with its terms)", {
            "201": ok(ref("GlossaryEntry"), "Created"), **errors(400, 404)}, body=json_body(*_glossary_entry())),
        ("PUT", "/api/v1/glossaries/<name>/entries/<int:entry_id>"): op("Replace an entry", {
            "200": ok(ref("GlossaryEntry")), **errors(400, 404)}, body=json_body(*_glossary_entry())),
        ("DELETE", "/api/v1/glossaries/<name>/entries/<int:entry_id>"): op("Delete an entry", {
            "204": no_content(), **errors(404)}),
        ("POST", "/api/v1/glossaries/import"): op(
            "Import a TBX (v3, Basic, 2) or CSV glossary; an invalid file stores nothing. A file above "
            "TOLK_IMPORT_SYNC_BYTES is imported by a worker: 202 with the job to poll", {
                "201": ok(ref("GlossarySummary"), "Imported"), "202": ok(ref("ImportJob"), "Queued"),
                **errors(400, 409, 413, 503)},
            params=[query("filename", string(255), "the file name when the file is the raw body"),
                    query("name", glossary_name), query("replace", boolean())],
            body=upload_body({"name": glossary_name, "replace": boolean()},
                             "The file as multipart `file` (or the raw body with ?filename=)")),
        ("GET", "/api/v1/imports/<job_id>"): op(
            "An import job (glossary or TMX): status, progress, and the error with its line if it failed", {
                "200": ok(ref("ImportJob")), **errors(404)}),
        ("GET", "/api/v1/glossaries/<name>/export"): op("The glossary as a TBX or CSV file", {
            "200": {"description": "The file", "content": {"application/x-tbx+xml": {"schema": string()},
                                                          "text/csv": {"schema": string()}}},
            **errors(400, 404)}, params=[query("format", enum(("tbx", "csv")))]),
    }
