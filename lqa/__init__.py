"""Translation quality: automatic checks, MQM annotation and scoring, per-language figures."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and seeders."""
