"""Workflows: drafted replies, KB articles, review queues, routing decisions, SLAs and webhooks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the review callbacks of replies and articles, the commands, demo seeders and listeners."""
    # Deferred so that importing one workflows module does not load every command.
    from machinery.budgets import BUDGET_LISTENERS_KEY  # lazy: see above
    from workflows import (  # lazy: see above
        cli,
        kb,
        locales,
        locales_cli,
        macros,
        privacy,
        privacy_cli,
        replies,
        review,
    )
    from workflows.webhooks import budget_notice  # lazy: see above

    review.ON_DECIDED["reply"] = replies.on_review_decided
    review.ON_OVERDUE["reply"] = replies.on_review_overdue
    review.CUSTOMER_OF["reply"] = replies.customer_of
    review.ON_DECIDED["article"] = kb.on_review_decided
    for command in (*cli.commands, *locales_cli.commands, *privacy_cli.commands):
        app.cli.add_command(command)
    app.extensions.setdefault("tolk.worker_started", []).append(privacy.schedule_purge)
    app.extensions.setdefault(BUDGET_LISTENERS_KEY, []).append(budget_notice)
    app.extensions["tolk.seeders"] += [locales.seed_demo_locales, macros.seed_demo_templates, kb.seed_demo_articles]


def init_web(app: Flask) -> None:
    """Register the replies/reviews, locales, KB and privacy APIs with their contracts, and the pages."""
    from tolk import openapi  # lazy: views load only in an app that serves them
    from workflows import (  # lazy: see above
        api,
        contract,
        locales_api,
        locales_contract,
        pages,
        privacy_api,
        privacy_contract,
    )
    from workflows.kb import api as kb_api  # lazy: see above
    from workflows.kb import contract as kb_contract  # lazy: see above

    for blueprint in (api.bp, locales_api.bp, kb_api.bp, kb_api.public, privacy_api.bp):
        app.register_blueprint(blueprint)
    for part in (contract, locales_contract, kb_contract):
        openapi.register(app, operations=part.operations(app.config), components=part.components(), tags=part.TAGS)
    openapi.register(app, operations=privacy_contract.operations(app.config))
    pages.init_app(app)
