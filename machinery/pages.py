"""The engines admin page: each engine's configuration and health, and the routing table."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask_babel import lazy_gettext

from machinery.registry import ENGINES
from machinery.routing import parse_routes
from machinery.service import services
from machinery.translator import describe_engines
from tolk.auth import require
from tolk.models import Role
from tolk.web import page_errors, register_nav

bp = Blueprint("engine_pages", __name__)
page_errors(bp)


@bp.get("/admin/engines")
@require(Role.ADMIN)
def admin_engines():
    m = services()
    health = {}
    for name, engine in m.engines.items():
        try:
            health[name] = engine.health()
        except Exception as exc:  # a broken engine is what this page is for: show why, do not fail the page
            health[name] = {"configured": False, "error": f"{type(exc).__name__}: {exc}"}
    return render_template("admin/engines.html", engines=describe_engines(m.engines), health=health,
                           routes=parse_routes(current_app.config["ENGINE_ROUTES"], list(ENGINES)))


def init_app(app: Flask) -> None:
    """Register the engines page and its entry in the administration menu."""
    app.register_blueprint(bp)
    register_nav(app, lazy_gettext("Engines"), "engine_pages.admin_engines", {Role.ADMIN}, 40, section="admin")
