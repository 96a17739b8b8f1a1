"""The reply write path stays lean: the statements and connection checkouts of one drafted reply are counted,
so a new query on every reply shows up here rather than in production."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import event, func, select

from machinery.models import EngineCall
from machinery.translator import ticket_key
from tests.factories import make_reply
from tolk.db import db
from tolk.models import AuditEvent
from workflows.models import CustomerLanguage, Reply


@pytest.fixture
def released_at_once(monkeypatch):
    """No random spot check: the released reply writes only its own rows."""
    # The module, not the package's `drafting` function of the same name.
    monkeypatch.setattr(sys.modules["workflows.replies.drafting"], "sampled", lambda _rate: False)


class Trips:
    """SQL statements and pool checkouts of the app's engine while the block runs."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []
        self.checkouts = 0

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(" ".join(statement.split())[:90])

    def _checkout(self, *_args) -> None:
        self.checkouts += 1

    def __enter__(self) -> Trips:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "checkout", self._checkout)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "checkout", self._checkout)


def test_a_released_reply_costs_one_checkout_and_six_statements(app, client, make_user, released_at_once):
    """One token read and one SELECT of the default glossary per process, then per reply: the TM lookup, the
    reply, its transitions, the audit event, the ticket's language and the engine call's meter row. On
    PostgreSQL that is 8 round trips with BEGIN and COMMIT (no ping, no SAVEPOINT, no UPDATE of the reply)."""
    _, headers = make_user("agent", languages="en")
    assert make_reply(client, headers, "Thanks for waiting, your parcel is on its way.").status_code == 201
    with Trips(app) as trips:
        response = make_reply(client, headers, "Thank you for your patience, your parcel is on its way.",
                              ticket_ref="T-2")
    assert response.status_code == 201 and response.get_json()["status"] == "released"
    assert trips.checkouts == 1
    kinds = [s.split(" (")[0].split(" VALUES")[0] for s in trips.statements]
    assert not [s for s in kinds if s.startswith(("UPDATE", "SAVEPOINT", "RELEASE"))], trips.statements
    assert sum(s.startswith("SELECT") for s in kinds) == 1, trips.statements  # the TM lookup alone
    # The two transitions go out in one INSERT where the dialect batches with RETURNING (PostgreSQL).
    batched = app.config["DATABASE_URL"].startswith("postgresql")
    assert len(trips.statements) == (6 if batched else 7), trips.statements
    with app.app_context():
        assert db.session.get(CustomerLanguage, ("ticket", "T-2")).lang == "es"
        reply = db.session.scalar(select(Reply).where(Reply.ticket_ref == "T-2"))
        assert [t.to_status for t in reply.transitions] == ["drafted", "released"]


def test_a_released_reply_costs_at_most_five_round_trips_on_postgresql(app, client, make_user, released_at_once,
                                                                       tmp_path):
    """Counted on the wire (libpq's protocol trace: one ReadyForQuery per round trip): BEGIN, the TM lookup, the
    reply, its transitions, then the audit event, the engine call's record, the ticket's language and the COMMIT
    in one pipelined round trip."""
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("round trips on the wire need the PostgreSQL server (TOLK_TEST_DATABASE_URL)")
    _, headers = make_user("agent", languages="en")
    assert make_reply(client, headers, "Thanks for waiting, your parcel is on its way.").status_code == 201
    with app.app_context():
        engine = db.engine
    trace_path = tmp_path / "libpq.trace"
    with open(trace_path, "w") as trace:
        def start(dbapi_connection, *_args) -> None:
            dbapi_connection.pgconn.trace(trace.fileno())

        def stop(dbapi_connection, *_args) -> None:
            dbapi_connection.pgconn.untrace()

        event.listen(engine, "checkout", start)
        event.listen(engine, "checkin", stop)
        try:
            response = make_reply(client, headers, "Thank you for your patience, your parcel is on its way.",
                                  ticket_ref="T-7")
        finally:
            event.remove(engine, "checkout", start)
            event.remove(engine, "checkin", stop)
    assert response.status_code == 201 and response.get_json()["status"] == "released"
    wire = trace_path.read_text()
    print(f"\nround trips of a released reply on PostgreSQL: {wire.count('ReadyForQuery')}")
    assert wire.count("ReadyForQuery") <= 5, wire
    with app.app_context():  # and everything was written
        assert db.session.get(CustomerLanguage, ("ticket", "T-7")).lang == "es"
        reply = db.session.scalar(select(Reply).where(Reply.ticket_ref == "T-7"))
        assert [t.to_status for t in reply.transitions] == ["drafted", "released"]
        assert db.session.scalar(select(func.count()).select_from(EngineCall).where(
            EngineCall.ticket_key == ticket_key("T-7"))) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "reply", AuditEvent.object_id == str(reply.id))) >= 1


def test_a_reply_waiting_for_its_agent_is_written_at_once(app, client, make_user, released_at_once):
    _, headers = make_user("agent", languages="en")
    make_reply(client, headers, "Thanks for waiting.")
    with Trips(app) as trips:
        reply = make_reply(client, headers, "Yes, done.", ticket_ref="T-3").get_json()
    assert reply["status"] == "awaiting_agent" and reply["back_translation"], reply
    assert [t["to"] for t in reply["transitions"]] == ["drafted", "awaiting_agent"]
    assert not [s for s in trips.statements if s.startswith("UPDATE replies")], trips.statements


def test_a_held_reply_is_written_at_once_with_its_reviewer_picked_first(app, client, make_user):
    """The review item's reviewer is picked before the reply is written: the reply and its two transitions go out
    at once (no flush, no UPDATE of the reply), and its answer names the reviewer without loading them again."""
    _, headers = make_user("agent", languages="en")
    make_user("reviewer", "es", name="rosa", shift="00:00-24:00", days="mon,tue,wed,thu,fri,sat,sun")
    make_reply(client, headers, "Thanks for waiting.")
    with Trips(app) as trips:
        reply = make_reply(client, headers, "We have refunded the full amount to your card.", ticket_ref="T-4")
    reply = reply.get_json()
    assert reply["status"] == "in_review" and reply["assigned_reviewer"] == "rosa", reply
    assert [t["to"] for t in reply["transitions"]] == ["drafted", "in_review"]
    assert not [s for s in trips.statements if s.startswith("UPDATE")], trips.statements
    selects = [s for s in trips.statements if s.startswith("SELECT")]
    # The TM lookup, the language's reviewers and their open load: the reviewer is not read back.
    assert len(selects) == 3 and not [s for s in selects if "WHERE users.id =" in s], selects


def test_a_given_language_is_remembered_and_a_changed_one_replaces_it(app, client, make_user, released_at_once):
    _, headers = make_user("agent", languages="en")
    make_reply(client, headers, "Your parcel is on its way.", ticket_ref="T-9", customer_id="C-1")
    make_reply(client, headers, "Your parcel is on its way.", ticket_ref="T-9", customer_id="C-1")  # unchanged
    with app.app_context():
        first = db.session.get(CustomerLanguage, ("ticket", "T-9"))
        assert (first.lang, first.source) == ("es", "given")
        stamp = first.updated_at
    make_reply(client, headers, "Your parcel is on its way.", ticket_ref="T-9", customer_id="C-1",
               customer_locale="pt-BR")
    with app.app_context():
        rows = {(r.scope, r.key): r for r in db.session.scalars(select(CustomerLanguage))}
        assert {k: r.lang for k, r in rows.items()} == {("ticket", "T-9"): "pt-BR", ("customer", "C-1"): "pt-BR"}
        assert rows[("ticket", "T-9")].updated_at > stamp
