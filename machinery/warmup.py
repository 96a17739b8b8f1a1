"""What a long-lived worker process prepares before its first job: its machinery and the Apertium pipelines
its jobs will route to (starting one and loading its dictionaries took the first KB jobs about a second)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from flask import Flask

from machinery.apertium import ApertiumEngine
from machinery.base import Engine
from machinery.routing import Router
from machinery.service import services

log = logging.getLogger(__name__)


def routed_apertium_modes(router: Router, engines: dict[str, Engine], languages: Sequence[str]) -> list[str]:
    """The Apertium modes of the pairs of ``languages`` for which Apertium is the first configured engine of the
    route (pairs where it only stands behind a configured vendor start their pipeline on first use)."""
    engine = engines.get("apertium")
    if not isinstance(engine, ApertiumEngine) or not engine.is_configured():
        return []
    modes = []
    for target in languages:
        route = router.route_for(target)
        if "apertium" not in route:
            continue
        ahead = route[:route.index("apertium")]
        if any(name in engines and engines[name].is_configured() for name in ahead):
            continue
        for source in languages:
            mode = engine.mode_for(source, target) if source != target else None
            if mode is not None and mode not in modes:
                modes.append(mode)
    return modes


def warm_worker_process(app: Flask) -> None:
    """Build this process's machinery and start the Apertium pipelines of ``LANGUAGES``' routed pairs; a mode
    that fails is logged and left to start on first use (the worker runs jobs either way)."""
    machinery = services(app)
    engine = machinery.engines.get("apertium")
    modes = routed_apertium_modes(machinery.router, machinery.engines, app.config["LANGUAGES"])
    if not modes or not isinstance(engine, ApertiumEngine):
        return
    started = time.perf_counter()
    outcome = engine.warm(modes)
    for mode, error in outcome.items():
        if error is not None:
            log.warning("Apertium pipeline %s not warmed: %s", mode, error)
    warmed = [mode for mode, error in outcome.items() if error is None]
    log.info("Apertium pipelines warmed in %.2f s: %s", time.perf_counter() - started, ", ".join(warmed) or "none")
