"""``tolk.db.insert_at_once``: a new row and its children written by Core INSERTs, attached as if loaded."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, String, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tolk.db import db, insert_at_once
from workflows.models import Decision, Reply, ReplyStatus, ReplyTransition
from workflows.replies.lifecycle import transition


def _reply(agent_id: int, key: str | None = None) -> Reply:
    reply = Reply(ticket_ref="T-1", channel="email", agent_id=agent_id, idempotency_key=key, agent_lang="en",
                  customer_lang="es", source_text="Hi Ana", mt_text="Hola Ana", engine="apertium",
                  decision=Decision.AGENT_CONFIRM)
    transition(reply, ReplyStatus.DRAFTED, "ann")
    transition(reply, ReplyStatus.AWAITING_AGENT, "system", "agent must confirm")
    return reply


def test_the_reply_and_its_transitions_are_stored_and_need_no_query_to_read(app, make_user):
    agent, _ = make_user("agent", "en")
    statements: list[str] = []
    with app.app_context():
        session = db.session
        reply = _reply(agent.id)
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        insert_at_once(session, reply, "transitions")
        # The reply's INSERT, then the transitions' (one statement on PostgreSQL, one per row on SQLite).
        assert statements[0].startswith("INSERT INTO replies ")
        assert {s.split(" (")[0] for s in statements[1:]} == {"INSERT INTO reply_transitions"}
        written = len(statements)
        assert not session.new and not session.dirty
        # Defaults were filled in on the object: reading every attribute emits nothing.
        assert (reply.reasons, reply.findings, reply.vip, reply.final_text) == ([], [], False, None)
        assert reply.created_at is not None and reply.updated_at >= reply.created_at
        assert [t.to_status for t in reply.transitions] == ["drafted", "awaiting_agent"]
        assert all(t.reply_id == reply.id for t in reply.transitions)
        assert reply.transitions[0].id < reply.transitions[1].id
        assert len(statements) == written
        # Later changes go through the unit of work as for any loaded row.
        reply.final_text = reply.mt_text
        transition(reply, ReplyStatus.RELEASED, "ann")
        session.commit()
    with app.app_context():
        stored = db.session.get(Reply, reply.id)
        assert stored is not None and stored.status == ReplyStatus.RELEASED and stored.final_text == "Hola Ana"
        assert [(t.from_status, t.to_status) for t in stored.transitions] == [
            (None, "drafted"), ("drafted", "awaiting_agent"), ("awaiting_agent", "released")]


def test_a_refused_row_leaves_nothing_behind(app, make_user):
    agent, _ = make_user("agent", "en")
    with app.app_context():
        db.session.add(_reply(agent.id, key="k-1"))
        db.session.commit()
    with app.app_context():
        session = db.session
        duplicate = _reply(agent.id, key="k-1")
        with pytest.raises(IntegrityError):
            insert_at_once(session, duplicate, "transitions")
        session.rollback()
        assert duplicate not in session
        assert session.scalar(select(func.count()).select_from(Reply)) == 1
        assert session.scalar(select(func.count()).select_from(ReplyTransition)) == 2


def test_a_child_refused_after_its_parent_was_written_leaves_nothing_behind(app, make_user):
    """The reply's INSERT succeeds, a transition's fails: the rollback takes the reply too, and the session
    goes on working."""
    agent, _ = make_user("agent", "en")
    statements: list[str] = []
    with app.app_context():
        session = db.session
        reply = _reply(agent.id, key="k-2")
        reply.transitions[1].actor = None  # NOT NULL: the database refuses it
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with pytest.raises(IntegrityError):
            insert_at_once(session, reply, "transitions")
        assert statements[0].startswith("INSERT INTO replies ") and reply.id is not None  # the parent was written
        assert "INSERT INTO reply_transitions" in statements[-1]
        session.rollback()
        assert reply not in session and not session.new
        assert session.scalar(select(func.count()).select_from(Reply)) == 0
        assert session.scalar(select(func.count()).select_from(ReplyTransition)) == 0
        again = _reply(agent.id, key="k-2")  # the same idempotency key is free again
        insert_at_once(session, again, "transitions")
        session.commit()
    with app.app_context():
        stored = db.session.scalars(select(Reply)).one()
        assert stored.idempotency_key == "k-2" and len(stored.transitions) == 2


def test_a_versioned_row_starts_at_its_first_version_and_still_refuses_a_stale_write(app, make_user):
    """Review items are optimistically locked: inserted at once, the first version is set as a flush would."""
    from sqlalchemy.orm.exc import StaleDataError

    from workflows.models import ReviewItem, ReviewStatus
    from workflows.review import enqueue

    reviewer, _ = make_user("reviewer", "es")
    with app.app_context():
        item = enqueue(db.session, kind="reply", object_id=1, source_lang="en", target_lang="es",
                       source_text="Hi", mt_text="Hola", engine="apertium", channel="email", content_type="reply",
                       reasons=[]).item
        assert (item.version, item.status, item.spot_check) == (1, ReviewStatus.PENDING, False)
        db.session.commit()
        item_id = item.id
    with app.app_context():
        first = db.session.get(ReviewItem, item_id)
        with app.app_context():  # a second request approves it meanwhile
            other = db.session.get(ReviewItem, item_id)
            other.status = ReviewStatus.APPROVED
            db.session.commit()
        first.status = ReviewStatus.REJECTED
        with pytest.raises(StaleDataError):
            db.session.commit()


def test_a_column_the_database_fills_is_left_to_it_and_read_back_when_used():
    class Local(DeclarativeBase):
        pass

    class Note(Local):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str] = mapped_column(String(20))
        kind: Mapped[str] = mapped_column(String(8), server_default="plain")
        size: Mapped[int] = mapped_column(Integer, default=3, server_default="0")

    engine = create_engine("sqlite://")
    Local.metadata.create_all(engine)
    with Session(engine) as session:
        note = Note(text="hi")
        insert_at_once(session, note)  # a model of another declarative base than Tolk's
        assert note.size == 3  # the Python default wins where there is one
        assert note.kind == "plain"  # the server's, loaded on first use
        session.commit()
