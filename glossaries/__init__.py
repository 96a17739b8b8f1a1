"""Termbases: glossaries, import and export (CSV, TBX), term verification."""

from __future__ import annotations

import threading

from flask import Flask

from glossaries import checkers
from tolk.plugins import LazyCommand, deferred


def init_app(app: Flask) -> None:
    """Register the `tolk glossary` commands, the demo glossary, the lemmatizers' warm-up, and the building of
    term checkers when a glossary changes (and when a worker starts)."""
    app.cli.add_command(LazyCommand("glossary", "glossaries.cli:glossary"))
    checkers.listen()
    app.extensions.setdefault("tolk.worker_started", []).append(deferred("glossaries.checker_jobs:warm_all"))
    app.extensions["tolk.seeders"].append(deferred("glossaries.demo:seed_demo_glossary"))
    app.extensions.setdefault("tolk.web_started", []).append(_warm_lemmatizers)
    app.extensions.setdefault("tolk.web_preload", []).append(_load_lemmatizers)


def init_web(app: Flask) -> None:
    """Register the glossary API with its contract, and the glossary admin pages."""
    from glossaries import api, contract, pages  # lazy: views load only in an app that serves them
    from tolk import openapi  # lazy: app wiring only

    app.register_blueprint(api.bp)
    app.register_blueprint(api.imports_bp)
    openapi.register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    pages.init_app(app)


def _load_lemmatizers(app: Flask) -> None:
    """Load the lemmatizer dictionaries once, before the web workers fork (they share the memory)."""
    from glossaries.verify import warm_up  # lazy: simplemma's dictionaries load only in web processes

    warm_up(app.config["LANGUAGES"])


def _warm_lemmatizers(app: Flask) -> None:
    """Load the lemmatizer dictionaries (1-3 s per language) beside serving, not in a first request."""
    from glossaries.verify import warm_up  # lazy: simplemma's dictionaries load only in web processes

    threading.Thread(target=warm_up, args=(app.config["LANGUAGES"],), daemon=True, name="warm-up").start()
