"""The API contract as data: one entry per endpoint (request schemas, query parameters, responses).

``tolk.openapi`` joins these entries with the app's URL map (path parameters, roles, security) into
the OpenAPI document and validates requests against the same schemas. Enumerations are imported from
the packages that own them, so the contract cannot drift from the code: like ``create_app()``, this
module is allowed to look at every feature package, but only inside :func:`operations`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from tolk.languages import _TAG

Schema = dict[str, Any]

# The tag pattern tolk.languages.canonical() applies (after stripping blanks), so a malformed tag is
# refused before the view runs with the same code the view would give.
LANGUAGE_PATTERN = r"^\s*" + _TAG.pattern.strip("^$") + r"\s*$"
MAX_ID = 2**63 - 1  # database ids are 64-bit integers

ERROR_TEXT = {400: "Invalid request: the message names the field", 401: "No valid bearer token",
              403: "The user's role or languages do not allow this", 404: "No such object",
              409: "Conflicts with the object's current state", 413: "Larger than the configured limit",
              422: "Understood but not processable (no engine for the pair, uncertain language)",
              503: "A dependency (engines, the job queue, the database or Redis) is unavailable"}


# --- shapes ---------------------------------------------------------------------------------------


def ref(name: str) -> Schema:
    """A reference to a shared schema under ``components.schemas``."""
    return {"$ref": f"#/components/schemas/{name}"}


def string(max_length: int | None = None, **extra: Any) -> Schema:
    """A string, optionally bounded."""
    out: Schema = {"type": "string", **extra}
    if max_length is not None:
        out["maxLength"] = max_length
    return out


def patterned(max_length: int | None, pattern: str, reason: str) -> Schema:
    """A string of a given form; ``reason`` is the error when it does not match."""
    return {**string(max_length), "pattern": pattern, "x-error-reason": reason}


def integer(**extra: Any) -> Schema:
    """A whole number."""
    return {"type": "integer", **extra}


def boolean(**extra: Any) -> Schema:
    """true or false."""
    return {"type": "boolean", **extra}


def number(**extra: Any) -> Schema:
    """Any JSON number."""
    return {"type": "number", **extra}


def array(items: Schema, **extra: Any) -> Schema:
    """A list of ``items``."""
    return {"type": "array", "items": items, **extra}


def enum(values: Iterable[Any], **extra: Any) -> Schema:
    """One of ``values`` (strings)."""
    return {"type": "string", "enum": [str(v) for v in values], **extra}


def timestamp() -> Schema:
    """An ISO 8601 timestamp with its UTC offset."""
    return {"type": "string", "format": "date-time"}


def language_tag(description: str = "BCP 47 language tag, e.g. es, pt-BR, zh-Hant") -> Schema:
    """A language tag; a malformed one is refused with the code ``unknown_language``, as the views do."""
    return {"type": "string", "pattern": LANGUAGE_PATTERN, "maxLength": 35, "description": description,
            "examples": ["es", "pt-BR", "zh-Hant"], "x-error-code": "unknown_language",
            "x-error-reason": "is not a BCP 47 language tag (e.g. es, pt-BR, zh-Hant)"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null: the views treat ``null`` as an absent optional field."""
    out = copy.deepcopy(schema)
    if "$ref" in out:
        return {"anyOf": [out, {"type": "null"}]}
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def obj(properties: Mapping[str, Schema] | None = None, required: Iterable[str] = (), *, closed: bool = False,
        **extra: Any) -> Schema:
    """A JSON object; ``closed`` when the view refuses unknown fields."""
    out: Schema = {"type": "object", "properties": dict(properties or {}), **extra}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    return out


def record(required: Mapping[str, Schema], optional: Mapping[str, Schema] | None = None) -> Schema:
    """A response object: every key in ``required`` is always present."""
    return obj({**required, **(optional or {})}, required=list(required))


def json_body(schema: Schema, example: Any = None, *, required: bool = True, description: str | None = None
              ) -> Schema:
    """A JSON request body; ``example`` is shown in the document (and sent first by schemathesis)."""
    media: Schema = {"schema": schema}
    if example is not None:
        media["example"] = example
    out: Schema = {"required": required, "content": {"application/json": media}}
    if description:
        out["description"] = description
    return out


