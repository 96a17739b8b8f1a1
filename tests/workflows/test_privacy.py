"""Customer data end to end: nothing of one customer reaches another agent through the translation memory,
and retention, erasure, access and the egress audit work from the API and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select, update

from lqa.models import CustomerFeedback, MqmAnnotationRow, QualityRecord
from machinery.models import EngineCall, TmOrigin, TmSegment
from machinery.protection import memory_form
from machinery.service import services
from tests.factories import ALWAYS_ON, make_reply
from tolk.db import db
from tolk.models import AuditEvent
from tolk.queue import queue, redis_connection
from workflows import privacy
from workflows.models import Reply, ReviewItem, WebhookDelivery

CARD, EMAIL = "4111 1111 1111 1111", "maria.garcia@example.com"
OTHER_CARD, OTHER_EMAIL = "5555 5555 5555 4444", "jan.jansen@example.nl"


@pytest.fixture
def team(make_user):
    return {
        "a": make_user("agent", name="agent-a", languages="en"),
        "b": make_user("agent", name="agent-b", languages="en"),
        "es": make_user("reviewer", name="lucia", languages="es", timezone="Europe/Madrid", **ALWAYS_ON),
        "editor": make_user("editor", name="eddie"),
        "admin": make_user("admin", name="root"),
    }


def draft(client, headers, text, **kw):
    response = make_reply(client, headers, text, **kw)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def approve_with_edit(client, team, reply, text):
    response = client.post(f"/api/v1/reviews/{reply['review']['id']}/approve", headers=team["es"][1],
                           json={"text": text})
    assert response.status_code == 200, response.get_json()


def test_another_agent_never_sees_a_customers_data_through_the_memory(app, client, team):
    customer = {"name": "Maria Garcia", "email": EMAIL}
    # A reviewed reply (refunds go to review) and a released one, both with the card and the e-mail.
    refund = draft(client, team["a"][1], f"Your refund to the card {CARD} was sent; we wrote to {EMAIL}.",
                   customer=customer, ticket_ref="T-A")
    assert refund["status"] == "in_review"
    approve_with_edit(client, team, refund,
                      f"Su reembolso a la tarjeta {CARD} se ha enviado; le escribimos a {EMAIL}.")
    released = draft(client, team["a"][1], f"Thank you, we saved the card {CARD} and wrote to {EMAIL}.",
                     customer=customer, ticket_ref="T-A")
    assert released["status"] == "released" and CARD in released["final_text"]

    b = team["b"][1]
    seen: list[str] = []
    for text in (f"Your refund to the card {OTHER_CARD} was sent; we wrote to {OTHER_EMAIL}.",
                 "Your refund to the card was sent; we wrote to you.",
                 f"Thank you, we saved the card {OTHER_CARD} and wrote to {OTHER_EMAIL}."):
        for threshold in (0, 1, 50, 74):
            response = client.get("/api/v1/tm/lookup", headers=b, query_string={
                "source_lang": "en", "target_lang": "es", "text": text, "threshold": threshold})
            assert response.status_code == 400 and "threshold" in response.get_json()["error"]["message"]
        for threshold in (75, 90, 100):
            response = client.get("/api/v1/tm/lookup", headers=b, query_string={
                "source_lang": "en", "target_lang": "es", "text": text, "threshold": threshold, "limit": 10})
            assert response.status_code == 200
            seen.append(response.get_data(as_text=True))
        response = client.post("/api/v1/translate", headers=b, json={"text": text, "source_lang": "en",
                                                                      "target_lang": "es"})
        seen.append(response.get_data(as_text=True))
        seen.append(client.post("/api/v1/replies", headers=b, json={
            "text": text, "ticket_ref": "T-B", "channel": "email", "customer_locale": "es"}).get_data(as_text=True))
    assert client.get("/api/v1/tm/lookup", headers=b, query_string={
        "source_lang": "en", "target_lang": "es", "text": "refund", "limit": 11}).status_code == 400
    assert client.get("/api/v1/tm/export.tmx", headers=b).status_code == 403
    tmx = client.get("/api/v1/tm/export.tmx", headers=team["editor"][1]).get_data(as_text=True)
    seen.append(tmx)

    everything = "\n".join(seen)
    for value in (CARD, CARD.replace(" ", ""), EMAIL, "Maria", "Garcia"):
        assert value not in everything
    # The reviewed pair is in the memory, with tokens where the customer's data was; B's lookup of the same
    # sentence gets it with B's own card and e-mail.
    assert "[[card:1]]" in tmx and "[[email:2]]" in tmx and "Su reembolso" in tmx
    hit = client.get("/api/v1/tm/lookup", headers=b, query_string={
        "source_lang": "en", "target_lang": "es",
        "text": f"Your refund to the card {OTHER_CARD} was sent; we wrote to {OTHER_EMAIL}."}).get_json()
    assert hit["exact"]["text"] == f"Su reembolso a la tarjeta {OTHER_CARD} se ha enviado; le escribimos a {OTHER_EMAIL}."
    assert hit["exact"]["origin"] == "human"


# --- retention, erasure, access, egress audit ---------------------------------------------------------

SECRET = "whsec_" + "dG9say10ZXN0LXNlY3JldC0zMi1ieXRlcy1sb25nLi4u"


@pytest.fixture
def app_config(helpdesk):
    # Webhooks stay pending (no job runs in these tests): erasure must cancel them.
    return {"WEBHOOK_URLS": [helpdesk.url], "WEBHOOK_SECRET": SECRET, "EGRESS_LOG": "full"}


def _two_customers(client, team):
    """Customer A (Maria, ticket T-A): a reviewed refund reply and a released one; customer B (Jan, T-B)."""
    a = {"name": "Maria Garcia", "email": EMAIL, "phone": "+34 612 345 678"}
    refund = draft(client, team["a"][1], f"Dear Maria, your refund to the card {CARD} was sent.",
                   customer=a, ticket_ref="T-A")
    response = client.post(f"/api/v1/reviews/{refund['review']['id']}/approve", headers=team["es"][1], json={
        "text": f"Estimada Maria, su reembolso a la tarjeta {CARD} se ha enviado.",
        "annotations": [{"category": "fluency/grammar", "severity": "minor", "note": "Maria prefers usted",
                         "start": 9, "end": 14}]})  # marks "Maria": the quote and its context are customer data
    assert response.status_code == 200
    released = draft(client, team["a"][1], "Thank you, we will call you tomorrow.", customer=a, ticket_ref="T-A")
    client.post(f"/api/v1/replies/{released['id']}/feedback", headers=team["a"][1],
                json={"csat": 5, "comment": "Maria here, thanks a lot"})
    other = draft(client, team["b"][1], f"Thank you, we wrote to {OTHER_EMAIL}.",
                  customer={"name": "Jan Jansen", "email": OTHER_EMAIL}, ticket_ref="T-B")
    return refund, released, other


def _stored_texts(app) -> str:
    """Every text column a customer's data could sit in, as one string."""
    with app.app_context():
        parts: list[str] = []
        for model in (Reply, ReviewItem, QualityRecord, MqmAnnotationRow, CustomerFeedback, EngineCall, TmSegment,
                      WebhookDelivery):
            for row in db.session.scalars(select(model)):
                parts.append(json.dumps({c.name: getattr(row, c.name) for c in model.__table__.columns},
                                        default=str, ensure_ascii=False))
        return "\n".join(parts)


