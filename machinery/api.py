"""POST /api/v1/translate: machine translation of texts, TM first, glossary enforced, text protected."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, current_app, jsonify

from machinery.routing import NoEngineAvailable
from machinery.service import services
from tolk.auth import require
from tolk.db import db
from tolk.errors import BadRequest, PayloadTooLarge, ServiceUnavailable, TolkError, ValidationError
from tolk.validation import field, json_object, language

bp = Blueprint("machinery_api", __name__, url_prefix="/api/v1")

FORMATS = ("text", "html")
FORMALITIES = ("default", "formal", "informal")


def no_engine_error(exc: NoEngineAvailable) -> TolkError:
    """The API error for a pair no engine could translate: 422 if none serves it, 503 if all failed."""
    details = {"source_lang": exc.source, "target_lang": exc.target,
               "attempts": [a.to_dict() for a in exc.attempts]}
    if exc.unserved:
        return TolkError(str(exc), code="no_engine_for_pair", status=422, details=details)
    return ServiceUnavailable(str(exc), code="engines_failed", details=details)


def read_texts(body: dict) -> list[str]:
    """``text`` or ``texts`` from a request body, within the configured limits."""
    if ("text" in body) == ("texts" in body):
        raise ValidationError("give exactly one of 'text' or 'texts'")
    if "text" in body:
        texts = [field(body, "text", str, required=True)]
    else:
        texts = field(body, "texts", list, required=True)
        if not texts or not all(isinstance(t, str) for t in texts):
            raise ValidationError("'texts' must be a non-empty list of strings", details={"field": "texts"})
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
    from machinery.translator import describe_engines

    m = services()
    return jsonify({"engines": describe_engines(m.engines), "routes": m.router.routes})


@bp.post("/translate")
@require()
def translate():
    body = json_object()
    texts = read_texts(body)
    source = language(body, "source_lang")
    target = language(body, "target_lang", required=True)
    fmt = field(body, "format", str, default="text", choices=FORMATS)
    formality = field(body, "formality", str, choices=FORMALITIES)
    context = field(body, "context", str, max_length=2000)
    glossary_name = field(body, "glossary", str, max_length=80)
    m = services()
    termbase = None
    if glossary_name:
        from glossaries.store import load_termbase

        termbase = load_termbase(db.session, glossary_name)

    detections = [None] * len(texts)
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

    out: list[dict | None] = [None] * len(texts)
    try:
        for src, indexes in groups.items():
            if src.split("-")[0] == target.split("-")[0] and src == target:
                for i in indexes:
                    out[i] = {"text": texts[i], "engine": "none", "origin": "source"}
                continue
            results = m.translator.translate(db.session, [texts[i] for i in indexes], src, target, fmt=fmt,
                                             glossary=termbase, formality=formality, context=context,
                                             suggest=True)
            for i, r in zip(indexes, results, strict=True):
                out[i] = r.to_dict()
    except NoEngineAvailable as exc:
        db.session.commit()  # keep the metering of failed attempts
        raise no_engine_error(exc) from exc
    db.session.commit()
    for i, item in enumerate(out):
        item["detected_source_lang"] = detections[i].lang if detections[i] else None
        item["source_lang"] = source or detections[i].lang
        if detections[i]:
            item["detection"] = detections[i].to_dict()
    return jsonify({"translations": out})
