"""The agent's workspace over the API: the ticket's context stored and translated, edits of the text or the
translation (checks and routing again), revise and resend after a rejection, back-translation on demand, and
marking a reply sent; and none of the customer's text left after an erasure or a purge."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import ALWAYS_ON, make_reply
from tolk.db import db
from workflows import privacy
from workflows.models import Reply, ReviewItem, ReviewStatus

MESSAGE = "Mi pedido no ha llegado todavía."
THREAD = [{"author": "customer", "text": "Hola, ¿dónde está mi pedido?"},
          {"author": "agent", "text": "We are checking it.", "lang": "en"}]


@pytest.fixture
def team(make_user):
    return {"agent": make_user("agent", name="alex", languages="en"),
            "other": make_user("agent", name="sam", languages="en"),
            "es": make_user("reviewer", name="lucia", languages="es", timezone="Europe/Madrid", **ALWAYS_ON),
            "admin": make_user("admin", name="root", languages="en")}


def _post(client, headers, reply_id, action, body=None):
    return client.post(f"/api/v1/replies/{reply_id}/{action}", headers=headers,
                       **({"json": body} if body is not None else {}))


def _items(app, reply_id):
    with app.app_context():
        return [(i.status.value, i.mt_text) for i in db.session.scalars(
            select(ReviewItem).where(ReviewItem.kind == "reply", ReviewItem.object_id == reply_id,
                                     ReviewItem.spot_check.is_(False)).order_by(ReviewItem.id))]


def test_the_customers_message_and_thread_are_stored_with_their_translations(client, team):
    reply = make_reply(client, team["agent"][1], "We are looking into it.", customer_message=MESSAGE,
                       thread=THREAD).get_json()
    assert reply["customer_message"] == MESSAGE
    assert "arrived" in reply["customer_message_translation"]
    customer, agent = reply["thread"]
    assert customer["text"] == THREAD[0]["text"] and customer["translation"]
    assert agent["text"] == "We are checking it." and agent["translation"] is None  # already in English


def test_a_same_language_ticket_stores_the_message_untranslated(client, team):
    reply = make_reply(client, team["agent"][1], "We are looking into it.", customer_locale="en",
                       customer_message="My order has not arrived.").get_json()
    assert reply["customer_message"] == "My order has not arrived."
    assert reply["customer_message_translation"] is None


def test_editing_the_text_translates_checks_and_routes_again(app, client, team):
    reply = make_reply(client, team["agent"][1], "Yes, done.").get_json()
    assert reply["status"] == "awaiting_agent"
    edited = _post(client, team["agent"][1], reply["id"], "edit", {"text": "Your refund was processed yesterday."})
    assert edited.status_code == 200, edited.get_json()
    body = edited.get_json()
    assert body["source_text"] == "Your refund was processed yesterday." and body["translated_text"] != \
        reply["translated_text"]
    assert body["status"] == "in_review" and "content:money" in [r["code"] for r in body["reasons"]]
    assert body["transitions"][-2]["to"] == "drafted" and body["transitions"][-2]["note"] == "text edited"
    assert _items(app, reply["id"]) == [("pending", body["translated_text"])]


def test_an_edited_translation_is_checked_and_still_held_for_review(app, client, team):
    from workflows.sweep import escalate_overdue

    reply = make_reply(client, team["agent"][1], "Your refund was processed.", channel="chat").get_json()
    with app.app_context():
        from tolk.models import User

        db.session.scalar(select(User).where(User.name == "lucia")).work_days = "sun"
        db.session.commit()
        escalate_overdue(db.session, now=dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC) + dt.timedelta(days=400))
        db.session.commit()
        db.session.scalar(select(User).where(User.name == "lucia")).work_days = "mon,tue,wed,thu,fri,sat,sun"
        db.session.commit()
    assert client.get(f"/api/v1/replies/{reply['id']}", headers=team["agent"][1]).get_json()["status"] == \
        "awaiting_agent"
    mine = "Hemos procesado su reembolso."
    body = _post(client, team["agent"][1], reply["id"], "edit", {"translation": mine}).get_json()
    # The agent's own words for the customer: not released unreviewed when routing says review.
    assert body["translated_text"] == mine and body["engine"] == "agent" and body["source_text"] == \
        reply["source_text"]
    assert body["status"] == "in_review" and body["decision"] == "native_review"
    # The overdue item held the old text: withdrawn; the new one holds the agent's translation.
    assert _items(app, reply["id"]) == [("pending", mine)]


def test_a_rejected_reply_is_revised_and_resent(app, client, team):
    reply = make_reply(client, team["agent"][1], "We cancelled your order.").get_json()
    first_item = reply["review"]["id"]
    client.post(f"/api/v1/reviews/{first_item}/reject", headers=team["es"][1], json={"reason": "Too blunt"})
    assert _post(client, team["agent"][1], reply["id"], "edit", {"text": "x y"}).status_code == 409
    resent = _post(client, team["agent"][1], reply["id"], "resend",
                   {"text": "We are sorry: we had to cancel your order."})
    assert resent.status_code == 200, resent.get_json()
    body = resent.get_json()
    assert body["status"] == "in_review" and body["review"]["id"] != first_item
    assert [t["to"] for t in body["transitions"]] == ["drafted", "in_review", "rejected", "drafted", "in_review"]
    assert body["transitions"][3]["note"] == "resent after rejection: text revised"
    assert [s for s, _ in _items(app, reply["id"])] == ["rejected", "pending"]
    approved = client.post(f"/api/v1/reviews/{body['review']['id']}/approve", headers=team["es"][1], json={})
    assert approved.status_code == 200
    final = client.get(f"/api/v1/replies/{reply['id']}", headers=team["agent"][1]).get_json()
    assert final["status"] == "approved" and final["final_text"] == body["translated_text"]


@pytest.mark.parametrize("body, status", [
    ({}, 400),
    ({"text": "a", "translation": "b"}, 400),
    ({"text": "   "}, 400),
    ({"translation": ""}, 400),
    ({"text": 5}, 400),
    ({"text": "ok", "extra": 1}, 400),
])
def test_bad_edits_are_refused_and_change_nothing(client, team, body, status):
    reply = make_reply(client, team["agent"][1], "Yes, done.").get_json()
    response = _post(client, team["agent"][1], reply["id"], "edit", body)
    assert response.status_code == status and "error" in response.get_json()
    after = client.get(f"/api/v1/replies/{reply['id']}", headers=team["agent"][1]).get_json()
    assert after["source_text"] == "Yes, done." and after["transitions"] == reply["transitions"]


def test_only_the_replys_agent_edits_it_and_only_while_it_waits(client, team):
    reply = make_reply(client, team["agent"][1], "Yes, done.").get_json()
    assert _post(client, team["other"][1], reply["id"], "edit", {"text": "Hi"}).status_code == 403
    assert _post(client, team["agent"][1], 999999, "edit", {"text": "Hi"}).status_code == 404
    assert _post(client, team["agent"][1], reply["id"], "resend", {"text": "Hi"}).status_code == 409
    released = make_reply(client, team["agent"][1], "Thank you for your patience.").get_json()
    assert _post(client, team["agent"][1], released["id"], "edit", {"text": "Hi"}).status_code == 409


def test_a_released_reply_is_marked_sent_once(app, client, team):
    reply = make_reply(client, team["agent"][1], "Thank you for your patience.").get_json()
    assert reply["status"] == "released" and reply["sent_at"] is None
    waiting = make_reply(client, team["agent"][1], "Yes, done.").get_json()
    assert _post(client, team["agent"][1], waiting["id"], "sent").status_code == 409
    assert _post(client, team["other"][1], reply["id"], "sent").status_code == 403
    sent = _post(client, team["agent"][1], reply["id"], "sent")
    assert sent.status_code == 200
    body = sent.get_json()
    assert body["sent_at"] and body["sent_by"] == "alex" and body["status"] == "released"
    assert body["transitions"][-1]["note"] == "sent to the ticket"
    again = _post(client, team["agent"][1], reply["id"], "sent")
    assert again.status_code == 409 and again.get_json()["error"]["code"]


def test_a_released_reply_is_back_translated_on_demand(client, team):
    reply = make_reply(client, team["agent"][1], "Thank you for your patience.").get_json()
    assert reply["back_translation"] is None
    body = _post(client, team["agent"][1], reply["id"], "back-translation").get_json()
    assert body["back_translation"] and "patience" in body["back_translation"].lower()
    assert _post(client, team["other"][1], reply["id"], "back-translation").status_code == 403


def _stored_context(app, reply_id):
    with app.app_context():
        row = db.session.get(Reply, reply_id)
        return row.customer_message, row.customer_message_translation, row.thread


def test_erasing_the_ticket_leaves_no_customer_text_of_its_context(app, client, team):
    reply = make_reply(client, team["agent"][1], "We are looking into it.", customer_message=MESSAGE,
                       thread=THREAD).get_json()
    erased = client.post("/api/v1/privacy/erasures", headers=team["admin"][1], json={"ticket": "T-1"})
    assert erased.status_code == 201, erased.get_json()
    assert _stored_context(app, reply["id"]) == (None, None, None)
    shown = client.get(f"/api/v1/replies/{reply['id']}", headers=team["agent"][1]).get_json()
    assert MESSAGE not in str(shown) and "pedido" not in str(shown)


def test_retention_purges_the_context_with_the_texts(app, client, team):
    reply = make_reply(client, team["agent"][1], "We are looking into it.", customer_message=MESSAGE,
                       thread=THREAD).get_json()
    with app.app_context():
        done = privacy.purge(db.session, {"replies": 1}, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
        db.session.commit()
    assert done.replies == 1 and _stored_context(app, reply["id"]) == (None, None, None)


def test_export_names_the_context(app, client, team):
    make_reply(client, team["agent"][1], "We are looking into it.", customer_message=MESSAGE, thread=THREAD)
    with app.app_context():
        data = privacy.export(db.session, ticket="T-1")
    (row,) = data["replies"]
    assert row["customer_message"] == MESSAGE and row["thread"][0]["text"] == THREAD[0]["text"]


def test_reviewer_context_shows_the_translation_only_to_who_needs_it(app, client, team, make_user):
    from workflows.replies import ticket_context

    reply = make_reply(client, team["agent"][1], "Your refund was processed yesterday.", customer_message=MESSAGE,
                       thread=THREAD).get_json()
    bilingual, _ = make_user("reviewer", name="eva", languages="es,en")
    with app.app_context():
        item = db.session.get(ReviewItem, reply["review"]["id"])
        native = ticket_context(db.session, item, db.session.get(type(bilingual), team["es"][0].id))
        assert native["message"] == MESSAGE and native["message_translation"] is None
        assert native["agent"] == "alex" and native["channel"] == "email" and native["ticket_ref"] == "T-1"
        # Reads both: the customer's own words suffice.
        assert ticket_context(db.session, item, db.session.get(type(bilingual), bilingual.id))[
            "message_translation"] is None
        assert item.status == ReviewStatus.PENDING
        admin = db.session.get(type(bilingual), team["admin"][0].id)
        # Anyone else reads the item with customer data as tokens: no customer's words in clear either.
        assert ticket_context(db.session, item, admin) is None
        # Holding the item without reading Spanish (English only): the agent-language translations are shown.
        item.assignee_id = admin.id
        shown = ticket_context(db.session, item, admin)
        assert "arrived" in shown["message_translation"] and shown["thread"][0]["translation"]
        db.session.rollback()