def test_erasing_a_customer_removes_their_data_everywhere_and_keeps_the_figures(app, client, team):
    refund, released, other = _two_customers(client, team)
    before = _stored_texts(app)
    assert CARD in before and "Maria" in before and EMAIL in before
    with app.app_context():
        calls = db.session.scalar(select(func.count(EngineCall.id)))
        characters = db.session.scalar(select(func.sum(EngineCall.characters)))
        # The refund's review, and a spot check of the released reply when the locale's sample drew it.
        items_of_a = db.session.scalar(select(func.count(ReviewItem.id)).where(
            ReviewItem.kind == "reply", ReviewItem.object_id.in_([refund["id"], released["id"]])))

    assert client.post("/api/v1/privacy/erasures", headers=team["a"][1], json={"customer": EMAIL}).status_code == 403
    response = client.post("/api/v1/privacy/erasures", headers=team["admin"][1], json={"customer": EMAIL.upper()})
    assert response.status_code == 201, response.get_json()
    erased = response.get_json()["erased"]
    assert erased["replies"] == 2 and erased["review_items"] == items_of_a >= 1 and erased["tm_segments"] == 1
    assert erased["webhooks_cancelled"] >= 2 and erased["feedback"] == 1

    after = _stored_texts(app)
    for value in (CARD, "Maria", "Garcia", EMAIL, "612 345 678", "T-A"):
        assert value not in after
    assert OTHER_EMAIL in after and "T-B" in after  # the other customer is untouched
    shown = client.get(f"/api/v1/replies/{refund['id']}", headers=team["a"][1]).get_json()
    assert shown["status"] == "approved" and shown["final_text"] is None and shown["ticket_ref"] == "[erased]"
    with app.app_context():
        record = db.session.scalar(select(QualityRecord))
        assert record.outcome == "approved_edited" and record.words > 0 and len(record.annotations) == 1
        assert db.session.scalar(select(func.count(EngineCall.id))) == calls
        assert db.session.scalar(select(func.sum(EngineCall.characters))) == characters
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erased"))
        assert event.object_type == "customer" and EMAIL not in str(event.detail) and event.actor == "root"


