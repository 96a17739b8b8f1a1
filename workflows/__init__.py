"""Workflows: drafted replies, KB articles, review queues, routing decisions, SLAs and webhooks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the replies/reviews API, the KB and locale parts, their commands and demo seeders."""
    # Deferred so that importing one workflows module does not load every view and command.
    from machinery.budgets import BUDGET_LISTENERS_KEY  # lazy: see above
    from tolk import openapi  # lazy: see above
    from workflows import (  # lazy: see above
        api,
        cli,
        contract,
        kb,
        kb_api,
        kb_contract,
        locales,
        locales_api,
        locales_cli,
        locales_contract,
        macros,
        pages,
        privacy,
        privacy_api,
        privacy_cli,
        privacy_contract,
        replies,
        review,
    )
    from workflows.webhooks import budget_notice  # lazy: see above

    app.register_blueprint(api.bp)
    review.ON_DECIDED["reply"] = replies.on_review_decided
    review.ON_OVERDUE["reply"] = replies.on_review_overdue
    review.CUSTOMER_OF["reply"] = replies.customer_of
    review.ON_DECIDED["article"] = kb.on_review_decided
    app.register_blueprint(locales_api.bp)
    app.register_blueprint(kb_api.bp)
    app.register_blueprint(kb_api.public)
    app.register_blueprint(privacy_api.bp)
    for part in (contract, locales_contract, kb_contract):
        openapi.register(app, operations=part.operations(app.config), components=part.components(), tags=part.TAGS)
    openapi.register(app, operations=privacy_contract.operations(app.config))
    pages.init_app(app)
    for command in (*cli.commands, *locales_cli.commands, *privacy_cli.commands):
        app.cli.add_command(command)
    app.extensions.setdefault("tolk.worker_started", []).append(privacy.schedule_purge)
    app.extensions.setdefault(BUDGET_LISTENERS_KEY, []).append(budget_notice)
    app.extensions["tolk.seeders"] += [locales.seed_demo_locales, macros.seed_demo_templates, kb.seed_demo_articles]
