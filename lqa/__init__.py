"""Translation quality: automatic checks, MQM annotation and scoring, per-language figures."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the quality API and the ``lqa`` and ``quality`` command groups."""
    from lqa import (  # lazy: they load sacrebleu and the report; importing lqa.checks should not
        api,
        cli,
        pages,
    )

    app.register_blueprint(api.bp)
    pages.init_app(app)
    app.cli.add_command(cli.lqa)
    app.cli.add_command(cli.quality)
