"""Machine translation over HTTP: /translate (TM first, glossary enforced, text protected, checked),
/engines, and the translation memory (/tm/lookup, TMX /tm/import and /tm/export.tmx)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from sqlalchemy import select

from glossaries.import_jobs import job_to_dict, sync_bytes
from glossaries.store import load_termbase
from lqa.checks import Segment, run_checks
from machinery.contract import TM_PAGE
from machinery.detection import Detection
from machinery.models import TmSegment
from machinery.protection import TOKEN_PATTERN
from machinery.routing import NoEngineAvailable, deadline
from machinery.service import services
from machinery.tm_import import start_tmx_import
from machinery.tmx import TmxError, export_tmx, import_tmx
from machinery.translator import describe_engines
from tolk.auth import audit, require
from tolk.db import db
from tolk.errors import BadRequest, PayloadTooLarge, ServiceUnavailable, TolkError, ValidationError
from tolk.models import Role
from tolk.pagination import page_request, page_response, paginate
from tolk.validation import json_object, language, uploaded_file

bp = Blueprint("machinery_api", __name__, url_prefix="/api/v1")

def no_engine_error(exc: NoEngineAvailable) -> TolkError:
    """The API error for a pair no engine could translate: 422 if none serves it, 503 if all failed."""
    details = {"source_lang": exc.source, "target_lang": exc.target,
               "attempts": [a.to_dict() for a in exc.attempts]}
    if exc.unserved:
        return TolkError(str(exc), code="no_engine_for_pair", status=422, details=details)
    return ServiceUnavailable(str(exc), code="engines_failed", details=details)


def check_findings(source: str, target_text: str, source_lang: str, target_lang: str, fmt: str) -> list[dict]:
    """Automatic quality checks of one translated segment (lqa), as JSON-ready findings."""
    segment = Segment(source=source, target=target_text, source_lang=source_lang, target_lang=target_lang,
                      fmt=fmt, pii_token_pattern=TOKEN_PATTERN)
    return [f.to_dict() for f in run_checks(segment)]


def read_texts(body: dict) -> list[str]:
    """``text`` or ``texts`` (exactly one, as the contract ensures) from a request body, within the limits."""
    texts = [body["text"]] if "text" in body else body["texts"]
    cfg = current_app.config
    if len(texts) > cfg["MAX_BATCH_TEXTS"]:
        raise PayloadTooLarge(f"at most {cfg['MAX_BATCH_TEXTS']} texts per request")
    for t in texts:
        if len(t) > cfg["MAX_TEXT_CHARS"]:
            raise PayloadTooLarge(f"a text is longer than {cfg['MAX_TEXT_CHARS']} characters")
    if not any(t.strip() for t in texts):
        raise ValidationError("nothing to translate: the text is empty", code="empty_text")
    return texts


@bp.get("/engines")
@require()
def engines():
    """Engines, whether each is configured, the pairs it serves now, and the routes."""
    m = services()
    return jsonify({"engines": describe_engines(m.engines), "routes": m.router.routes})


@bp.get("/engines/budgets")
@require(Role.ADMIN)
def engine_budgets():
    """Each budgeted engine's spend this month, its share of the budget and the notices sent (80%, 100%)."""
    m = services()
    return jsonify({"currency": m.prices.currency, "budgets": m.budgets.status(db.session)})


@bp.post("/translate")
@require()
def translate():
    body = json_object()
    texts = read_texts(body)
    source = language(body, "source_lang")
    target = language(body, "target_lang", required=True)
    fmt = body.get("format") or "text"
    formality, context, glossary_name = body.get("formality"), body.get("context"), body.get("glossary")
    m = services()
    termbase = None
    if glossary_name:
        termbase = load_termbase(db.session, glossary_name)

    detections: list[Detection | None] = [None] * len(texts)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        if source:
            groups[source].append(i)
            continue
        detection = m.detector.detect(text)
        if detection.lang is None:
            raise BadRequest("could not detect the source language; pass 'source_lang'", code="undetected_language")
        detections[i] = detection
        groups[detection.lang].append(i)

    out: dict[int, dict[str, Any]] = {}
    try:
        with deadline(current_app.config["ENGINE_DEADLINE"]):
            for src, indexes in groups.items():
                if src == target:
                    for i in indexes:
                        out[i] = {"text": texts[i], "engine": "none", "origin": "source"}
                    continue
                results = m.translator.translate(db.session, [texts[i] for i in indexes], src, target, fmt=fmt,
                                                 glossary=termbase, formality=formality, context=context,
                                                 suggest=True, content_type="api")
                for i, r in zip(indexes, results, strict=True):
                    out[i] = {**r.to_dict(),
                              "findings": check_findings(texts[i], r.text, src, target, fmt) + r.term_findings}
    except NoEngineAvailable as exc:
        db.session.commit()  # keep the metering of failed attempts
        raise no_engine_error(exc) from exc
    db.session.commit()
    translations = [out[i] for i in range(len(texts))]
    for item, detected in zip(translations, detections, strict=True):
        item["detected_source_lang"] = detected.lang if detected else None
        # Every text has a detection exactly when the request names no source language.
        item["source_lang"] = detected.lang if detected else source
        if detected:
            item["detection"] = detected.to_dict()
    return jsonify({"translations": translations})


