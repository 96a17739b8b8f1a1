"""The per-process machine-translation services of an app: engines, router, memory, detector."""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from machinery.base import Engine
from machinery.budgets import BUDGET_LISTENERS_KEY, Budgets
from machinery.detection import LanguageDetector, shared_detector
from machinery.memory import TranslationMemory
from machinery.pricing import PriceList, parse_amounts
from machinery.registry import ENGINES, build_engines, protector_from
from machinery.routing import CircuitBreaker, Router, parse_routes
from machinery.translator import MachineTranslator, database_meter
from tolk.db import db
from tolk.plugins import deferred


@dataclass
class Machinery:
    """The per-process machine-translation services of one app."""

    engines: dict[str, Engine]
    router: Router
    memory: TranslationMemory
    detector: LanguageDetector
    translator: MachineTranslator
    prices: PriceList
    budgets: Budgets

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()


_lock = threading.Lock()


def build(app: Flask) -> Machinery:
    """Construct engines, router, memory and detector from the app's settings."""
    cfg = app.config
    protector = protector_from(cfg)
    engines = build_engines(cfg, protector)
    routes = parse_routes(cfg["ENGINE_ROUTES"], list(ENGINES))
    prices = PriceList.from_settings(cfg)
    budgets = Budgets(parse_amounts(cfg.get("ENGINE_BUDGETS") or "", "ENGINE_BUDGETS"), prices.currency,
                      listeners=tuple(app.extensions.get(BUDGET_LISTENERS_KEY, ())))
    meter = database_meter(lambda: db.session, cfg["EGRESS_LOG"], prices, after_write=budgets.after_write,
                           budgeted=budgets.limits.__contains__)
    breaker = CircuitBreaker(cfg["ENGINE_CIRCUIT_THRESHOLD"], cfg["ENGINE_CIRCUIT_COOLDOWN"])
    router = Router(engines, routes, retries=cfg["ENGINE_RETRIES"], backoff=cfg["ENGINE_BACKOFF"], meter=meter,
                    withhold=(lambda name: budgets.withheld(db.session, name)) if budgets.limits else None,
                    breaker=breaker)
    memory = TranslationMemory(app.extensions["tolk.db"][1], protector=protector, index_dir=tm_index_dir(app),
                               on_stale=deferred("machinery.memory_jobs:queue_rebuild"))
    detector = shared_detector(tuple(cfg["LANGUAGES"]), cfg["DETECTION_MIN_MARGIN"])
    translator = MachineTranslator(router, memory, fuzzy_threshold=cfg["TM_FUZZY_THRESHOLD"], meter=meter)
    return Machinery(engines, router, memory, detector, translator, prices, budgets)


def tm_index_dir(app: Flask) -> Path | None:
    """Where the memory's index snapshots live (``TM_INDEX_DIR``); None: in memory, per process."""
    setting = app.config["TM_INDEX_DIR"]
    if setting == "memory":
        return None
    return Path(setting) if setting else Path(app.instance_path) / "tm-index"


def services(app: Flask | None = None) -> Machinery:
    """This process's machinery for ``app`` (built on first use, so forked workers build their own)."""
    app = app or current_app  # the proxy reads the same extensions as the app object
    found = app.extensions.get("tolk.machinery")
    if found is None:
        with _lock:
            found = app.extensions.get("tolk.machinery")
            if found is None:
                found = build(app)
                app.extensions["tolk.machinery"] = found
                atexit.register(found.close)
    return found


def health() -> dict[str, Any]:
    """Engine health for /healthz: each engine's own report."""
    m = services()
    report: dict[str, Any] = {name: {**engine.health(), "circuit": m.router.breaker.state(name)}
                              for name, engine in m.engines.items()}
    report["ok"] = any(r.get("configured") for r in report.values())
    if m.budgets.limits:
        # Whether routing skips an engine; the amounts are for admins (GET /api/v1/engines/budgets).
        report["budgets"] = {row["engine"]: {"withheld": row["withheld"]} for row in m.budgets.status(db.session)}
    return report