def upload_body(fields: Mapping[str, Schema], description: str) -> Schema:
    """A multipart upload with a ``file`` part (the raw file as the body works too)."""
    return {"required": True, "description": description, "content": {
        "multipart/form-data": {"schema": obj({"file": string(format="binary"), **fields}, required=["file"])},
        "application/octet-stream": {"schema": string(format="binary")}}}


def query(name: str, schema: Schema, description: str = "", *, required: bool = False) -> Schema:
    """A query-string parameter."""
    out: Schema = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        out["description"] = description
    return out


def ok(schema: Schema, description: str = "OK", media_type: str = "application/json") -> Schema:
    """A success response with a body."""
    return {"description": description, "content": {media_type: {"schema": schema}}}


def no_content(description: str = "Done; no body") -> Schema:
    """A success response without a body (204)."""
    return {"description": description}


def errors(*statuses: int) -> dict[str, Schema]:
    """The shared error body for each status."""
    return {str(s): {"description": ERROR_TEXT[s], "content": {"application/json": {"schema": ref("Error")}}}
            for s in statuses}


def op(summary: str, responses: Mapping[str, Schema], *, body: Schema | None = None,
       params: Iterable[Schema] = (), description: str = "") -> Schema:
    """One operation: 401 is added for every signed-in endpoint by the document builder."""
    out: Schema = {"summary": summary, "responses": dict(responses)}
    if description:
        out["description"] = description
    if body is not None:
        out["requestBody"] = body
    if params:
        out["parameters"] = list(params)
    return out


# --- shared response schemas ----------------------------------------------------------------------


