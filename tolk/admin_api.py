"""Admin API: the audit log and user management (create, list, revoke tokens)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from tolk.accounts import create_user, get_user
from tolk.auth import audit, issue_token, require, revoke_tokens
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import AuditEvent, Role, User
from tolk.validation import json_object, optional

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1")


@bp.get("/audit")
@require(Role.ADMIN)
def audit_log():
    """Who released, approved, edited, rejected, published and configured what, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    for name in ("actor", "action", "object_type", "object_id"):
        value = request.args.get(name)
        if value:
            query = query.where(getattr(AuditEvent, name) == value)
    try:
        limit = int(request.args.get("limit", 100))
    except ValueError as exc:
        raise ValidationError("'limit' must be a whole number") from exc
    if not 1 <= limit <= 1000:
        raise ValidationError("'limit' must be between 1 and 1000")
    rows = db.session.scalars(query.limit(limit))
    return jsonify({"events": [{"id": e.id, "at": e.created_at.isoformat(), "actor": e.actor, "action": e.action,
                                "object_type": e.object_type, "object_id": e.object_id, "detail": e.detail}
                               for e in rows]})


@bp.get("/users")
@require(Role.ADMIN)
def list_users():
    return jsonify({"users": [u.to_dict() for u in db.session.scalars(select(User).order_by(User.name))]})


@bp.post("/users")
@require(Role.ADMIN)
def add_user():
    """Create a user; with ``"token": true`` the answer carries an API token, shown this once."""
    body = json_object()
    languages = optional(body, "languages", "")
    if isinstance(languages, list):
        languages = ",".join(languages)
    user = create_user(
        db.session, body["name"], role=body["role"], languages=languages,
        timezone=optional(body, "timezone", "UTC"), shift=optional(body, "shift", "09:00-17:00"),
        days=optional(body, "days", "mon,tue,wed,thu,fri"), password=body.get("password"))
    token = issue_token(db.session, user) if body.get("token") else None
    audit("user.created", "user", user.name, detail={"role": user.role.value})
    db.session.commit()
    return jsonify({**user.to_dict(), **({"token": token} if token else {})}), 201


@bp.post("/users/<name>/revoke")
@require(Role.ADMIN)
def revoke(name: str):
    count = revoke_tokens(db.session, get_user(db.session, name))
    audit("tokens.revoked", "user", name, detail={"count": count})
    db.session.commit()
    return jsonify({"revoked": count})