@bp.get("/tm/lookup")
@require()
def tm_lookup():
    """Exact and fuzzy translation-memory matches for ``text`` in a pair."""
    body = {k: request.args.get(k) for k in ("source_lang", "target_lang")}
    source, target = language(body, "source_lang", required=True), language(body, "target_lang", required=True)
    text = request.args.get("text", "")
    if not text.strip():
        raise ValidationError("'text' is required", details={"field": "text"})
    if len(text) > current_app.config["MAX_TEXT_CHARS"]:
        raise PayloadTooLarge(f"'text' is longer than {current_app.config['MAX_TEXT_CHARS']} characters")
    lowest, most = current_app.config["TM_FUZZY_THRESHOLD"], current_app.config["TM_LOOKUP_MAX_RESULTS"]
    try:
        threshold = int(request.args.get("threshold", lowest))
        limit = int(request.args.get("limit", min(5, most)))
    except ValueError as exc:
        raise ValidationError("'threshold' and 'limit' must be whole numbers") from exc
    # A low threshold turns a lookup into a listing of the memory: the configured minimum is enforced.
    if not lowest <= threshold <= 100:
        raise ValidationError(f"'threshold' must be between {lowest} (TOLK_TM_FUZZY_THRESHOLD) and 100",
                              code="threshold_out_of_range", details={"field": "threshold"})
    if not 1 <= limit <= most:
        raise ValidationError(f"'limit' must be between 1 and {most} (TOLK_TM_LOOKUP_MAX_RESULTS)",
                              code="limit_out_of_range", details={"field": "limit"})
    memory = services().memory
    exact = memory.lookup_exact(db.session, source, target, text)
    fuzzy = memory.lookup_fuzzy(source, target, text, limit=limit, threshold=threshold, session=db.session)
    return jsonify({"exact": _match(exact) if exact else None, "fuzzy": [_match(m) for m in fuzzy]})


def _match(m) -> dict:
    return {"segment_id": m.segment_id, "source": m.source_text, "text": m.target_text, "score": m.score,
            "origin": str(m.origin), "context": m.context, "engine": m.engine}


@bp.post("/tm/import")
@require(Role.ADMIN)
def tm_import():
    """A TMX 1.4 file (multipart ``file`` or the raw body); a malformed file is refused whole. A file above
    ``IMPORT_SYNC_BYTES`` is imported by a worker: 202 with the job (``GET /api/v1/imports/<id>``)."""
    data, filename = uploaded_file()
    if len(data) > sync_bytes():
        user = g.get("tolk_user")
        job = start_tmx_import(db.session, data, filename, user.name if user is not None else None)
        return jsonify(job_to_dict(job)), 202, {"Location": url_for("imports_api.show_import", job_id=job.id)}
    try:
        count = import_tmx(db.session, services().memory, data, max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    except TmxError as exc:
        db.session.rollback()
        raise TolkError(str(exc), code="invalid_file", status=400) from exc
    audit("tm.imported", "tm", None, detail={"segments": count})
    db.session.commit()
    services().memory.refresh()
    return jsonify({"imported": count}), 201


@bp.get("/tm/segments")
@require(Role.EDITOR)
def tm_segments():
    """Translation-memory segments, newest first, a page at a time; optionally one pair, or sources containing
    ``q``."""
    body = {k: request.args.get(k) for k in ("source_lang", "target_lang")}
    query = select(TmSegment)
    for name in ("source_lang", "target_lang"):
        tag = language(body, name)
        if tag:
            query = query.where(getattr(TmSegment, name) == tag)
    text = (request.args.get("q") or "").strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(TmSegment.source_text.ilike(f"%{escaped}%", escape="\\"))
    page = paginate(db.session, query, TmSegment.id, page_request(default=TM_PAGE[0], maximum=TM_PAGE[1]),
                    descending=True)
    return page_response("segments", page.items, page, _segment)


def _segment(row: TmSegment) -> dict[str, Any]:
    return {"id": row.id, "source_lang": row.source_lang, "target_lang": row.target_lang, "source": row.source_text,
            "text": row.target_text, "origin": str(row.origin), "engine": row.engine, "context": row.context,
            "approved_by": row.approved_by, "created_at": row.created_at.isoformat()}


@bp.get("/tm/export.tmx")
@require(Role.EDITOR)
def tm_export():
    """The translation memory (optionally one pair) as TMX 1.4."""
    body = {k: request.args.get(k) for k in ("source_lang", "target_lang")}
    data = export_tmx(db.session, source_lang=language(body, "source_lang"), target_lang=language(body, "target_lang"))
    return Response(data, mimetype="application/x-tmx+xml",
                    headers={"Content-Disposition": 'attachment; filename="tolk-tm.tmx"'})