def test_erasing_a_ticket_and_exporting_a_customer_from_the_cli(app, client, team, runner, tmp_path):
    refund, released, other = _two_customers(client, team)
    out = tmp_path / "maria.json"
    result = runner.invoke(args=["privacy", "export", "--customer", EMAIL, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in data["replies"]] == [refund["id"], released["id"]]
    assert data["replies"][0]["customer"]["name"] == "Maria Garcia" and CARD in data["replies"][0]["source_text"]
    assert data["review_items"][0]["final_text"].startswith("Estimada Maria")
    assert data["feedback"][0]["comment"] == "Maria here, thanks a lot"
    assert data["engine_calls"] and all(CARD not in json.dumps(c["sent"]) for c in data["engine_calls"])
    assert OTHER_EMAIL not in out.read_text(encoding="utf-8")

    api = client.post("/api/v1/privacy/exports", headers=team["admin"][1], json={"ticket": "T-B"}).get_json()
    assert [r["id"] for r in api["replies"]] == [other["id"]]
    assert runner.invoke(args=["privacy", "erase", "--customer", EMAIL, "--ticket", "T-A"]).exit_code != 0

    result = runner.invoke(args=["privacy", "erase", "--ticket", "T-A"])
    assert result.exit_code == 0 and "replies 2" in result.output
    assert CARD not in _stored_texts(app)
    assert runner.invoke(args=["privacy", "export", "--ticket", "T-A"]).exit_code != 0  # nothing left of it


def test_retention_purges_old_texts_and_keeps_quality_and_cost_figures(app, client, team, runner):



    refund, released, other = _two_customers(client, team)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    with app.app_context():
        for model, column in ((Reply, Reply.created_at), (ReviewItem, ReviewItem.queued_at),
                              (QualityRecord, QualityRecord.created_at), (EngineCall, EngineCall.created_at)):
            db.session.execute(update(model).where(model.id.in_(
                [refund["id"], released["id"]] if model is Reply else [1, 2, 3, 4, 5, 6])).values({column: old}))
        db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "replies 2" in result.output
    with app.app_context():
        kept = db.session.get(Reply, other["id"])
        assert OTHER_EMAIL in kept.source_text and kept.customer["name"] == "Jan Jansen"
        gone = db.session.get(Reply, refund["id"])
        assert gone.source_text == "" and gone.final_text is None and gone.customer is None
        assert gone.ticket_ref == "T-A" and gone.engine == "apertium" and gone.redacted_at is not None
        record = db.session.scalar(select(QualityRecord))
        assert record.source_text == "" and record.outcome == "approved_edited" and record.words > 0
        assert record.annotations[0].severity == "minor" and record.annotations[0].note is None
        old_calls = db.session.scalars(select(EngineCall).where(EngineCall.created_at < old + dt.timedelta(days=1)))
        assert all(c.egress is None and c.characters > 0 for c in old_calls)
    assert CARD not in _stored_texts(app)
    # A second run finds nothing more to do.
    assert "replies 0" in runner.invoke(args=["privacy", "purge"]).output


def test_the_worker_purges_on_a_schedule(app):
    def scheduled() -> list[str]:
        return [j for j in queue().scheduled_job_registry.get_job_ids() if j.startswith(privacy.PURGE_JOB_ID)]

    with app.app_context():
        assert privacy.schedule_purge() and len(scheduled()) == 1
        assert privacy.schedule_purge() and len(scheduled()) == 1  # a worker restart adds none
        privacy.purge_job()  # what the worker runs: it schedules its next run, a day later
        (first, following) = sorted(scheduled())
        assert following > first
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.purged")).actor == "system"


def test_a_worker_runs_the_scheduled_purge(app):
    with app.app_context():
        privacy.schedule_purge()
        SimpleWorker([queue(app)], connection=redis_connection(app)).work(burst=True, with_scheduler=True)
        runs = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purged")).all()
        assert len(runs) == 1
        assert len([j for j in queue().scheduled_job_registry.get_job_ids()
                    if j.startswith(privacy.PURGE_JOB_ID)]) == 1  # the next run


def test_admins_read_the_egress_audit_page_by_page(app, client, team, runner):
    _two_customers(client, team)
    assert client.get("/api/v1/egress", headers=team["a"][1]).status_code == 403
    first = client.get("/api/v1/egress?limit=2", headers=team["admin"][1]).get_json()
    assert first["egress_log"] == "full" and len(first["calls"]) == 2 and first["next_before"]
    call = first["calls"][0]
    assert call["engine"] == "apertium" and call["at"] and call["sent"]
    second = client.get(f"/api/v1/egress?limit=200&before={first['next_before']}",
                        headers=team["admin"][1]).get_json()
    assert second["calls"] and all(c["id"] < first["next_before"] for c in second["calls"])
    every = [c["sent"] for c in first["calls"] + second["calls"]]
    assert CARD not in str(every) and "Maria" not in str(every) and "tolk" in str(every)
    assert client.get("/api/v1/egress?limit=201", headers=team["admin"][1]).status_code == 400
    result = runner.invoke(args=["privacy", "egress", "--limit", "3"])
    assert result.exit_code == 0 and "apertium" in result.output and CARD not in result.output


def test_only_the_assignee_and_reviewers_of_the_language_see_the_customers_data(app, client, team, make_user):
    reply = draft(client, team["a"][1], f"Dear Maria, your refund to the card {CARD} was sent.",
                  customer={"name": "Maria Garcia", "email": EMAIL}, ticket_ref="T-A")
    item_id = reply["review"]["id"]
    colleague = make_user("reviewer", name="pablo", languages="es")[1]
    for headers in (team["es"][1], colleague):
        shown = client.get(f"/api/v1/reviews/{item_id}", headers=headers).get_json()
        assert shown["customer_data"] == "shown" and CARD in shown["source_text"] and CARD in shown["mt_text"]
    admin = team["admin"][1]
    shown = client.get(f"/api/v1/reviews/{item_id}", headers=admin).get_json()
    assert shown["customer_data"] == "tokens"
    assert shown["source_text"] == "Dear [[name:1]], your refund to the card [[card:2]] was sent."
    assert CARD not in str(shown) and "Maria" not in str(shown)
    listed = client.get("/api/v1/reviews?lang=es", headers=admin).get_json()["reviews"]
    assert listed and CARD not in str(listed)
    page = client.get(f"/review/{item_id}", headers=admin).get_data(as_text=True)
    assert CARD not in page and "[[card:2]]" in page
    # An admin approving over the token view: the customer gets their own values back.
    edited = shown["mt_text"].replace("Querido", "Estimada").replace("Estimado", "Estimada")
    assert client.post(f"/api/v1/reviews/{item_id}/approve", headers=admin, json={"text": edited}).status_code == 200
    final = client.get(f"/api/v1/replies/{reply['id']}", headers=team["a"][1]).get_json()["final_text"]
    assert CARD in final and "Maria" in final and "[[" not in final


def test_protect_tm_puts_segments_stored_in_clear_in_token_form(app, runner):
    with app.app_context():
        for source, target in ((f"We charged {CARD} and wrote to {EMAIL}.", f"Cargamos {CARD} y escribimos a {EMAIL}."),
                               ("Thank you for waiting.", "Gracias por esperar."),
                               ("Call us.", f"Llame al +34 612 345 678 o escriba a {EMAIL}.")):
            # As versions before 0007 stored them: straight into the table, in clear.
            db.session.add(TmSegment(source_lang="en", target_lang="es", source_text=source, target_text=target,
                                     source_hash="x" * 40 if "Call" in source else source[:40],
                                     origin=TmOrigin.HUMAN))
        db.session.commit()
    result = runner.invoke(args=["privacy", "protect-tm"])
    assert result.exit_code == 0 and "1 segment(s) put in memory form, 1 deleted" in result.output
    with app.app_context():
        rows = {s.source_text: s.target_text for s in db.session.scalars(select(TmSegment))}
        protected = memory_form(services(app).memory.protector, f"We charged {CARD} and wrote to {EMAIL}.")[0]
    assert rows == {protected: "Cargamos [[card:1]] y escribimos a [[email:2]].",
                    "Thank you for waiting.": "Gracias por esperar."}

