"""Workflows: drafted replies, KB articles, review queues, routing decisions, SLAs and webhooks."""

from __future__ import annotations

from flask import Flask

from machinery.budgets import BUDGET_LISTENERS_KEY
from tolk.plugins import LazyCommand, deferred
from workflows import review_hooks


def init_app(app: Flask) -> None:
    """Register the review callbacks of replies and articles, the commands, demo seeders and listeners."""
    review_hooks.ON_DECIDED["reply"] = deferred("workflows.replies:on_review_decided")
    review_hooks.ON_OVERDUE["reply"] = deferred("workflows.replies:on_review_overdue")
    review_hooks.CUSTOMER_OF["reply"] = deferred("workflows.replies:customer_of")
    review_hooks.ON_DECIDED["article"] = deferred("workflows.kb:on_review_decided")
    review_hooks.ALSO_TOLD["article"] = deferred("workflows.kb.editors:editor_of")
    for name, path in (("reviews", "workflows.cli:reviews"), ("webhooks", "workflows.cli:webhooks_group"),
                       ("locales", "workflows.locales_cli:locales_group"),
                       ("templates", "workflows.locales_cli:templates_group"),
                       ("catalogs", "workflows.locales_cli:catalogs_group"),
                       ("privacy", "workflows.privacy_cli:privacy_group"),
                       ("xliff", "workflows.kb.xliff_cli:xliff_group")):
        app.cli.add_command(LazyCommand(name, path))
    app.extensions.setdefault("tolk.worker_started", []).append(deferred("workflows.privacy:schedule_purge"))
    app.extensions["tolk.worker_started"].append(deferred("workflows.sweep:schedule_sweep"))
    app.extensions.setdefault(BUDGET_LISTENERS_KEY, []).append(deferred("workflows.webhooks:budget_notice"))
    app.extensions.setdefault("tolk.web_preload", []).append(_load_routing)
    app.extensions["tolk.seeders"] += [deferred("workflows.locales:seed_demo_locales"),
                                       deferred("workflows.macros:seed_demo_templates"),
                                       deferred("workflows.kb:seed_demo_articles")]


def _load_routing(_app: Flask) -> None:
    """Build the routing rules' search plan and read the classifier once, before the web workers fork: the
    first reply of each worker would otherwise pay for them (about 0.1 s)."""
    from workflows.classifier import load_classifier  # lazy: web processes only
    from workflows.rule_search import search_plan  # lazy: web processes only

    search_plan()
    load_classifier()


def init_web(app: Flask) -> None:
    """Register the replies/reviews, locales, KB and privacy APIs with their contracts, and the pages."""
    from tolk import openapi  # lazy: views load only in an app that serves them
    from tolk.web import register_account_section  # lazy: see above
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
    from workflows.kb import public as kb_public  # lazy: see above
    from workflows.kb import xliff_api, xliff_contract  # lazy: see above
    from workflows.notify import pages as notify_pages  # lazy: see above

    for blueprint in (api.bp, locales_api.bp, kb_api.bp, kb_public.bp, privacy_api.bp, xliff_api.bp):
        app.register_blueprint(blueprint)
    for part in (contract, locales_contract, kb_contract, xliff_contract):
        openapi.register(app, operations=part.operations(app.config), components=part.components(), tags=part.TAGS)
    openapi.register(app, operations=privacy_contract.operations(app.config))
    pages.init_app(app)
    app.register_blueprint(notify_pages.bp)
    register_account_section(app, notify_pages.account_section)
