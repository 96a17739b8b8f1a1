"""The engines admin page: each engine's configuration and health, and the routing table."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask_babel import lazy_gettext

from machinery.engine_status import engine_statuses, route_lines
from machinery.registry import ENGINES
from machinery.routing import parse_routes
from machinery.service import services
from tolk.auth import require
from tolk.models import Role
from tolk.web import page_errors, register_nav

bp = Blueprint("engine_pages", __name__)
page_errors(bp)


@bp.get("/admin/engines")
@require(Role.ADMIN)
def admin_engines():
    m = services()
    routes = parse_routes(current_app.config["ENGINE_ROUTES"], list(ENGINES))
    return render_template("admin/engines.html", engines=engine_statuses(m.engines, m.router.breaker),
                           routes=route_lines(routes))


def init_app(app: Flask) -> None:
    """Register the engines page and its entry in the administration menu."""
    app.register_blueprint(bp)
    register_nav(app, lazy_gettext("Engines"), "engine_pages.admin_engines", {Role.ADMIN}, 40, section="admin")
