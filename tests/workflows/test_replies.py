"""Drafted replies end to end: translate, check, route, review, approve, and tell the helpdesk."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.conftest import run_jobs
from tests.factories import ALWAYS_ON, make_reply, statements_for
from tolk.db import db

SECRET = "whsec_" + "dG9say10ZXN0LXNlY3JldC0zMi1ieXRlcy1sb25nLi4u"


@pytest.fixture
def app_config(helpdesk):
    return {"WEBHOOK_URLS": [helpdesk.url], "WEBHOOK_SECRET": SECRET}


@pytest.fixture
def team(make_user):
    return {
        "agent": make_user("agent", name="alex", languages="en"),
        "es": make_user("reviewer", name="lucia", languages="es", timezone="Europe/Madrid", **ALWAYS_ON),
        "pl": make_user("reviewer", name="piotr", languages="pl", timezone="Europe/Warsaw", **ALWAYS_ON),
    }


def test_plain_english_to_spanish_reply_is_released_and_the_helpdesk_told(app, client, team, helpdesk):
    from workflows.webhooks import verify

    response = make_reply(client, team["agent"][1], "Thank you for your patience, your parcel is on its way.")
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert reply["status"] == "released" and reply["decision"] == "released"
    assert reply["final_text"] and reply["engine"] == "apertium"
    assert [t["to"] for t in reply["transitions"]] == ["drafted", "released"]
    run_jobs(app)
    assert helpdesk.events() == ["reply.released"]
    headers, body = helpdesk.received[0]
    assert verify(SECRET, headers, body)
    assert not verify(SECRET, {**headers, "webhook-signature": "v1,forged"}, body)


def test_refund_reply_goes_to_a_spanish_reviewer_and_is_approved_with_edits(app, client, team, helpdesk):
    reply = make_reply(client, team["agent"][1], "Your refund was processed yesterday.").get_json()
    assert reply["status"] == "in_review" and reply["decision"] == "native_review"
    assert "content:money" in [r["code"] for r in reply["reasons"]]
    assert reply["assigned_reviewer"] == "lucia" and reply["sla_deadline"]
    assert reply["back_translation"]

    queue = client.get("/api/v1/reviews?lang=es", headers=team["es"][1]).get_json()["reviews"]
    (item,) = [i for i in queue if i["object_id"] == reply["id"]]
    edited = "Su reembolso se procesó ayer."
    response = client.post(f"/api/v1/reviews/{item['id']}/approve", headers=team["es"][1], json={
        "text": edited, "annotations": [{"category": "fluency/grammar", "severity": "minor", "start": 4,
                                         "end": 13, "note": "tense"}]})
    assert response.status_code == 200, response.get_json()
    final = client.get(f"/api/v1/replies/{reply['id']}", headers=team["agent"][1]).get_json()
    assert final["status"] == "approved" and final["final_text"] == edited
    assert [t["to"] for t in final["transitions"]] == ["drafted", "in_review", "approved"]

    from lqa.models import QualityRecord
    from machinery.models import TmOrigin, TmSegment

    with app.app_context():
        tm = db.session.scalars(select(TmSegment).where(TmSegment.origin == TmOrigin.HUMAN)).all()
        assert [(s.source_text, s.target_text, s.approved_by) for s in tm] == [
            ("Your refund was processed yesterday.", edited, "lucia")]
        record = db.session.scalar(select(QualityRecord))
        assert record.outcome == "approved_edited" and record.annotations[0].category == "fluency/grammar"
    again = client.post(f"/api/v1/reviews/{item['id']}/approve", headers=team["es"][1], json={})
    assert again.status_code == 409
    run_jobs(app)
    assert helpdesk.events() == ["reply.approved"]

    # The approved sentence is now reused from the TM, reviewed: released at once.
    second = make_reply(client, team["agent"][1], "Your refund was processed yesterday.").get_json()
    assert second["engine"] == "tm" and second["status"] == "released" and second["final_text"] == edited


def test_english_to_polish_goes_to_a_polish_translator(client, team):
    reply = make_reply(client, team["agent"][1], "Thanks for waiting.", customer_locale="pl").get_json()
    assert reply["decision"] == "human_translation" and reply["status"] == "in_review"
    assert reply["translated_text"] is None and reply["review"]["task"] == "translate"
    assert reply["assigned_reviewer"] == "piotr"
    item_id = reply["review"]["id"]
    empty = client.post(f"/api/v1/reviews/{item_id}/approve", headers=team["pl"][1], json={})
    assert empty.status_code == 400
    done = client.post(f"/api/v1/reviews/{item_id}/approve", headers=team["pl"][1],
                       json={"text": "Dziękujemy za cierpliwość."})
    assert done.status_code == 200


def test_reviewers_see_only_their_languages_and_agents_cannot_approve(client, team):
    reply = make_reply(client, team["agent"][1], "Your refund was processed.").get_json()
    item_id = reply["review"]["id"]
    assert client.get("/api/v1/reviews", headers=team["pl"][1]).get_json()["reviews"] == []
    assert client.get(f"/api/v1/reviews/{item_id}", headers=team["pl"][1]).status_code == 403
    assert client.get("/api/v1/reviews?lang=es", headers=team["pl"][1]).status_code == 403
    assert client.post(f"/api/v1/reviews/{item_id}/approve", headers=team["pl"][1], json={}).status_code == 403
    assert client.post(f"/api/v1/reviews/{item_id}/approve", headers=team["agent"][1], json={}).status_code == 403


def test_rejection_goes_back_to_the_agent_with_the_reason(client, team):
    reply = make_reply(client, team["agent"][1], "We cancelled your order.").get_json()
    item_id = reply["review"]["id"]
    assert client.post(f"/api/v1/reviews/{item_id}/reject", headers=team["es"][1], json={}).status_code == 400
    response = client.post(f"/api/v1/reviews/{item_id}/reject", headers=team["es"][1],
                           json={"reason": "Wrong tone for this customer"})
    assert response.status_code == 200
    final = client.get(f"/api/v1/replies/{reply['id']}", headers=team["agent"][1]).get_json()
    assert final["status"] == "rejected" and final["rejection_reason"] == "Wrong tone for this customer"


def test_a_bare_confirmation_without_context_waits_for_the_agent_with_a_back_translation(client, team):
    reply = make_reply(client, team["agent"][1], "Yes, done.").get_json()
    assert reply["status"] == "awaiting_agent" and reply["back_translation"]
    confirmed = client.post(f"/api/v1/replies/{reply['id']}/confirm", headers=team["agent"][1])
    assert confirmed.get_json()["status"] == "released"
    assert client.post(f"/api/v1/replies/{reply['id']}/confirm", headers=team["agent"][1]).status_code == 409


def test_idempotency_key_returns_the_same_reply(app, client, team):
    first = make_reply(client, team["agent"][1], "Thank you!", idempotency_key="k-1")
    second = make_reply(client, team["agent"][1], "Thank you!", idempotency_key="k-1")
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json()["id"] == second.get_json()["id"]
    from workflows.models import Reply

    with app.app_context():
        assert db.session.scalar(select(func.count(Reply.id))) == 1


def test_customer_language_is_detected_from_their_message(client, team):
    reply = make_reply(client, team["agent"][1], "We are looking into it.", customer_locale=None,
                  customer_message="Hola, mi pedido no ha llegado todavía. ¿Pueden ayudarme?").get_json()
    assert reply["customer_lang"] == "es" and reply["detection"]["reliable"]


def test_uncertain_language_asks_the_agent_and_stores_nothing(app, client, team):
    response = make_reply(client, team["agent"][1], "We are looking into it.", customer_locale=None,
                     customer_message="ok")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "language_uncertain"
    from workflows.models import Reply

    with app.app_context():
        assert db.session.scalar(select(func.count(Reply.id))) == 0


@pytest.mark.parametrize("body, status", [
    ({"ticket_ref": "T", "channel": "email", "customer_locale": "es"}, 400),
    ({"text": "hi", "channel": "email", "customer_locale": "es"}, 400),
    ({"text": "hi", "ticket_ref": "T", "channel": "pigeon", "customer_locale": "es"}, 400),
    ({"text": "hi", "ticket_ref": "T", "channel": "email"}, 400),
    ({"text": "hi", "ticket_ref": "T", "channel": "email", "customer_locale": "klingon"}, 400),
])
def test_bad_reply_requests(client, team, body, status):
    assert client.post("/api/v1/replies", json=body, headers=team["agent"][1]).status_code == status


def test_no_reviewer_for_the_language_falls_back_to_the_agent(client, team):
    reply = make_reply(client, team["agent"][1], "Your refund was processed.", customer_locale="ca").get_json()
    assert reply["status"] == "awaiting_agent"
    assert "review:no_reviewer" in [r["code"] for r in reply["reasons"]]


def test_overdue_review_is_escalated_to_the_agent(app, client, team):
    from workflows.sweep import escalate_overdue

    reply = make_reply(client, team["agent"][1], "Your refund was processed.", channel="chat").get_json()
    with app.app_context():
        # Everyone of that language is off shift at the deadline: the agent confirms instead.
        from tolk.models import User

        lucia = db.session.scalar(select(User).where(User.name == "lucia"))
        lucia.work_days = "sun"
        db.session.commit()
        handled = escalate_overdue(db.session, now=dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC) +
                                   dt.timedelta(days=400))
        db.session.commit()
        assert len(handled) == 1
    final = client.get(f"/api/v1/replies/{reply['id']}", headers=team["agent"][1]).get_json()
    assert final["status"] == "awaiting_agent" and "review:sla_missed" in [r["code"] for r in final["reasons"]]


def test_inbound_message_is_translated_for_the_agent(client, team):
    response = client.post("/api/v1/messages/translate", headers=team["agent"][1],
                           json={"text": "Mi pedido no ha llegado todavía."})
    body = response.get_json()
    assert response.status_code == 200 and body["source_lang"] == "es" and "arrived" in body["text"]


def test_customer_feedback_is_recorded(client, team):
    reply = make_reply(client, team["agent"][1], "Thank you for your patience.").get_json()
    response = client.post(f"/api/v1/replies/{reply['id']}/feedback", headers=team["agent"][1],
                           json={"csat": 5, "comment": "Quick!"})
    assert response.status_code == 201 and response.get_json()["delivery"] == "machine"
    bad = client.post(f"/api/v1/replies/{reply['id']}/feedback", headers=team["agent"][1], json={"csat": 9})
    assert bad.status_code == 400


def test_released_replies_are_sampled_as_spot_checks_without_holding_them(app, client, team):
    from workflows.models import LocaleProfile, ReviewItem

    with app.app_context():
        db.session.merge(LocaleProfile(locale="es", sample_rate=1.0))
        db.session.commit()
    reply = make_reply(client, team["agent"][1], "Thank you for your patience.").get_json()
    assert reply["status"] == "released"
    with app.app_context():
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.object_id == reply["id"]))
        assert item.spot_check and item.status.value == "pending"


def test_reply_from_a_reviewed_template_is_used_as_is(app, client, team, seeded):
    reply = make_reply(client, team["agent"][1], "", template_id="refund-confirmation", customer_locale="pl",
                  variables={"customer_name": "Anna Nowak", "refund_amount": 12.5, "order_id": "A-1042",
                             "delivery_date": "2026-03-05", "count": 2}).get_json()
    assert reply["engine"] == "template" and reply["status"] == "released", reply
    assert "12,50" in reply["final_text"] and "Anna Nowak" in reply["final_text"]


@pytest.fixture
def german_deepl(app, deepl_settings):
    app.config.update({**deepl_settings, "ENGINE_ROUTES": "*=deepl"})
    return app


def test_german_profile_formality_reaches_deepl(german_deepl, client, team, seeded, deepl_fake):
    reply = make_reply(client, team["agent"][1], "Can you send us a photo of the label?", customer_locale="de")
    assert reply.status_code == 201, reply.get_json()
    (request,) = deepl_fake.requests_to("/v2/translate")
    assert "prefer_more" in request.raw.decode()


def test_a_language_whose_recent_quality_drops_below_its_threshold_goes_to_review(app, client, team):
    from lqa.models import MqmAnnotationRow, QualityRecord
    from tolk.db import utcnow

    plain = "Thank you for your patience, your parcel is on its way."
    assert make_reply(client, team["agent"][1], plain).get_json()["decision"] == "released"
    with app.app_context():
        # 300 reviewed words with 12 major errors: MQM 100 x (1 - 60/300) = 80, below the default 90.
        for _ in range(3):
            record = QualityRecord(source_lang="en", target_lang="es", engine="apertium", content_type="reply",
                                   outcome="approved_edited", source_text="x", mt_text="y", final_text="z",
                                   words=100, created_at=utcnow())
            record.annotations = [MqmAnnotationRow(category="accuracy/mistranslation", severity="major")
                                  for _ in range(4)]
            db.session.add(record)
        db.session.commit()
        from tolk.cache import app_cache

        app_cache("recent_quality").clear()  # what any process sees once TOLK_CACHE_SECONDS have passed
    reply = make_reply(client, team["agent"][1], plain, ticket_ref="T-2").get_json()
    assert reply["decision"] == "native_review"
    (reason,) = [r for r in reply["reasons"] if r["code"] == "quality:language_below_threshold"]
    assert "80.0" in reason["message"]


def test_a_template_keeps_the_currency_the_agent_gave(app, client, team):
    # Issue #12: "amount €49.90 became 49,90 zł" — a bare amount took the customer locale's currency.
    from workflows.macros import create_template, save_translation
    from workflows.models import LocaleProfile, TemplateState

    with app.app_context():
        db.session.merge(LocaleProfile(locale="en", currency="EUR"))
        template = create_template(db.session, {"id": "credit-note", "source_locale": "en",
                                                "source_text": "We have credited {credit_amount} to your account."})
        save_translation(db.session, template, "pl", ["Przelaliśmy {credit_amount} na Twoje konto."],
                         state=TemplateState.REVIEWED, reviewed_by="piotr")
        db.session.commit()
    reply = make_reply(client, team["agent"][1], "", template_id="credit-note", customer_locale="pl",
                  variables={"credit_amount": 49.9}).get_json()
    assert reply["engine"] == "template", reply
    assert "€49.90" in reply["source_text"] and "49,90\u00a0€" in reply["translated_text"]
    assert "zł" not in reply["translated_text"]
    assert not [f for f in reply["findings"] if f["severity"] == "critical"]


def test_a_confirmation_is_judged_with_the_thread(client, team):
    thread = [{"author": "customer", "text": "Please cancel my subscription and delete my data", "lang": "en"},
              {"author": "agent", "text": "Let me check that for you."}]
    reply = make_reply(client, team["agent"][1], "Yes, done.", customer_locale="es", thread=thread).get_json()
    assert reply["decision"] == "native_review"
    (reason,) = [r for r in reply["reasons"] if r["code"] == "context:confirms_request"]
    assert "cancel my subscription" in reason["message"]
    bad = make_reply(client, team["agent"][1], "Yes, done.", thread=[{"author": "bot", "text": "hi"}])
    assert bad.status_code == 400 and "author" in bad.get_json()["error"]["message"]


@pytest.mark.parametrize("text", [
    "We have credited 20 euros to your account", "We will charge your card again tomorrow",
    "We have deleted your account and all personal data", "You can return it within 14 days",
    "Please send us a copy of your ID card", "Your payment failed, please update your billing details",
    "The price will go up by ten percent"])
def test_the_issues_examples_are_held_through_apertium_to_spanish(client, team, text):
    reply = make_reply(client, team["agent"][1], text, ticket_ref="T-12").get_json()
    assert reply["engine"] == "apertium" and reply["decision"] == "native_review", reply
    assert reply["status"] == "in_review" and reply["reasons"][0]["message"]


def test_listing_replies_costs_the_same_queries_for_one_or_six(app, client, team):
    agent = team["agent"][1]
    assert make_reply(client, agent, "Your refund was processed.").get_json()["assigned_reviewer"] == "lucia"
    one = statements_for(app, client, agent, "/api/v1/replies")
    held = [make_reply(client, agent, "Your refund was processed today.").get_json(),
            make_reply(client, agent, "Thanks for waiting.", customer_locale="pl").get_json()]
    released = [make_reply(client, agent, f"Thank you for your patience, parcel {n} is on its way.").get_json()
                for n in range(3)]
    assert [r["assigned_reviewer"] for r in held] == ["lucia", "piotr"]
    assert {r["status"] for r in released} == {"released"}
    listed = client.get("/api/v1/replies", headers=agent).get_json()["replies"]
    assert [r["assigned_reviewer"] for r in listed] == [None, None, None, "piotr", "lucia", "lucia"]
    assert statements_for(app, client, agent, "/api/v1/replies") == one


def test_the_answer_to_a_draft_is_the_reply_as_read_back_later(app, client, team):
    """The draft's answer is built from what drafting left in memory (no query after the commit): it must be
    what a later GET reads from the database, whatever became of the reply."""
    from workflows.locales import update_profile

    with app.app_context():
        update_profile(db.session, "es", {"sample_rate": 1.0})  # a released reply gets its spot check too
        db.session.commit()
    agent = team["agent"][1]
    cases = [("Thank you for your patience, your parcel is on its way.", {}),  # released, spot-checked
             ("Your refund was processed yesterday.", {}),  # native review, assigned to lucia
             ("Thanks for waiting.", {"customer_locale": "pl"}),  # human translation, assigned to piotr
             ("We have refunded the full amount to your card.", {"customer_locale": "ca"})]  # no ca reviewer
    statuses = []
    for n, (text, extra) in enumerate(cases):
        drafted = make_reply(client, agent, text, ticket_ref=f"T-A{n}", **extra)
        assert drafted.status_code == 201, drafted.get_json()
        answer = drafted.get_json()
        later = client.get(f"/api/v1/replies/{answer['id']}", headers=agent).get_json()
        assert answer == later
        statuses.append((answer["status"], answer["assigned_reviewer"], (answer["review"] or {}).get("status")))
    assert statuses == [("released", None, None), ("in_review", "lucia", "pending"),
                        ("in_review", "piotr", "pending"), ("awaiting_agent", None, "escalated")]
    with app.app_context():
        from workflows.models import ReviewItem

        assert db.session.scalar(select(func.count()).where(ReviewItem.spot_check.is_(True))) == 1