def components() -> dict[str, Schema]:
    """Schemas shared by several operations' responses."""
    from glossaries.terms import STATUSES
    from workflows.models import Decision, JobStatus, LocaleState, ReplyStatus, ReviewStatus, TemplateState

    s, n = string(), nullable(string())
    n_int = nullable(integer())
    any_list = array({})
    term = record({"lang": s, "text": s, "status": enum(STATUSES), "part_of_speech": n,
                   "case_sensitive": boolean(), "note": n})
    entry = record({"id": integer(), "external_id": n, "do_not_translate": boolean(), "note": n, "subject": n,
                    "terms": array(term)})
    glossary = {"name": s, "description": s, "source_lang": s, "version": integer(), "entries_count": integer(),
                "languages": array(s), "updated_at": timestamp()}
    detection = record({"lang": n, "confidence": number(), "margin": number(), "reliable": boolean(),
                        "candidates": array(record({"lang": s, "confidence": number()}))})
    attempt = record({"engine": s, "outcome": s, "code": n, "message": n})
    translation = record(
        {"text": s, "engine": s, "origin": s, "source_lang": s, "detected_source_lang": n},
        {"tm_score": nullable(number()), "tm_origin": n, "billed_characters": integer(), "failed_over": boolean(),
         "attempts": array(attempt), "term_findings": any_list, "lost_tokens": any_list, "suggestion": {},
         "detection": detection})
    review_ref = record({"id": integer(), "status": enum(ReviewStatus), "task": s, "assigned_reviewer": n,
                         "escalation": n, "sla_deadline": timestamp()})
    reply = record({
        "id": integer(), "ticket_ref": s, "channel": s, "status": enum(ReplyStatus), "decision": enum(Decision),
        "reasons": any_list, "agent_lang": s, "customer_lang": s, "detection": nullable(obj()), "source_text": s,
        "translated_text": n, "final_text": n, "back_translation": n, "engine": n, "findings": any_list,
        "template_id": n, "rejection_reason": n, "review": nullable(review_ref), "assigned_reviewer": n,
        "sla_deadline": nullable(timestamp()),
        "transitions": array(record({"from": n, "to": s, "by": s, "at": timestamp(), "note": n})),
        "created_at": timestamp(), "idempotency_key": n})
    review_item = record({
        "id": integer(), "kind": s, "object_id": integer(), "task": s, "spot_check": boolean(), "source_lang": s,
        "target_lang": s, "channel": n, "content_type": s, "status": enum(ReviewStatus), "reasons": any_list,
        "source_text": s, "mt_text": n, "engine": n, "findings": any_list, "final_text": n, "assignee": n,
        "escalation": n, "queued_at": timestamp(), "due_at": timestamp(), "decided_at": nullable(timestamp()),
        "decided_by": n, "version": integer(),
        # "tokens": the viewer is neither the assignee nor a reviewer of the language: [[card:1]] for data.
        "customer_data": enum(("shown", "tokens"))})
    profile = record({
        "locale": s, "name": s, "formality": s, "greeting": s, "sign_off": s, "upsell_allowed": boolean(),
        "sla_minutes": obj(additionalProperties=integer()), "preferred_channels": array(s),
        "working_days": array(s), "holidays": array(s), "currency": s, "text_direction": enum(("ltr", "rtl")),
        "quality_threshold": number(), "sample_rate": number(), "always_review": boolean(), "check_config": obj(),
        "critical_terms": array(s), "chain": array(s), "sources": obj(additionalProperties=s),
        "stored": boolean()})
    template_translation = record({
        "locale": s, "forms": array(s), "state": enum(TemplateState), "effective_state": enum(TemplateState),
        "outdated": boolean(), "source_version": integer(), "translator_comment": n, "reviewed_by": n,
        "updated_at": nullable(timestamp())})
    template = {"id": s, "title": n, "source_locale": s, "source_text": s, "source_plural": n,
                "plural_variable": n, "comment": n, "critical": boolean(), "version": integer(),
                "variables": array(s)}
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
        "Error": record({"error": record({"code": s, "message": s}, {"details": obj()})}),
        "GlossarySummary": record(glossary),
        "Glossary": record({**glossary, "entries": array(ref("GlossaryEntry"))}),
        "GlossaryEntry": entry,
        "Translation": translation,
        "Detection": detection,
        "Reply": reply,
        "ReviewItem": review_item,
        "LocaleProfile": profile,
        "TemplateSummary": record({**template, "locales": obj(additionalProperties=enum(TemplateState))}),
        "Template": record({**template, "translations": array(template_translation)}),
        "TemplateTranslation": template_translation,
        "RenderedTemplate": record({
            "template_id": s, "requested_locale": s, "locale_used": s, "text": s, "body": s, "greeting": s,
            "sign_off": s, "state": s, "chain": array(s), "fallback": array(record({"locale": s, "reason": s})),
            "used_source": boolean(), "plural_form": n_int, "unused_variables": array(s),
            "template_version": integer(), "critical": boolean(), "text_direction": s, "fell_back": boolean()}),
        "CatalogImport": record({"locale": s, "state": s, **{k: array(s) for k in (
            "created", "updated", "unchanged", "fuzzy", "untranslated", "outdated")}}),
        "CatalogPrefill": record({"locale": s, "filled": array(s), "skipped": array(s),
                                  "engines": obj(additionalProperties=s), "problems": array(obj()), "error": n,
                                  "ok": boolean()}),
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
        "QualityReport": record({
            "languages": array(record({"lang": s, "segments": integer(), "words": integer(),
                                       "groups": array(record({"key": n, "segments": integer(), "words": integer(),
                                                               "mqm": obj()})),
                                       "cost": {}, "customer_feedback": obj()})),
            "profile": s, "lower_is_better": boolean(), "min_words": integer(), "group_by": n, "filters": obj()}),
        "TmMatch": record({"segment_id": integer(), "source": s, "text": s, "score": number(), "origin": s,
                           "context": n, "engine": n}),
        "User": record({"id": integer(), "name": s, "role": s, "languages": array(s), "timezone": s,
                        "shift_start": s, "shift_end": s, "work_days": array(s), "active": boolean()},
                       {"token": string(description="shown once")}),
        "Health": record({"ok": boolean()}, {"components": obj(additionalProperties=record({"ok": boolean()}))}),
    }


# --- request shapes -------------------------------------------------------------------------------


def _glossary_entry() -> tuple[Schema, Schema]:
    from glossaries.terms import STATUSES

    n = nullable(string())
    term = obj({"lang": string(35, description="BCP 47 language tag of the term"), "text": string(),
                "status": enum(STATUSES), "part_of_speech": n, "case_sensitive": nullable(boolean()), "note": n},
               required=["lang", "text"])
    return (obj({"terms": array(term, minItems=1), "do_not_translate": nullable(boolean()), "note": n,
                 "subject": n, "id": n}, required=["terms"]),
            {"terms": [{"lang": "en", "text": "refund"}, {"lang": "es", "text": "reembolso"}]})


def _annotations() -> Schema:
    from lqa.mqm import CATEGORIES, SEVERITIES

    return nullable(array(obj({
        "category": string(description="MQM category, e.g. " + ", ".join(sorted(CATEGORIES)[:4])),
        "severity": string(description="MQM severity: " + ", ".join(s.value for s in SEVERITIES)),
        "start": nullable(integer(minimum=0)), "end": nullable(integer(minimum=0)),
        "note": nullable(string())}, required=["category", "severity"])))


