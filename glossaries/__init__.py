"""Termbases: glossaries, import and export (CSV, TBX), term verification."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the glossary API, the `tolk glossary` commands and the demo glossary."""
    from glossaries import api, cli, contract, demo
    from tolk import openapi

    app.register_blueprint(api.bp)
    openapi.register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    app.cli.add_command(cli.glossary)
    app.extensions["tolk.seeders"].append(demo.seed_demo_glossary)
