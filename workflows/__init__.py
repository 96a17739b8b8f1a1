"""Workflows: drafted replies, KB articles, review queues, routing decisions, SLAs and webhooks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and seeders."""
