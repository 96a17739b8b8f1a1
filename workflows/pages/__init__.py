"""Workflow pages, one blueprint per role's work: agents (replies), reviewers (review queue), KB editors
(articles per locale), admins (overview, users and shifts, API tokens, the
audit log, locale profiles)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext

from tolk.models import Role
from tolk.web import register_home, register_nav
from workflows.pages import access, admin, agent, display, kb_editor, kb_segments, kb_xliff, locales, review


def init_app(app: Flask) -> None:
    """Register the workflow pages, their menu entries and each role's landing page."""
    for blueprint in (agent.bp, review.bp, kb_editor.bp, kb_segments.bp, kb_xliff.bp, locales.bp, admin.bp, access.bp):
        app.register_blueprint(blueprint)
    app.context_processor(display.labels)
    register_nav(app, lazy_gettext("Replies"), "agent_pages.agent_home", {Role.AGENT, Role.ADMIN}, 10)
    register_nav(app, lazy_gettext("Review queue"), "review_pages.review_queue", {Role.REVIEWER, Role.ADMIN}, 20)
    register_nav(app, lazy_gettext("Knowledge base"), "kb_editor_pages.kb_articles", {Role.EDITOR, Role.ADMIN}, 30)
    register_nav(app, lazy_gettext("Administration"), "admin_pages.admin_home", {Role.ADMIN}, 90)
    register_nav(app, lazy_gettext("Locale profiles"), "locale_pages.admin_locales", {Role.ADMIN}, 20, section="admin")
    register_nav(app, lazy_gettext("Users and shifts"), "admin_pages.admin_users", {Role.ADMIN}, 30, section="admin")
    register_nav(app, lazy_gettext("API tokens"), "access_pages.admin_tokens", {Role.ADMIN}, 35, section="admin")
    register_nav(app, lazy_gettext("Audit log"), "access_pages.admin_audit", {Role.ADMIN}, 50, section="admin")
    register_home(app, "agent_pages.agent_home", {Role.AGENT}, 10)
    register_home(app, "review_pages.review_queue", {Role.REVIEWER}, 10)
    register_home(app, "kb_editor_pages.kb_articles", {Role.EDITOR}, 10)
    register_home(app, "admin_pages.admin_home", {Role.ADMIN}, 10)
