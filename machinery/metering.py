"""Cost figures from engine-call metering: characters sent, billed and saved by translation memory.

This is the provider behind ``app.extensions["tolk.cost_figures"]``, which lqa's quality report calls
without importing machinery (lqa depends only on the kernel).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from machinery.models import EngineCall

# Rows written for translation-memory hits carry this engine name; their characters never reached a
# vendor, so they count as characters saved, not billed.
TM_ENGINE = "tm"


def cost_figures(session: Session, *, lang: str | None = None, start: dt.datetime | None = None,
                 end: dt.datetime | None = None, engine: str | None = None) -> list[dict[str, Any]]:
    """Per engine: characters, billed characters, segments, failed calls and TM-saved characters.

    ``lang`` is the target language (exact tag); ``start`` is inclusive and ``end`` exclusive, both
    timezone-aware. Engines are listed by name.
    """
    query = (select(EngineCall.engine,
                    func.coalesce(func.sum(EngineCall.characters), 0),
                    func.coalesce(func.sum(EngineCall.billed_characters), 0),
                    func.coalesce(func.sum(EngineCall.segments), 0),
                    func.coalesce(func.sum(case((EngineCall.ok.is_(False), 1), else_=0)), 0))
             .group_by(EngineCall.engine).order_by(EngineCall.engine))
    if lang is not None:
        query = query.where(EngineCall.target_lang == lang)
    if start is not None:
        query = query.where(EngineCall.created_at >= start)
    if end is not None:
        query = query.where(EngineCall.created_at < end)
    if engine is not None:
        query = query.where(EngineCall.engine == engine)
    rows = []
    for name, characters, billed, segments, errors in session.execute(query):
        saved = name == TM_ENGINE
        rows.append({"engine": name, "characters": int(characters), "billed_characters": 0 if saved else int(billed),
                     "segments": int(segments), "errors": int(errors),
                     "tm_characters_saved": int(characters) if saved else 0})
    return rows
