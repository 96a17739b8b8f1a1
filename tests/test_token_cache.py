"""API tokens checked once per process for a few seconds (TOKEN_CACHE_SECONDS), revocation still honoured."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, update
from sqlalchemy.pool import NullPool

from tolk.auth import TokenCache
from tolk.db import db, utcnow
from tolk.models import ApiToken, User


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app):
    """The app's token cache on a hand-moved clock, with the default lifetime."""
    tick = Clock()
    app.extensions["tolk.token_cache"] = TokenCache(app.config["TOKEN_CACHE_SECONDS"], clock=tick)
    return tick


def _token_reads(app, client, headers, times: int = 1) -> tuple[int, list[int]]:
    """(SELECTs of api_tokens, statuses) over ``times`` requests with ``headers``."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        statuses = [client.get("/api/v1/replies", headers=headers).status_code for _ in range(times)]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sum("FROM api_tokens" in s for s in seen), statuses


def _elsewhere(app, statement) -> None:
    """Run ``statement`` as another process would: its own connection, no ORM events of this one."""
    other = create_engine(app.config["DATABASE_URL"], poolclass=NullPool)
    with other.begin() as conn:
        conn.execute(statement)
    other.dispose()


def test_a_token_is_read_once_then_served_from_the_cache(app, client, make_user, clock):
    user, headers = make_user("agent")
    reads, statuses = _token_reads(app, client, headers, times=3)
    assert statuses == [200, 200, 200]
    assert reads == 1
    clock.now += app.config["TOKEN_CACHE_SECONDS"]
    assert _token_reads(app, client, headers) == (1, [200])  # expired: read again


def test_a_token_revoked_in_this_process_is_refused_at_once(app, client, make_user, admin_headers, clock):
    user, headers = make_user("agent")
    assert client.get("/api/v1/replies", headers=headers).status_code == 200
    assert client.post(f"/api/v1/users/{user.name}/revoke", headers=admin_headers).status_code == 200
    response = client.get("/api/v1/replies", headers=headers)
    assert response.status_code == 401 and response.get_json()["error"]["code"]


def test_a_token_revoked_by_another_process_is_refused_once_the_cache_expires(app, client, make_user, clock):
    user, headers = make_user("agent")
    assert client.get("/api/v1/replies", headers=headers).status_code == 200
    _elsewhere(app, update(ApiToken).where(ApiToken.user_id == user.id).values(revoked_at=utcnow()))
    clock.now += app.config["TOKEN_CACHE_SECONDS"] - 0.5
    assert client.get("/api/v1/replies", headers=headers).status_code == 200  # within the documented window
    clock.now += 0.5
    assert client.get("/api/v1/replies", headers=headers).status_code == 401


def test_a_user_deactivated_by_another_process_is_refused_once_the_cache_expires(app, client, make_user, clock):
    user, headers = make_user("agent")
    assert client.get("/api/v1/replies", headers=headers).status_code == 200
    _elsewhere(app, update(User).where(User.id == user.id).values(active=False))
    clock.now += app.config["TOKEN_CACHE_SECONDS"]
    assert client.get("/api/v1/replies", headers=headers).status_code == 401


def test_the_cached_user_is_the_requests_own_and_unchanged_by_it(app, client, make_user, clock):
    """A request gets its own copy of the cached user, attached to its session (relations load)."""
    user, headers = make_user("agent", languages="en")
    with app.test_request_context(headers=headers):
        from tolk.auth import current_user

        first = current_user()
        assert first is not None and first.name == user.name
    with app.test_request_context(headers=headers):
        again = current_user()
        assert again is not None and again is not first
        assert again in db.session and [t.prefix for t in again.tokens]
        assert again.language_list == ["en"]


@pytest.mark.parametrize("app_config", [{"TOKEN_CACHE_SECONDS": 0}])
def test_no_cache_reads_every_request(app, client, make_user):
    _, headers = make_user("agent")
    assert _token_reads(app, client, headers, times=2) == (2, [200, 200])


def test_a_wrong_token_is_never_cached(app, client, make_user, clock):
    make_user("agent")
    bad = {"Authorization": "Bearer tolk_not-a-token"}
    assert _token_reads(app, client, bad, times=2) == (2, [401, 401])
