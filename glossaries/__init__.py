"""Termbases: glossaries, import and export (CSV, TBX), term verification."""

from __future__ import annotations

import threading

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the glossary API, the `tolk glossary` commands and the demo glossary."""
    from glossaries import api, cli, contract, demo, pages  # lazy: app wiring only
    from tolk import openapi  # lazy: app wiring only

    app.register_blueprint(api.bp)
    openapi.register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    pages.init_app(app)
    app.cli.add_command(cli.glossary)
    app.extensions["tolk.seeders"].append(demo.seed_demo_glossary)
    app.extensions.setdefault("tolk.web_started", []).append(_warm_lemmatizers)


def _warm_lemmatizers(app: Flask) -> None:
    """Load the lemmatizer dictionaries (1-3 s per language) beside serving, not in a first request."""
    from glossaries.verify import warm_up  # lazy: simplemma's dictionaries load only in web processes

    threading.Thread(target=warm_up, args=(app.config["LANGUAGES"],), daemon=True, name="warm-up").start()
