"""GET /healthz: the database, Redis and every component that registered a health check
(``tolk.plugins.register_check``).

Anyone may ask whether Tolk is healthy (``{"ok": ...}`` and the status code, for load balancers and
monitors); the components' details (engines, URLs, circuit breakers) are shown to admins only, with the
credentials of every URL masked.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from tolk.auth import current_user
from tolk.config import mask_url
from tolk.db import db
from tolk.errors import TolkError
from tolk.models import Role
from tolk.queue import redis_connection

bp = Blueprint("health", __name__)


@bp.get("/livez")
def livez():
    """Liveness for load balancers: answers without touching the database, Redis or engines."""
    return jsonify({"ok": True})


@bp.get("/healthz")
def healthz():
    report: dict[str, Any] = {}
    try:
        db.ping()
        report["database"] = {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - health reports every failure, it never raises
        report["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        redis_connection().ping()
        report["redis"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001
        report["redis"] = {"ok": False, "error": type(exc).__name__}
    for name, check in current_app.extensions.get("tolk.health", {}).items():
        try:
            report[name] = check()
        except Exception as exc:  # noqa: BLE001
            report[name] = {"ok": False, "error": type(exc).__name__}
    ok = report["database"]["ok"] and report["redis"]["ok"]
    if not _is_admin():
        return jsonify({"ok": ok}), 200 if ok else 503
    return jsonify({"ok": ok, "components": _masked(report)}), 200 if ok else 503


def _is_admin() -> bool:
    try:
        user = current_user()
    except TolkError:  # a malformed or revoked token: anonymous
        return False
    return user is not None and user.role == Role.ADMIN


def _masked(value: Any) -> Any:
    """``value`` with the credentials of every URL in its strings masked."""
    if isinstance(value, str):
        return mask_url(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value
