"""Translation quality: automatic checks, MQM annotation and scoring, per-language figures."""

from __future__ import annotations

from flask import Flask

from tolk.plugins import LazyCommand, deferred


def init_app(app: Flask) -> None:
    """Register the ``lqa`` and ``quality`` command groups and the demo review history."""
    app.cli.add_command(LazyCommand("lqa", "lqa.cli:lqa"))
    app.cli.add_command(LazyCommand("quality", "lqa.cli:quality"))
    app.extensions["tolk.seeders"].append(deferred("lqa.demo:seed_demo_quality"))


def init_web(app: Flask) -> None:
    """Register the quality API with its contract, and the dashboard."""
    from lqa import api, contract, pages  # lazy: views load only in an app that serves them
    from tolk import openapi  # lazy: app wiring only

    app.register_blueprint(api.bp)
    openapi.register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    pages.init_app(app)
