"""Admin API: the audit log, users (create, list, edit, deactivate) and their API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tolk.accounts import check_profile, create_user, get_user, revoke_token, update_user
from tolk.audit_log import event_to_dict, events_query, filter_from_args
from tolk.auth import audit, hash_token, issue_token, require, revoke_tokens, signed_in_user
from tolk.contract import AUDIT_PAGE, TOKENS_PAGE, USERS_PAGE
from tolk.db import db
from tolk.models import ApiToken, AuditEvent, Role, User
from tolk.pagination import page_request, page_response, paginate
from tolk.validation import json_object, optional

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1")

@bp.get("/audit")
@require(Role.ADMIN)
def audit_log():
    """Who released, approved, edited, rejected, published and configured what, newest first."""
    wanted = page_request(default=AUDIT_PAGE[0], maximum=AUDIT_PAGE[1])
    page = paginate(db.session, events_query(filter_from_args(request.args)), AuditEvent.id, wanted,
                    descending=True)
    return page_response("events", page.items, page, event_to_dict)


@bp.get("/users")
@require(Role.ADMIN)
def list_users():
    wanted = page_request(default=USERS_PAGE[0], maximum=USERS_PAGE[1])
    page = paginate(db.session, select(User), User.name, wanted)
    return page_response("users", page.items, page, User.to_dict)


@bp.post("/users")
@require(Role.ADMIN)
def add_user():
    """Create a user; with ``"token": true`` the answer carries an API token, shown this once."""
    body = json_object()
    user = create_user(
        db.session, body["name"], role=body["role"], languages=_languages(optional(body, "languages", "")),
        timezone=optional(body, "timezone", "UTC"), shift=optional(body, "shift", "09:00-17:00"),
        days=optional(body, "days", "mon,tue,wed,thu,fri"), password=body.get("password"))
    token = issue_token(db.session, user) if body.get("token") else None
    audit("user.created", "user", user.name, detail={"role": user.role.value})
    db.session.commit()
    return jsonify({**user.to_dict(), **({"token": token} if token else {})}), 201


def _languages(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value or "")


@bp.patch("/users/<name>")
@require(Role.ADMIN)
def edit_user(name: str):
    """Change a user's role, languages, working hours or whether they are active; absent fields stay."""
    user = get_user(db.session, name)
    body = json_object()
    profile = check_profile(
        role=optional(body, "role", user.role.value),
        languages=_languages(optional(body, "languages", user.languages)),
        timezone=optional(body, "timezone", user.timezone),
        shift=optional(body, "shift", f"{user.shift_start}-{user.shift_end}"),
        days=_languages(optional(body, "days", user.work_days)))
    changed = update_user(user, profile, active=optional(body, "active", user.active), by=signed_in_user())
    if changed:
        audit("user.updated", "user", user.name, detail={"fields": changed})
    db.session.commit()
    return jsonify(user.to_dict())


@bp.post("/users/<name>/revoke")
@require(Role.ADMIN)
def revoke(name: str):
    count = revoke_tokens(db.session, get_user(db.session, name))
    audit("tokens.revoked", "user", name, detail={"count": count})
    db.session.commit()
    return jsonify({"revoked": count})


def token_to_dict(token: ApiToken) -> dict[str, Any]:
    """An API token as listed: never the token itself, only its first characters."""
    return {"id": token.id, "user": token.user.name, "prefix": token.prefix,
            "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}


@bp.get("/tokens")
@require(Role.ADMIN)
def list_tokens():
    """API tokens, newest first; ``user`` limits them to one user's."""
    query = select(ApiToken).options(joinedload(ApiToken.user))
    if request.args.get("user"):
        query = query.join(ApiToken.user).where(User.name == request.args["user"])
    page = paginate(db.session, query, ApiToken.id, page_request(default=TOKENS_PAGE[0], maximum=TOKENS_PAGE[1]),
                    descending=True)
    return page_response("tokens", page.items, page, token_to_dict)


@bp.post("/users/<name>/tokens")
@require(Role.ADMIN)
def create_token(name: str):
    """A new API token for the user; the answer carries it this once."""
    user = get_user(db.session, name)
    token = issue_token(db.session, user)
    db.session.flush()
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    audit("token.created", "user", user.name, detail={"token": row.id, "prefix": row.prefix})
    db.session.commit()
    return jsonify({**token_to_dict(row), "token": token}), 201


@bp.post("/tokens/<int:token_id>/revoke")
@require(Role.ADMIN)
def revoke_one_token(token_id: int):
    """Revoke one API token."""
    token = revoke_token(db.session, token_id)
    audit("token.revoked", "user", token.user.name, detail={"token": token.id, "prefix": token.prefix})
    db.session.commit()
    return jsonify(token_to_dict(token))
