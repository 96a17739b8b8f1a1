"""Two reviewers deciding the same review item at the same moment: one wins, the other gets 409, and
the reply, translation memory, quality record and webhook see exactly one decision."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lqa.models import QualityRecord
from machinery.models import TmOrigin, TmSegment
from tests.factories import ALWAYS_ON, make_reply
from tolk.db import db
from workflows.models import Reply, WebhookDelivery

RACES = 8
SENTENCES = [
    "Your refund was processed yesterday.", "We refunded the shipping costs this morning.",
    "The refund for your second parcel was sent today.", "Your money back was approved by our team.",
    "We issued a refund to your card on Monday.", "The refund of the damaged lamp is on its way.",
    "Your refund for the cancelled booking is complete.", "We processed a partial refund for the late delivery.",
]


@pytest.fixture
def app_config():
    return {"WEBHOOK_URLS": ["http://127.0.0.1:9/never-called"], "DEFAULT_GLOSSARY": ""}


@pytest.fixture
def people(make_user):
    return {"agent": make_user("agent", name="alex", languages="en")[1],
            "lucia": make_user("reviewer", name="lucia", languages="es", **ALWAYS_ON)[1],
            "marta": make_user("reviewer", name="marta", languages="es", **ALWAYS_ON)[1]}


def race(app, calls: list[tuple[str, dict, dict]]) -> list[tuple[int, dict]]:
    """POST each (path, headers, body) from its own thread and test client, released together."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[int, dict] | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, path: str, headers: dict, body: dict) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = client.post(path, headers=headers, json=body)
            results[i] = (response.status_code, response.get_json())
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def _queued_reply(client, people, text: str) -> tuple[int, int]:
    reply = make_reply(client, people["agent"], text).get_json()
    assert reply["status"] == "in_review", reply
    return reply["id"], reply["review"]["id"]


def _counts(app, reply_id: int) -> dict[str, int]:
    with app.app_context():
        ref = f"reply:{reply_id}"
        return {
            "tm": db.session.scalar(select(func.count(TmSegment.id)).where(TmSegment.origin == TmOrigin.HUMAN,
                                                                            TmSegment.context == ref)),
            "quality": db.session.scalar(select(func.count(QualityRecord.id)).where(QualityRecord.object_ref == ref)),
            "webhooks": db.session.scalar(select(func.count(WebhookDelivery.id)).where(WebhookDelivery.event_id.in_(
                [f"reply-{reply_id}-approved", f"reply-{reply_id}-rejected"]))),
        }


def _decisions(app, reply_id: int) -> tuple[str, list[str]]:
    with app.app_context():
        reply = db.session.get(Reply, reply_id)
        return reply.status.value, [t.to_status for t in reply.transitions]


def test_two_reviewers_approving_the_same_item_at_once_approve_it_once(app, client, people):
    doubles = 0
    for n in range(RACES):
        reply_id, item_id = _queued_reply(client, people, SENTENCES[n])
        path = f"/api/v1/reviews/{item_id}/approve"
        results = race(app, [(path, people["lucia"], {"text": f"Texto de Lucía {n}."}),
                             (path, people["marta"], {"text": f"Texto de Marta {n}."})])
        statuses = sorted(status for status, _body in results)
        assert statuses == [200, 409], results
        status, transitions = _decisions(app, reply_id)
        doubles += transitions.count("approved") - 1
        assert status == "approved" and transitions.count("approved") == 1
        assert _counts(app, reply_id) == {"tm": 1, "quality": 1, "webhooks": 1}
        winner = next(body for code, body in results if code == 200)
        final = client.get(f"/api/v1/replies/{reply_id}", headers=people["agent"]).get_json()["final_text"]
        assert final == winner["final_text"]
        loser = next(body for code, body in results if code == 409)
        assert loser["error"]["code"] == "conflict"
    print(f"\nconcurrency: {RACES} approve/approve races, double approvals: {doubles}")


def test_approve_and_reject_at_once_leave_one_decision(app, client, people):
    outcomes = set()
    for n in range(RACES):
        reply_id, item_id = _queued_reply(client, people, SENTENCES[n])
        results = race(app, [(f"/api/v1/reviews/{item_id}/approve", people["lucia"], {}),
                             (f"/api/v1/reviews/{item_id}/reject", people["marta"], {"reason": "Wrong tone"})])
        assert sorted(status for status, _body in results) == [200, 409], results
        approved = results[0][0] == 200
        outcomes.add("approved" if approved else "rejected")
        status, transitions = _decisions(app, reply_id)
        assert status == ("approved" if approved else "rejected")
        assert transitions == ["drafted", "in_review", status]
        assert _counts(app, reply_id) == {"tm": 1 if approved else 0, "quality": 1, "webhooks": 1}
    print(f"\nconcurrency: {RACES} approve/reject races, winners: {sorted(outcomes)}")
