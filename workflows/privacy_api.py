"""Privacy over JSON (admins only): erasure and access requests, the retention purge, the egress audit."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, request

from tolk.auth import audit, current_user, require
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import Role
from tolk.validation import json_object
from workflows import privacy

bp = Blueprint("privacy_api", __name__, url_prefix="/api/v1")

MAX_EGRESS_PAGE = 200


def _subject(body: dict) -> dict[str, str | None]:
    return {"customer": body.get("customer"), "ticket": body.get("ticket")}


@bp.post("/privacy/erasures")
@require(Role.ADMIN)
def erase():
    """Erase what is stored of a customer (``customer``: e-mail) or a ticket (``ticket``)."""
    user = current_user()
    done = privacy.erase(db.session, **_subject(json_object()), actor=user.name if user else "system")
    db.session.commit()
    return jsonify({"erased": done.to_dict()}), 201


@bp.post("/privacy/exports")
@require(Role.ADMIN)
def export():
    """Everything stored about a customer (``customer``: e-mail) or a ticket, for an access request."""
    subject = _subject(json_object())
    data = privacy.export(db.session, **subject)
    audit("privacy.exported", "customer" if subject["customer"] else "ticket", None,
          detail={"replies": len(data["replies"])})
    db.session.commit()
    return jsonify(data)


@bp.post("/privacy/purges")
@require(Role.ADMIN)
def purge():
    """Run the retention purge now with the configured limits."""
    done = privacy.purge(db.session, privacy.retention_days(current_app.config))
    audit("privacy.purged", "retention", None, detail=done.to_dict())
    db.session.commit()
    return jsonify({"purged": done.to_dict(), "retention_days": privacy.retention_days(current_app.config)})


@bp.get("/egress")
@require(Role.ADMIN)
def egress():
    """What left the process, per engine call, newest first: ``limit`` (1-200), ``before`` (an id), ``engine``,
    ``since`` (ISO date or time)."""
    try:
        limit = int(request.args.get("limit", 50))
        before = int(request.args["before"]) if request.args.get("before") else None
        since = dt.datetime.fromisoformat(request.args["since"]) if request.args.get("since") else None
    except ValueError as exc:
        raise ValidationError("'limit' and 'before' must be whole numbers, 'since' an ISO date") from exc
    if not 1 <= limit <= MAX_EGRESS_PAGE:
        raise ValidationError(f"'limit' must be between 1 and {MAX_EGRESS_PAGE}", details={"field": "limit"})
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    calls, next_before = privacy.egress_page(db.session, engine=request.args.get("engine") or None,
                                             before=before, since=since, limit=limit)
    return jsonify({"calls": calls, "next_before": next_before,
                    "egress_log": current_app.config["EGRESS_LOG"]})
