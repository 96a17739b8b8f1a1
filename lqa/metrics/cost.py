"""Engine cost figures of a language: characters billed, money spent and what translation memory saved.

Cost figures live in machinery's metering table, which lqa may not import: they come from the
provider registered as ``app.extensions["tolk.cost_figures"]``, a callable
``(session, *, lang, start, end, engine=None) -> list[dict]`` whose dicts carry ``engine``,
``characters``, ``billed_characters``, ``segments``, ``errors`` and ``tm_characters_saved``, and may
carry money (``cost``, ``tm_cost_saved``, in the ``COST_CURRENCY`` setting) split by ``content_types``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from lqa.metrics.filters import QualityFilters

COST_PROVIDER_KEY = "tolk.cost_figures"

CostFigures = Callable[..., list[dict[str, Any]]]


def cost_provider() -> CostFigures | None:
    """The cost-figures callable registered on the current app, or None."""
    return current_app.extensions.get(COST_PROVIDER_KEY) if has_app_context() else None


_MONEY_KEYS = ("characters", "billed_characters", "cost", "tm_characters_saved", "tm_cost_saved")


def cost_summary(session: Session, lang: str, filters: QualityFilters,
                 provider: CostFigures | None) -> dict[str, Any]:
    """Characters billed and money spent per engine and content type, and what translation memory saved.

    ``available`` is false without a provider; money is in the ``COST_CURRENCY`` setting.
    """
    if provider is None:
        return {"available": False, "note": "not available: no cost provider is registered"}
    start, end = filters.period
    engines = provider(session, lang=lang, start=start, end=end, engine=filters.engine)
    content_types: dict[str, dict[str, Any]] = {}
    for engine in engines:
        for content_type, part in (engine.get("content_types") or {}).items():
            total = content_types.setdefault(content_type, dict.fromkeys(_MONEY_KEYS, 0))
            for key in _MONEY_KEYS:
                total[key] += part.get(key, 0)
    currency = current_app.config.get("COST_CURRENCY") if has_app_context() else None
    return {"available": True, "currency": currency, "engines": engines,
            "billed_characters": sum(e["billed_characters"] for e in engines),
            "tm_characters_saved": sum(e["tm_characters_saved"] for e in engines),
            "cost": round(sum(e.get("cost", 0.0) for e in engines), 6),
            "tm_cost_saved": round(sum(e.get("tm_cost_saved", 0.0) for e in engines), 6),
            "content_types": dict(sorted(content_types.items()))}
