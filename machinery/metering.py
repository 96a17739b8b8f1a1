"""Cost figures from engine-call metering: characters, tokens and money spent, and saved by translation memory.

This is the provider behind ``app.extensions["tolk.cost_figures"]``, which lqa's quality report calls
without importing machinery (lqa depends only on the kernel).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextvars import ContextVar
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from machinery.models import EngineCall

# Rows written for translation-memory hits carry this engine name; their characters never reached a
# vendor, so they count as characters saved, not billed, and their cost as money saved.
TM_ENGINE = "tm"
#: What the texts being translated are for (reply, kb, template, api): recorded on every meter row.
CONTENT_TYPE: ContextVar[str | None] = ContextVar("CONTENT_TYPE", default=None)
UNSPECIFIED = "unspecified"


def _zero() -> dict[str, Any]:
    return {"characters": 0, "billed_characters": 0, "cost": 0.0, "tm_characters_saved": 0, "tm_cost_saved": 0.0}


def cost_figures(session: Session, *, lang: str | None = None, start: dt.datetime | None = None,
                 end: dt.datetime | None = None, engine: str | None = None) -> list[dict[str, Any]]:
    """Per engine: characters, billed characters, tokens, money, segments, failed calls and TM savings.

    Each engine's ``content_types`` splits characters and money by what the texts were for. ``lang``
    is the target language (exact tag); ``start`` is inclusive and ``end`` exclusive, both
    timezone-aware. Engines are listed by name.
    """
    query = (select(EngineCall.engine, EngineCall.content_type,
                    func.coalesce(func.sum(EngineCall.characters), 0),
                    func.coalesce(func.sum(EngineCall.billed_characters), 0),
                    func.coalesce(func.sum(EngineCall.segments), 0),
                    func.coalesce(func.sum(case((EngineCall.ok.is_(False), 1), else_=0)), 0),
                    func.coalesce(func.sum(EngineCall.input_tokens), 0),
                    func.coalesce(func.sum(EngineCall.output_tokens), 0),
                    func.coalesce(func.sum(EngineCall.cost), 0.0))
             .group_by(EngineCall.engine, EngineCall.content_type).order_by(EngineCall.engine))
    if lang is not None:
        query = query.where(EngineCall.target_lang == lang)
    if start is not None:
        query = query.where(EngineCall.created_at >= start)
    if end is not None:
        query = query.where(EngineCall.created_at < end)
    if engine is not None:
        query = query.where(EngineCall.engine == engine)
    rows: dict[str, dict[str, Any]] = {}
    for name, content_type, characters, billed, segments, errors, tokens_in, tokens_out, cost in session.execute(query):
        saved = name == TM_ENGINE
        row = rows.setdefault(name, {"engine": name, **_zero(), "segments": 0, "errors": 0, "input_tokens": 0,
                                     "output_tokens": 0, "content_types": defaultdict(_zero)})
        part = {"characters": int(characters), "billed_characters": 0 if saved else int(billed),
                "cost": 0.0 if saved else float(cost), "tm_characters_saved": int(characters) if saved else 0,
                "tm_cost_saved": float(cost) if saved else 0.0}
        split = row["content_types"][content_type or UNSPECIFIED]
        for key, value in part.items():
            row[key] += value
            split[key] += value
        row["segments"] += int(segments)
        row["errors"] += int(errors)
        row["input_tokens"] += int(tokens_in)
        row["output_tokens"] += int(tokens_out)
    for row in rows.values():
        row["content_types"] = dict(sorted(row["content_types"].items()))
    return [rows[name] for name in sorted(rows)]
