"""Authentication (bearer tokens for the API, sessions for pages), role checks and the audit log."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, g, has_app_context, request, session
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached

from tolk.db import db, defer_insert, utcnow
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


class TokenCache:
    """Valid tokens (by hash) with when they were last recorded as used and a detached copy of their user, kept
    for ``seconds``: a token revoked in another process is refused here at most that long afterwards."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.clock = seconds, clock
        self._entries: dict[str, tuple[float, dt.datetime, User]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> tuple[dt.datetime, User] | None:
        found = self._entries.get(digest)
        if found is None or self.clock() - found[0] >= self.seconds:
            return None
        return found[1], found[2]

    def put(self, digest: str, last_used: dt.datetime, user: User) -> None:
        now = self.clock()
        with self._lock:
            if len(self._entries) > 1000:  # drop expired entries now and then: tokens come and go
                self._entries = {k: v for k, v in self._entries.items() if now - v[0] < self.seconds}
            self._entries[digest] = (now, last_used, user)

    def clear(self) -> None:
        with self._lock:
            self._entries = {}


def _token_cache() -> TokenCache:
    cache = current_app.extensions.get("tolk.token_cache")
    if cache is None:
        cache = current_app.extensions["tolk.token_cache"] = TokenCache(current_app.config["TOKEN_CACHE_SECONDS"])
    return cache


@event.listens_for(User, "after_update")
@event.listens_for(User, "after_delete")
@event.listens_for(ApiToken, "after_update")
@event.listens_for(ApiToken, "after_delete")
def _forget_tokens(_mapper: Any, _connection: Any, target: User | ApiToken) -> None:
    # A revoked token, a deactivated user or a changed role takes effect at once in this process; other
    # processes hold what they cached for at most TOKEN_CACHE_SECONDS. Recording a token's use changes nothing.
    if isinstance(target, ApiToken) and not inspect(target).attrs.revoked_at.history.has_changes():
        return
    cache = current_app.extensions.get("tolk.token_cache") if has_app_context() else None
    if cache is not None:
        cache.clear()


def _user_snapshot(user: User) -> User:
    """A detached copy of ``user``'s columns, merged into each request's session without a query."""
    copy = User(**{attr.key: getattr(user, attr.key) for attr in User.__mapper__.column_attrs})
    make_transient_to_detached(copy)
    return copy


def _user_from_bearer(header: str) -> User | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    digest, now = hash_token(token.strip()), utcnow()
    cache = _token_cache()
    cached = cache.get(digest)
    # Recorded at most every ten minutes: a write on every request would serialise SQLite writers.
    if cached is not None and now - cached[0] <= LAST_USED_GRANULARITY:
        return db.session.merge(cached[1], load=False)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest)
                            .options(joinedload(ApiToken.user)))
    if row is None or row.revoked_at is not None or not row.user.active:
        raise Unauthorized("invalid or revoked token")
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        row.last_used_at = now
    cache.put(digest, row.last_used_at, _user_snapshot(row.user))
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


_AUDIT_INSERT = insert(AuditEvent)


def audit(action: str, object_type: str, object_id: Any = None, *, actor: str | None = None,
          detail: dict | None = None, sess: Session | None = None) -> None:
    """Record an audit event in the current transaction."""
    if actor is None:
        user = g.get("tolk_user")
        actor = user.name if user is not None else "system"
    # Written with the commit (one round trip with it on PostgreSQL); nothing reads it back before.
    defer_insert(sess or db.session, _AUDIT_INSERT, {
        "actor": actor, "action": action, "object_type": object_type,
        "object_id": None if object_id is None else str(object_id), "detail": detail or {}})
