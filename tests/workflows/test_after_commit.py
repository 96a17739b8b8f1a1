"""Work queued for after a commit (``tolk.db.after_commit``, webhook deliveries): a held reply's SLA checks go
out once its transaction commits, never for a rolled-back draft; a savepoint inside the transaction, released
or rolled back, neither sends them early nor drops them."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import redis
from sqlalchemy import select, text

from tests.factories import make_reply
from tolk.db import after_commit, db, utcnow
from tolk.queue import queue
from workflows import replies
from workflows import sweep as sweep_module
from workflows.models import ReviewItem, ReviewStatus
from workflows.review import check_deadline
from workflows.webhooks import emit


def _scheduled(app) -> set[str]:
    with app.app_context():
        return set(queue().scheduled_job_registry.get_job_ids())


def _held_item(app, client, people) -> tuple[int, str]:
    """A held reply's review item, and the stamp of its deadline in its check jobs' ids."""
    reply = make_reply(client, people["agent"], "We have refunded the full amount to your card.").get_json()
    assert reply["status"] == "in_review"
    with app.app_context():
        item = db.session.scalars(select(ReviewItem).where(ReviewItem.object_id == reply["id"])).one()
        return item.id, f"{item.due_at:%Y%m%dT%H%M%S}"


def test_a_held_reply_has_its_at_risk_check_queued_which_queues_the_deadline_check(app, client, people):
    item_id, stamp = _held_item(app, client, people)
    assert f"at-risk-{item_id}-{stamp}" in _scheduled(app)
    assert f"deadline-{item_id}-{stamp}" not in _scheduled(app)  # one job per held reply until its at-risk time
    with app.app_context():
        item = db.session.get(ReviewItem, item_id)
        assert item.at_risk_at is not None
        item.at_risk_at = utcnow() - dt.timedelta(seconds=1)  # its at-risk time has come, the deadline not
        db.session.commit()
        check_deadline(item_id)  # as the worker runs it then: the item is still pending
    assert f"deadline-{item_id}-{stamp}" in _scheduled(app)


def test_redis_down_at_the_at_risk_check_loses_no_deadline(app, client, people, monkeypatch, caplog):
    item_id, stamp = _held_item(app, client, people)

    def redis_down():
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(sweep_module, "queue", redis_down)
    with app.app_context():
        item = db.session.get(ReviewItem, item_id)
        item.at_risk_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
        check_deadline(item_id)  # the job ends normally: its deadline's job could not be queued
        assert f"deadline check for review {item_id} not scheduled" in caplog.text
        assert f"deadline-{item_id}-{stamp}" not in _scheduled(app)
        # The SLA sweep is the fallback: past the deadline it hands the item on or escalates it.
        due = db.session.get(ReviewItem, item_id).due_at
        done = sweep_module.sweep(db.session, now=due + dt.timedelta(seconds=1))
        db.session.commit()
        assert done["overdue"] == 1
        item = db.session.get(ReviewItem, item_id)
        assert item.status == ReviewStatus.ESCALATED or item.due_at > due


def test_an_item_decided_before_its_at_risk_time_gets_no_deadline_check(app, client, people):
    item_id, stamp = _held_item(app, client, people)
    with app.app_context():
        item = db.session.get(ReviewItem, item_id)
        item.status = ReviewStatus.APPROVED
        db.session.commit()
        check_deadline(item_id)
    assert f"deadline-{item_id}-{stamp}" not in _scheduled(app)


def test_a_draft_rolled_back_queues_nothing(app, people, make_user):
    agent, _ = make_user("agent", "en", name="roll")
    before = _scheduled(app)
    with app.app_context():
        request = replies.DraftRequest.from_json({"text": "We have refunded the full amount to your card.",
                                                  "ticket_ref": "T-9", "channel": "email",
                                                  "customer_locale": "es"})
        with replies.drafting(db.session, db.session.merge(agent), request) as drafted:
            assert drafted.created and drafted.reply.status == "in_review"
            reply_id = drafted.reply.id
            db.session.rollback()  # the commit failed, say: the review item never existed
        assert db.session.scalar(select(ReviewItem.id).where(ReviewItem.object_id == reply_id)) is None
    assert _scheduled(app) == before


def _webhook_jobs() -> list[str]:
    return [j for j in queue().job_ids if j.startswith("webhook-")]


@pytest.mark.parametrize("savepoint", ["released", "rolled back"])
def test_a_savepoint_inside_the_transaction_neither_sends_early_nor_drops_anything(app, helpdesk, savepoint):
    app.config["WEBHOOK_URLS"] = [helpdesk.url]
    calls: list[str] = []
    with app.app_context():
        session = db.session
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: calls.append("after commit"))
        emit(session, "reply.released", {"id": 1})
        # As a budget notice is recorded inside a reply's transaction: refused (rolled back) when another
        # process recorded the same notice first.
        with contextlib.suppress(ValueError), session.begin_nested():
            if savepoint == "rolled back":
                raise ValueError("refused")
        # Neither the callback nor the webhook's delivery job ran before the transaction committed.
        assert calls == [] and not _webhook_jobs()
        session.commit()
        assert calls == ["after commit"] and _webhook_jobs()
        session.execute(text("SELECT 1"))
        session.commit()  # a later transaction does not run it again
        assert calls == ["after commit"]


def test_a_failing_callback_after_the_commit_neither_undoes_it_nor_stops_the_others(app, caplog):
    calls: list[str] = []

    def broken() -> None:
        raise ConnectionError("Redis went away")

    with app.app_context():
        session = db.session
        session.execute(text("CREATE TABLE IF NOT EXISTS after_commit_probe (n INTEGER)"))
        session.execute(text("INSERT INTO after_commit_probe (n) VALUES (1)"))
        after_commit(session, broken)
        after_commit(session, lambda: calls.append("second"))
        session.commit()  # does not raise: the transaction is committed, whatever the work after it does
        assert calls == ["second"]
        assert session.execute(text("SELECT count(*) FROM after_commit_probe")).scalar() == 1
        session.execute(text("DROP TABLE after_commit_probe"))
        session.commit()
    assert "work after a commit failed" in caplog.text and "Redis went away" in caplog.text