def _template_fields(*, create: bool) -> Schema:
    from workflows.macros import TEMPLATE_ID

    n10k = nullable(string(10000))
    return obj({"id": patterned(80, TEMPLATE_ID.pattern, "must be 1-80 lowercase letters, digits, '_', '.' or '-'"), "title": nullable(string(200)),
                "source_locale": language_tag(), "source_text": string(10000, minLength=1),
                "source_plural": n10k, "plural_variable": nullable(patterned(
                    None, r"^[A-Za-z_][A-Za-z0-9_]*$", "must be a variable name such as 'count'")),
                "comment": n10k, "critical": boolean()},
               required=["id", "source_text"] if create else (), closed=True)


def _locale_profile() -> Schema:
    from workflows.locales import CHANNELS, DIRECTIONS, FORMALITIES, WEEKDAYS

    frame = nullable(string(1000, description="may use {customer_name}, {agent_name}, {company_name}"))
    fields = {
        "name": string(80), "formality": enum(FORMALITIES), "greeting": frame, "sign_off": frame,
        "upsell_allowed": boolean(), "always_review": boolean(),
        "sla_minutes": obj({c: integer(minimum=1, maximum=60 * 24 * 30) for c in CHANNELS}, closed=True),
        "preferred_channels": array(enum(CHANNELS)),
        "working_days": {"anyOf": [array(enum(WEEKDAYS), minItems=1), string(minLength=1)]},
        "holidays": array(string(format="date")), "currency": string(3, minLength=3),
        "text_direction": enum(DIRECTIONS), "quality_threshold": number(minimum=0, maximum=100),
        "sample_rate": number(minimum=0, maximum=1),
        "check_config": obj({"disabled": array(string()), "enabled": nullable(array(string())),
                             "severity": obj(additionalProperties=string())}, closed=True),
        "critical_terms": array(string(100, minLength=1)),
    }
    return obj({k: nullable(v) for k, v in fields.items()}, closed=True,
               description="Named fields change, others stay; null resets a field to the inherited value.")


def _article(*, create: bool, max_title: int) -> Schema:
    return obj({"slug": patterned(120, r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                                       "must be lowercase letters, digits and single hyphens (at most 120)"), "title": string(max_title),
                "body": string(description="HTML (sanitized) or Markdown"),
                "format": nullable(enum(("html", "markdown"))), "source_locale": nullable(language_tag()),
                "target_locales": nullable(array(language_tag())), "critical": nullable(boolean())},
               required=["slug", "title", "body"] if create else ())


