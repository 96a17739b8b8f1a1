"""Authentication (bearer tokens for the API, sessions for pages), role checks and the audit log."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from flask import g, request, session
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tolk.db import db, utcnow
from tolk.errors import Forbidden, Unauthorized
from tolk.languages import covers
from tolk.models import ApiToken, AuditEvent, Role, User

TOKEN_PREFIX = "tolk_"
LAST_USED_GRANULARITY = dt.timedelta(minutes=10)


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(sess: Session, user: User) -> str:
    """Create a token for ``user``; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    sess.add(ApiToken(user=user, token_hash=hash_token(token), prefix=token[:12]))
    return token


def end_sessions(user: User) -> None:
    """End every page session of ``user``: cookies issued before carry an older generation."""
    user.session_generation = (user.session_generation or 0) + 1


def revoke_tokens(sess: Session, user: User) -> int:
    """Revoke every live token of ``user`` and end their page sessions; returns how many tokens."""
    end_sessions(user)
    count = 0
    for tok in user.tokens:
        if tok.revoked_at is None:
            tok.revoked_at = utcnow()
            count += 1
    return count


def _user_from_bearer(header: str) -> User | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()))
                            .options(joinedload(ApiToken.user)))
    if row is None or row.revoked_at is not None or not row.user.active:
        raise Unauthorized("invalid or revoked token")
    now = utcnow()
    # Recorded at most every ten minutes: a write on every request would serialise SQLite writers.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        row.last_used_at = now
    return row.user


def current_user() -> User | None:
    """The user of this request: a bearer token, else a signed-in page session."""
    if "tolk_user" in g:
        return g.tolk_user
    user = None
    header = request.headers.get("Authorization")
    if header:
        user = _user_from_bearer(header)
    elif session.get("user_id"):
        user = db.session.get(User, session["user_id"])
        if user is not None and (not user.active or session.get("generation") != user.session_generation):
            user = None  # deactivated, signed out elsewhere or tokens revoked: this cookie is dead
            session.pop("user_id", None)
    g.tolk_user = user
    return user


def signed_in_user() -> User:
    """The signed-in user of this request, for views behind ``require`` (which refuses anonymous requests)."""
    user = current_user()
    if user is None:
        raise Unauthorized("authentication required")
    return user


def require(*roles: Role | str) -> Callable:
    """Decorator: the request needs a user with one of ``roles`` (admins always pass)."""
    allowed = {Role(r) for r in roles}

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            user = current_user()
            if user is None:
                raise Unauthorized("authentication required")
            if allowed and user.role not in allowed and user.role != Role.ADMIN:
                raise Forbidden(f"role {user.role.value} may not do this")
            return view(*args, **kwargs)

        # Read by the permission-matrix test and the OpenAPI document; functools.wraps copies it to outer
        # decorators. typeshed's functools._Wrapped declares no attributes beyond the wrapped function's.
        wrapped.required_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorate


def require_language(user: User, languages: str | Iterable[str]) -> None:
    """Reviewers act only on their own languages; other roles are not limited by language."""
    if user.role != Role.REVIEWER:
        return
    wanted = [languages] if isinstance(languages, str) else list(languages)
    for lang in wanted:
        if not covers(user.language_list, lang):
            raise Forbidden(f"{user.name} does not review {lang} (their languages: "
                            f"{', '.join(user.language_list) or 'none'})")


def audit(action: str, object_type: str, object_id: Any = None, *, actor: str | None = None,
          detail: dict | None = None, sess: Session | None = None) -> None:
    """Record an audit event in the current transaction."""
    if actor is None:
        user = g.get("tolk_user")
        actor = user.name if user is not None else "system"
    (sess or db.session).add(AuditEvent(actor=actor, action=action, object_type=object_type,
                                        object_id=None if object_id is None else str(object_id),
                                        detail=detail or {}))
