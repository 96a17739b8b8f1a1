"""Pooled database connections without a ping per checkout: a dropped connection is replaced, not a failed request.

The kill tests need a server whose backends can be terminated, so they run in the PostgreSQL pass of
`make test` (TOLK_TEST_DATABASE_URL) and are skipped on SQLite.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import NullPool

from tolk.db import POOL_RECYCLE_SECONDS, db, defer_insert, defer_write, make_engine
from tolk.models import AuditEvent, Role, User


@pytest.fixture
def postgres(database):
    kind, url = database
    if kind != "postgresql":
        pytest.skip("terminating a connection needs the PostgreSQL server (TOLK_TEST_DATABASE_URL)")
    return url


def _kill(url: str, pid: int) -> None:
    """Terminate backend ``pid`` from a connection of its own (outside the app's pool)."""
    other = create_engine(url, poolclass=NullPool)
    with other.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    other.dispose()


def test_no_ping_on_checkout_and_connections_are_recycled(database_url):
    engine = make_engine(database_url)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: seen.append(statement))
    for _ in range(3):
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert seen == ["SELECT 1"] * 3  # a ping would add a statement (";" or "SELECT 1") per checkout
    if not database_url.startswith("sqlite"):
        assert engine.pool._recycle == POOL_RECYCLE_SECONDS
    engine.dispose()


def test_a_killed_connection_is_replaced_at_the_first_statement_of_a_transaction(app, postgres, make_user):
    make_user("agent", name="ana")
    with app.app_context():
        session = db.session
        first = session.scalar(text("SELECT pg_backend_pid()"))
        session.commit()  # the connection goes back to the pool, alive as far as the pool knows
        _kill(postgres, first)
        # The next transaction's first statement finds the dead connection and runs again on a new one.
        assert session.scalar(select(User.name).where(User.name == "ana")) == "ana"
        assert session.scalar(text("SELECT pg_backend_pid()")) != first
        session.commit()


def test_writes_deferred_before_the_first_statement_survive_its_retry(app, postgres):
    written: list[str] = []
    with app.app_context():
        session = db.session
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        session.commit()
        _kill(postgres, pid)
        defer_write(session, lambda: written.append("meter row"))
        assert session.scalar(text("SELECT 1")) == 1
        session.commit()
    assert written == ["meter row"]


def test_a_request_after_the_connection_was_killed_is_answered(app, client, postgres, make_user):
    _, headers = make_user("agent")
    assert client.get("/api/v1/replies", headers=headers).status_code == 200
    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.commit()
    _kill(postgres, pid)
    # Pool of five: the request may get the killed connection or a fresh one; either way it is answered.
    response = client.get("/api/v1/replies", headers=headers)
    assert response.status_code == 200, response.get_json()


def test_a_connection_dropped_inside_a_transaction_fails_rather_than_retried(app, postgres, make_user):
    make_user("agent", name="ben")
    with app.app_context():
        session = db.session
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        _kill(postgres, pid)
        # Statements already ran in this transaction: running the next one elsewhere could lose them.
        with pytest.raises(OperationalError):
            session.scalar(select(User.name).where(User.name == "ben"))
        session.rollback()
        assert session.scalar(select(User.name).where(User.name == "ben")) == "ben"


def test_deferred_inserts_are_written_with_the_commit_and_dropped_by_a_rollback(app):
    with app.app_context():
        defer_insert(db.session, insert(AuditEvent).values(actor="t", action="kept", object_type="test"))
        db.session.add(User(name="kept-user", role=Role.AGENT))
        db.session.commit()
        defer_insert(db.session, insert(AuditEvent).values(actor="t", action="dropped", object_type="test"))
        db.session.rollback()
        db.session.commit()
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "test")).all()
        assert actions == ["kept"]
        assert db.session.scalar(select(User.id).where(User.name == "kept-user")) is not None


def test_a_failing_deferred_insert_fails_the_whole_commit(app):
    """On PostgreSQL the deferred INSERTs and the COMMIT share one pipeline: an error in any of them must still
    undo the transaction's other rows, and the session must be usable again after its rollback."""
    with app.app_context():
        db.session.add(User(name="first", role=Role.AGENT))
        db.session.commit()
        db.session.add(User(name="never-kept", role=Role.AGENT))
        defer_insert(db.session, insert(AuditEvent).values(actor="t", action="ok", object_type="test"))
        defer_insert(db.session, insert(User).values(name="first", role=Role.AGENT))  # the name is taken
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(User.id).where(User.name == "never-kept")) is None
        assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "test")).all() == []
        db.session.add(User(name="after", role=Role.AGENT))
        db.session.commit()
        assert db.session.scalar(select(User.id).where(User.name == "after")) is not None