# --- the operations ---------------------------------------------------------------------------------


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """Every documented endpoint, keyed by (method, Flask rule); ``config`` supplies the size limits."""
    from lqa.metrics import GROUP_BY, PROFILE_NAMES
    from machinery.api import FORMALITIES, FORMATS
    from tolk.models import Role
    from workflows.kb import MAX_ARTICLE_CHARS, MAX_TITLE_CHARS
    from workflows.models import ReplyStatus, ReviewStatus, TemplateState
    from workflows.replies import CHANNELS

    max_text = config["MAX_TEXT_CHARS"]
    n = nullable(string())
    lang, n_lang = language_tag(), nullable(language_tag())
    glossary_name = patterned(80, r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$",
                              "must be 1-80 letters, digits, '_', '.' or '-'")
    quality_params = [
        query("lang", lang, "only this language (reviewers: one of their own)"),
        query("from", string(format="date"), "first day, YYYY-MM-DD (UTC)"),
        query("to", string(format="date"), "last day, YYYY-MM-DD (UTC)"),
        *(query(name, string(80)) for name in ("engine", "content_type", "channel", "reviewer")),
        query("group_by", enum(GROUP_BY)), query("profile", enum(PROFILE_NAMES), "MQM scoring profile")]
    review_decision = {"annotations": _annotations(), "version": nullable(integer())}
    any_list = array({})
    # What the helpdesk knows of the customer: each value is masked wherever it appears (names also inflected).
    customer = obj({"name": nullable(string(200)), "email": nullable(string(254)), "phone": nullable(string(40)),
                    "address": nullable(string(500))}, closed=True)
    one_subject: dict[str, Any] = {"oneOf": [{"required": ["customer"]}, {"required": ["ticket"]}],
                                   "x-error-reason": "give exactly one of 'customer' (an e-mail) or 'ticket'"}
    privacy_subject = obj({"customer": string(254, examples=["maria@example.com"]), "ticket": string(120)},
                          **one_subject)
    po = "text/x-gettext-translation"

    return {
        # -- health and the contract itself --
        ("GET", "/healthz"): op("Database, Redis and engine health (the components to admins only)", {
            "200": ok(ref("Health")), "503": ok(ref("Health"), "The database or Redis is down")}),
        ("GET", "/livez"): op("Liveness: answers without touching dependencies", {
            "200": ok(record({"ok": boolean()}))}),
        ("GET", "/api/v1/openapi.json"): op("This OpenAPI document", {"200": ok(obj(required=["openapi", "paths"]))}),

        # -- machine translation --
        ("POST", "/api/v1/translate"): op(
            "Translate one text or a batch (translation memory first, glossary enforced)",
            {"200": ok(record({"translations": array(ref("Translation"))})), **errors(400, 404, 413, 422, 503)},
            description=f"Texts longer than {max_text} characters or batches larger than "
                        f"{config['MAX_BATCH_TEXTS']} texts are refused with 413.",
            body=json_body({**obj({
                "text": string(), "texts": array(string(), minItems=1), "target_lang": lang,
                "source_lang": n_lang, "format": nullable(enum(FORMATS)), "formality": nullable(enum(FORMALITIES)),
                "context": nullable(string(2000)), "glossary": nullable(string(80))},
                required=["target_lang"], oneOf=[{"required": ["text"]}, {"required": ["texts"]}]),
                "x-error-reason": "give exactly one of 'text' or 'texts'"},
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

        # -- users and the audit log --
        ("GET", "/api/v1/audit"): op("The audit log, newest first", {
            "200": ok(record({"events": array(record({
                "id": integer(), "at": timestamp(), "actor": string(), "action": string(), "object_type": string(),
                "object_id": n, "detail": {}}))})), **errors(400)},
            params=[*(query(name, string()) for name in ("actor", "action", "object_type", "object_id")),
                    query("limit", integer(minimum=1, maximum=1000), "default 100")]),
        ("GET", "/api/v1/users"): op("Users and their roles", {"200": ok(record({"users": array(ref("User"))}))}),
        ("POST", "/api/v1/users"): op("Create a user; with `token: true` the answer carries an API token, once", {
            "201": ok(ref("User"), "Created"), **errors(400, 409)},
            body=json_body(obj({
                "name": patterned(80, r"^[A-Za-z0-9_.@-]{2,80}$", "must be 2-80 letters, digits or _.@-"), "role": enum(Role),
                "languages": nullable({"anyOf": [array(language_tag()), string()]}),
                "timezone": nullable(string(64, examples=["Europe/Madrid"])),
                "shift": nullable(string(11, examples=["09:00-17:00"])),
                "days": nullable(string(32, examples=["mon,tue,wed,thu,fri"])),
                "password": nullable(string(200, minLength=8)), "token": nullable(boolean())},
                required=["name", "role"]), {"name": "maria", "role": "reviewer", "languages": ["es"], "token": True})),
        ("POST", "/api/v1/users/<name>/revoke"): op("Revoke every API token of a user", {
            "200": ok(record({"revoked": integer()})), **errors(404)}),

        # -- glossaries --
        ("GET", "/api/v1/glossaries"): op("Glossaries with languages and entry counts", {
            "200": ok(record({"glossaries": array(ref("GlossarySummary"))}))}),
        ("POST", "/api/v1/glossaries"): op("Create an empty glossary", {
            "201": ok(ref("Glossary"), "Created"), **errors(400, 409)},
            body=json_body(obj({"name": glossary_name, "source_lang": string(35),
                                "description": nullable(string(2000))}, required=["name", "source_lang"]),
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
            "Import a TBX (v3, Basic, 2) or CSV glossary; an invalid file stores nothing", {
                "201": ok(ref("GlossarySummary"), "Imported"), **errors(400, 409, 413)},
            params=[query("filename", string(255), "the file name when the file is the raw body"),
                    query("name", glossary_name), query("replace", boolean())],
            body=upload_body({"name": glossary_name, "replace": boolean()},
                             "The file as multipart `file` (or the raw body with ?filename=)")),
        ("GET", "/api/v1/glossaries/<name>/export"): op("The glossary as a TBX or CSV file", {
            "200": {"description": "The file", "content": {"application/x-tbx+xml": {"schema": string()},
                                                          "text/csv": {"schema": string()}}},
            **errors(400, 404)}, params=[query("format", enum(("tbx", "csv")))]),

        # -- quality --
        ("GET", "/api/v1/quality"): op(
            "Per-language quality: MQM with 95% CI, post-edit distance, SLA, checks, cost, CSAT",
            {"200": ok(ref("QualityReport")), **errors(400, 403)}, params=quality_params,
            description="Reviewers see only their own languages; other parameters are refused."),
        ("GET", "/api/v1/quality/report.csv"): op("The quality figures as CSV, one row per language and group", {
            "200": ok(string(), "CSV", "text/csv"), **errors(400, 403)}, params=quality_params),

        # -- replies --
        ("POST", "/api/v1/replies"): op(
            "Draft a reply: translate, check and route it (released, agent confirms, or native review)",
            {"200": ok(ref("Reply"), "The reply drafted earlier under this idempotency key"),
             "201": ok(ref("Reply"), "Drafted"), **errors(400, 404, 409, 422)},
            description="Give `text` (or a `template_id`) and `customer_locale` or the customer's last "
                        "message (`customer_message`) to detect it from. Routing reads the reply with the "
                        "customer's message and the optional `thread`: \"Yes, done.\" after a request to cancel "
                        "is held for review. The same `idempotency_key` sent again returns the first reply (200); "
                        "sent while that reply is still being drafted, 409 `idempotency_in_progress` with "
                        "`Retry-After`.",
            body=json_body(obj({
                "text": nullable(string(max_text)), "ticket_ref": string(120), "channel": enum(CHANNELS),
                "customer_locale": n_lang, "customer_message": nullable(string(max_text)), "agent_lang": n_lang,
                "template_id": nullable(string(80)), "variables": nullable(obj()), "vip": nullable(boolean()),
                "escalated": nullable(boolean()), "idempotency_key": nullable(string(120)),
                "glossary": nullable(string(80)), "customer_id": nullable(string(120)), "customer": nullable(customer),
                "thread": nullable(array(record({"author": enum(("customer", "agent")), "text": string(max_text)},
                                                {"lang": n_lang}),
                                         description="Earlier turns of the conversation, oldest first (the last "
                                                     "50 count): a reply is judged with them"))},
                required=["ticket_ref", "channel"]),
                {"text": "Thanks for waiting, Maria.", "ticket_ref": "T-1", "channel": "email", "customer_locale": "es",
                 "customer": {"name": "Maria Garcia", "email": "maria@example.com"}})),
        ("GET", "/api/v1/replies"): op("The agent's recent replies (admins: everyone's), newest first", {
            "200": ok(record({"replies": array(ref("Reply"))})), **errors(400)},
            params=[query("status", enum(ReplyStatus)),
                    query("limit", integer(minimum=0, maximum=MAX_ID), "at most 200 (default 50)")]),
        ("GET", "/api/v1/replies/<int:reply_id>"): op("A reply (its agent, admins, reviewers of its language)", {
            "200": ok(ref("Reply")), **errors(403, 404)}),
        ("POST", "/api/v1/replies/<int:reply_id>/confirm"): op("The agent confirms a reply: it is released", {
            "200": ok(ref("Reply")), **errors(403, 404, 409)}),
        ("POST", "/api/v1/replies/<int:reply_id>/feedback"): op("Record the customer's rating (CSAT 1-5)", {
            "201": ok(record({"id": integer(), "reply_id": integer(), "csat": integer(),
                              "delivery": enum(("machine", "reviewed"))}), "Recorded"), **errors(400, 403, 404)},
            body=json_body(obj({"csat": integer(minimum=1, maximum=5), "comment": nullable(string(2000))},
                               required=["csat"]), {"csat": 5, "comment": "Quick and clear"})),
        ("POST", "/api/v1/messages/translate"): op("A customer's message in the agent's language", {
            "200": ok(record({"text": string(), "source_lang": string(), "engine": string(),
                             "detection": nullable(ref("Detection"))})),
            **errors(400, 422, 503)},
            body=json_body(obj({"text": string(max_text), "target_lang": n_lang, "source_lang": n_lang,
                                "ticket_ref": nullable(string(120)), "customer": nullable(customer)},
                               required=["text"]), {"text": "Gracias por su ayuda.", "target_lang": "en"}),
            description="Nothing of the message is stored; `customer` values are masked before any engine sees "
                        "them, and `ticket_ref` names the engine call's egress record for erasure."),

        # -- privacy (admins) --
        ("POST", "/api/v1/privacy/erasures"): op(
            "Erase what is stored of a customer (e-mail) or a ticket: texts, details, memory segments, pending "
            "webhooks, egress records; audited without the values", {
                "201": ok(record({"erased": obj(additionalProperties=integer())}), "Erased"), **errors(400)},
            body=json_body(privacy_subject, {"customer": "maria@example.com"})),
        ("POST", "/api/v1/privacy/exports"): op(
            "Everything stored about a customer (e-mail) or a ticket, as JSON (an access request)", {
                "200": ok(record({"subject": obj(), "exported_at": timestamp(), "replies": any_list,
                                  "review_items": any_list, "quality_records": any_list, "feedback": any_list,
                                  "webhook_deliveries": any_list, "translation_memory": any_list,
                                  "engine_calls": any_list})), **errors(400, 404)},
            body=json_body(privacy_subject, {"customer": "maria@example.com"})),
        ("POST", "/api/v1/privacy/purges"): op("Run the retention purge now (TOLK_RETENTION_DAYS_*)", {
            "200": ok(record({"purged": obj(additionalProperties=integer()),
                              "retention_days": obj(additionalProperties=integer())}))}),
        ("GET", "/api/v1/egress"): op("The egress audit: per engine call, which engine, when, and what left", {
            "200": ok(record({"calls": array(record({
                "id": integer(), "engine": string(), "at": timestamp(), "source_lang": string(),
                "target_lang": string(), "segments": integer(), "characters": integer(),
                "billed_characters": integer(), "ok": boolean(), "error_code": n, "sent": {}})),
                "next_before": nullable(integer()), "egress_log": enum(("off", "hash", "full"))})), **errors(400)},
            params=[query("limit", integer(minimum=1, maximum=200), "default 50"),
                    query("before", integer(minimum=1, maximum=MAX_ID), "the `next_before` of the previous page"),
                    query("engine", string(32)), query("since", string(format="date-time"), "ISO date or time")],
            description="`sent` is what TOLK_EGRESS_LOG kept: SHA-256 hashes of the payloads (`hash`), the masked "
                        "payloads (`full`), or null (`off`, or removed by retention or erasure)."),

        # -- reviews --
        ("GET", "/api/v1/reviews"): op("The review queue by SLA deadline (reviewers: their languages only)", {
            "200": ok(record({"reviews": array(ref("ReviewItem"))})), **errors(400, 403)},
            params=[query("status", enum([*ReviewStatus, "all"]), "default pending"), query("lang", lang)]),
        ("GET", "/api/v1/reviews/<int:item_id>"): op("A review item", {
            "200": ok(ref("ReviewItem")), **errors(403, 404)}),
        ("POST", "/api/v1/reviews/<int:item_id>/approve"): op(
            "Approve, optionally with an edited text and MQM annotations", {
                "200": ok(ref("ReviewItem")), **errors(400, 403, 404, 409)},
            # Replies allow 2 x MAX_TEXT_CHARS, article locales an article's length: the view checks per kind.
            body=json_body(obj({"text": nullable(string(max(max_text * 2, MAX_ARTICLE_CHARS))), **review_decision}),
                           {"annotations": [{"category": "fluency/grammar", "severity": "minor"}]},
                           required=False)),
        ("POST", "/api/v1/reviews/<int:item_id>/reject"): op("Reject with a reason: back to its author", {
            "200": ok(ref("ReviewItem")), **errors(400, 403, 404, 409)},
            body=json_body(obj({"reason": string(2000), **review_decision}, required=["reason"]),
                           {"reason": "Too informal for a refund."})),

        # -- locale profiles --
        ("GET", "/api/v1/locales"): op("Effective profiles of every stored locale", {
            "200": ok(record({"locales": array(ref("LocaleProfile"))}))}),
        ("GET", "/api/v1/locales/<locale>"): op("A locale's effective profile, resolved along its fallbacks", {
            "200": ok(ref("LocaleProfile")), **errors(400)}),
        ("PUT", "/api/v1/locales/<locale>"): op("Create or update a locale profile", {
            "200": ok(ref("LocaleProfile")), "201": ok(ref("LocaleProfile"), "Created"), **errors(400)},
            body=json_body(_locale_profile(), {"formality": "formal", "sla_minutes": {"email": 480}})),
        ("DELETE", "/api/v1/locales/<locale>"): op("Delete a stored locale profile", {
            "204": no_content(), **errors(400, 404)}),

        # -- reply templates --
        ("GET", "/api/v1/templates"): op("Reply templates with each locale's state", {
            "200": ok(record({"templates": array(ref("TemplateSummary"))}))}),
        ("POST", "/api/v1/templates"): op("Create a reply template", {
            "201": ok(ref("Template"), "Created"), **errors(400, 409)},
            body=json_body(_template_fields(create=True), {"id": "order-shipped", "title": "Order shipped",
                                                           "source_text": "Your order {order} has shipped."})),
        ("GET", "/api/v1/templates/<template_id>"): op("A template with its translations", {
            "200": ok(ref("Template")), **errors(404)}),
        ("PUT", "/api/v1/templates/<template_id>"): op(
            "Change a template; a changed source makes older translations outdated", {
                "200": ok(ref("Template")), **errors(400, 404)},
            body=json_body(_template_fields(create=False), {"title": "Greeting"})),
        ("DELETE", "/api/v1/templates/<template_id>"): op("Delete a template", {"204": no_content(), **errors(404)}),
        ("PUT", "/api/v1/templates/<template_id>/translations/<locale>"): op(
            "Save a translation (`forms`, or `text`); a reviewer of the language saves it reviewed", {
                "200": ok(ref("TemplateTranslation")), **errors(400, 403, 404)},
            body=json_body(obj({"forms": nullable(array(string(), minItems=1)), "text": string(),
                                "state": nullable(enum(TemplateState)),
                                "translator_comment": nullable(string(2000))}), {"forms": ["Hola {name}"]})),
        ("DELETE", "/api/v1/templates/<template_id>/translations/<locale>"): op("Delete a translation", {
            "204": no_content(), **errors(400, 404)}),
        ("POST", "/api/v1/templates/<template_id>/render"): op(
            "Render for a customer's locale: reviewed translation along the fallbacks, variables formatted", {
                "200": ok(ref("RenderedTemplate")), **errors(400, 403, 404)},
            description="`use_unreviewed` previews drafts and is refused to agents.",
            body=json_body(obj({"locale": lang, "variables": nullable(obj()), "use_unreviewed": nullable(boolean()),
                                "wrap": nullable(boolean())}, required=["locale"]),
                           {"locale": "es", "variables": {"name": "Ana"}, "wrap": False})),

        # -- catalogs --
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
            body=json_body(obj({"glossary": n}), {}, required=False)),

        # -- knowledge base --
        ("GET", "/api/v1/articles"): op("KB articles with each locale's state", {
            "200": ok(record({"articles": array(ref("ArticleSummary"))}))}),
        ("POST", "/api/v1/articles"): op("Create an article (the body is sanitized)", {
            "201": ok(ref("Article"), "Created"), **errors(400, 409, 413)},
            body=json_body(_article(create=True, max_title=MAX_TITLE_CHARS), {
                "slug": "returns", "title": "Returns", "body": "<p>Send the item back within 30 days.</p>",
                "target_locales": ["es"]})),
        ("GET", "/api/v1/articles/<slug>"): op("An article with every locale's state", {
            "200": ok(ref("Article")), **errors(404)}),
        ("PUT", "/api/v1/articles/<slug>"): op("Edit an article: a new revision outdates published locales", {
            "200": ok(ref("Article")), **errors(400, 404, 413)},
            body=json_body(_article(create=False, max_title=MAX_TITLE_CHARS), {"title": "Returns and refunds"})),
        ("POST", "/api/v1/articles/<slug>/translate"): op("Queue translation jobs (all target locales by default)", {
            "202": ok(record({"jobs": array(ref("Job"))}), "Queued"), **errors(400, 404, 503)},
            body=json_body(obj({"locales": nullable(array(language_tag()))}), {"locales": ["es"]}, required=False)),
        ("POST", "/api/v1/articles/<slug>/locales/<locale>/publish"): op(
            "Publish a non-critical locale's checked draft", {
                "200": ok(ref("ArticleLocale")), **errors(404, 409)}),
        ("GET", "/api/v1/jobs/<job_id>"): op("A translation job's status and progress", {
            "200": ok(ref("Job")), **errors(404)}),
        ("GET", "/api/v1/kb/<locale>/<slug>"): op("A published article in one locale", {
            "200": ok(ref("PublishedArticle")), **errors(404)}),
    }

