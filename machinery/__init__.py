"""Machine translation: engines, routing and failover, text protection, translation memory, metering."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the translate API, the engines/translate/tm commands and the engine health check."""
    from machinery import api, cli, contract, metering
    from machinery.pricing import PriceList, parse_amounts
    from machinery.registry import ENGINES
    from machinery.routing import parse_routes
    from machinery.service import health
    from tolk import openapi
    from tolk.health import register_check

    # Validate routes at start-up: a typo in TOLK_ENGINE_ROUTES should stop the app, not a request.
    parse_routes(app.config["ENGINE_ROUTES"], list(ENGINES))
    PriceList.from_settings(app.config)
    parse_amounts(app.config.get("ENGINE_BUDGETS") or "", "ENGINE_BUDGETS")
    app.register_blueprint(api.bp)
    openapi.register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    for command in cli.commands:
        app.cli.add_command(command)
    register_check(app, "engines", health)
    app.extensions["tolk.cost_figures"] = metering.cost_figures
