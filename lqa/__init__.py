"""Translation quality: automatic checks, MQM annotation and scoring, per-language figures."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the quality API and the ``lqa`` and ``quality`` command groups."""
    from lqa import api, cli, contract, pages  # lazy: they load sacrebleu and the report; lqa.checks must not
    from tolk import openapi  # lazy: app wiring only

    app.register_blueprint(api.bp)
    openapi.register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    pages.init_app(app)
    app.cli.add_command(cli.lqa)
    app.cli.add_command(cli.quality)
