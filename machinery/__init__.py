"""Machine translation: engines, routing and failover, text protection, translation memory, metering."""

from __future__ import annotations

from flask import Flask

from tolk.plugins import LazyCommand, deferred, register_check


def init_app(app: Flask) -> None:
    """Check the engine settings, register the engines/translate/tm commands, the engine health check, the
    cost figures, the detector's warm-up and the worker processes' (Apertium's pipelines)."""
    from machinery.metering import cost_figures  # lazy: app wiring only
    from machinery.pricing import PriceList, parse_amounts  # lazy: app wiring only
    from machinery.registry import ENGINES  # lazy: app wiring only
    from machinery.routing import parse_routes  # lazy: app wiring only

    # Validate routes at start-up: a typo in TOLK_ENGINE_ROUTES should stop the app, not a request.
    parse_routes(app.config["ENGINE_ROUTES"], list(ENGINES))
    PriceList.from_settings(app.config)
    parse_amounts(app.config.get("ENGINE_BUDGETS") or "", "ENGINE_BUDGETS")
    for name, path in (("engines", "machinery.cli:engines_command"), ("translate", "machinery.cli:translate_command"),
                       ("tm", "machinery.cli:tm_group")):
        app.cli.add_command(LazyCommand(name, path))
    register_check(app, "engines", deferred("machinery.service:health"))
    app.extensions["tolk.cost_figures"] = cost_figures
    app.extensions.setdefault("tolk.web_started", []).append(_warm_detector)
    app.extensions.setdefault("tolk.web_preload", []).append(_load_detector)
    app.extensions.setdefault("tolk.worker_started", []).append(deferred("machinery.memory_jobs:queue_missing_snapshots"))
    app.extensions.setdefault("tolk.worker_process_started", []).append(deferred("machinery.warmup:warm_worker_process"))


def init_web(app: Flask) -> None:
    """Register the translate API with its contract, and the engines page."""
    from machinery import api, contract, pages  # lazy: views load only in an app that serves them
    from tolk import openapi  # lazy: app wiring only

    app.register_blueprint(api.bp)
    openapi.register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    pages.init_app(app)


def _load_detector(app: Flask) -> None:
    """Load the language detector's models once, before the web workers fork (they share the memory)."""
    from machinery.detection import shared_detector  # lazy: app wiring only

    shared_detector(tuple(app.config["LANGUAGES"]), app.config["DETECTION_MIN_MARGIN"]).warm()


def _warm_detector(app: Flask) -> None:
    """Build the language detector in each web process before it takes requests."""
    from machinery.service import services  # lazy: app wiring only

    services(app).detector.warm()
