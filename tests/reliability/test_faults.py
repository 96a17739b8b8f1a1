"""Engines and Redis failing under a drafted reply: every reply ends in a defined state, none is lost,
and every failed engine call is metered. Also a webhook delivery rerun after a worker died."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from machinery.models import EngineCall
from tests.conftest import free_port, run_jobs
from tests.factories import ALWAYS_ON, make_article
from tolk.db import db
from workflows.kb.models import ArticleLocale
from workflows.models import JobStatus, Reply, ReviewItem, TranslationJob, WebhookDelivery

QUOTA_BODY = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                        "message": "Quota exceeded for quota metric 'characters per day' of service translate"}}


@pytest.fixture
def app_config(deepl_settings, google_settings, helpdesk):
    return {**deepl_settings, **google_settings, "ENGINE_ROUTES": "*=deepl,google", "ENGINE_TIMEOUT": 0.5,
            "ENGINE_RETRIES": 2, "DEFAULT_GLOSSARY": "", "WEBHOOK_URLS": [helpdesk.url],
            # Each scenario scripts every vendor answer: the circuit breaker (test_deadline.py) would skip some.
            "ENGINE_CIRCUIT_THRESHOLD": 0}


@pytest.fixture
def team(make_user):
    return {"agent": make_user("agent", name="alex", languages="en")[1],
            "de": make_user("reviewer", name="greta", languages="de", **ALWAYS_ON)[1]}


@dataclass
class Fault:
    """A scripted misbehaviour and what it must lead to."""

    name: str
    inject: Callable  # (deepl_fake, google_fake) -> None
    faults: int  # failing vendor answers injected
    outcome: str  # the engine that translates in the end, or "human"
    failed_calls: list[tuple[str, str]]  # (engine, error_code) of the metered failures, in order


def _both(deepl: Callable, google: Callable) -> Callable:
    return lambda d, g: (deepl(d), google(g))


DEEPL, GOOGLE = "/v2/translate", ":translateText"
FAULTS = [
    Fault("deepl 429 burst beyond the retries", lambda d, g: d.fail_next(429, 3, path=DEEPL), 3, "google",
          [("deepl", "rate_limited")] * 3),
    Fault("deepl 429 once, the retry succeeds", lambda d, g: d.fail_next(429, 1, path=DEEPL), 1, "deepl",
          [("deepl", "rate_limited")]),
    Fault("deepl 503 on every try", lambda d, g: d.fail_next(503, 3, path=DEEPL), 3, "google",
          [("deepl", "unavailable")] * 3),
    Fault("deepl 500 twice, the last retry succeeds", lambda d, g: d.fail_next(500, 2, path=DEEPL), 2, "deepl",
          [("deepl", "unavailable")] * 2),
    Fault("deepl hangs past the timeout", lambda d, g: d.hang_next(2.0, 3, path=DEEPL), 3, "google",
          [("deepl", "timeout")] * 3),
    Fault("deepl quota exceeded (456)", lambda d, g: d.fail_next(456, 1, path=DEEPL), 1, "google",
          [("deepl", "quota_exceeded")]),
    Fault("deepl answers invalid JSON", lambda d, g: d.malformed_next(times=1, path=DEEPL), 1, "google",
          [("deepl", "bad_response")]),
    Fault("both 5xx", _both(lambda d: d.fail_next(503, 3, path=DEEPL), lambda g: g.fail_next(500, 3, path=GOOGLE)),
          6, "human", [("deepl", "unavailable")] * 3 + [("google", "unavailable")] * 3),
    Fault("both 429 bursts", _both(lambda d: d.fail_next(429, 3, path=DEEPL), lambda g: g.fail_next(429, 3, path=GOOGLE)),
          6, "human", [("deepl", "rate_limited")] * 3 + [("google", "rate_limited")] * 3),
    Fault("both out of quota", _both(lambda d: d.fail_next(456, 1, path=DEEPL),
                                     lambda g: g.fail_next(429, 1, body=QUOTA_BODY, path=GOOGLE)),
          2, "human", [("deepl", "quota_exceeded"), ("google", "quota_exceeded")]),
    Fault("both hang", _both(lambda d: d.hang_next(2.0, 3, path=DEEPL), lambda g: g.hang_next(2.0, 3, path=GOOGLE)),
          6, "human", [("deepl", "timeout")] * 3 + [("google", "timeout")] * 3),
    Fault("both malformed", _both(lambda d: d.malformed_next(times=1, path=DEEPL),
                                  lambda g: g.malformed_next(times=1, path=GOOGLE)),
          2, "human", [("deepl", "bad_response"), ("google", "bad_response")]),
]


def test_every_reply_ends_in_a_defined_state_whatever_the_engines_do(app, client, team, deepl_fake, google_fake):
    accepted, injected = 0, 0
    for n, fault in enumerate(FAULTS):
        deepl_fake.reset()
        google_fake.reset()
        with app.app_context():
            last_call = db.session.scalar(select(func.coalesce(func.max(EngineCall.id), 0)))
        fault.inject(deepl_fake, google_fake)
        injected += fault.faults
        response = client.post("/api/v1/replies", headers=team["agent"], json={
            "text": f"Thanks for waiting, we are checking case number {n + 1} for you now.",
            "ticket_ref": f"T-{n}", "channel": "email", "customer_locale": "de"})
        assert response.status_code == 201, (fault.name, response.get_json())
        accepted += 1
        reply = response.get_json()
        codes = [r["code"] for r in reply["reasons"]]
        if fault.outcome == "human":
            assert (reply["status"], reply["decision"], reply["translated_text"]) == (
                "in_review", "human_translation", None), fault.name
            assert reply["review"]["task"] == "translate" and reply["assigned_reviewer"] == "greta", fault.name
            (why,) = [r["message"] for r in reply["reasons"] if r["code"] == "no_engine"]
            assert why.startswith("every engine failed for en -> de") and "deepl:" in why and "google:" in why
        else:
            assert reply["engine"] == fault.outcome and reply["translated_text"], fault.name
            assert (reply["status"], reply["decision"]) == ("in_review", "native_review"), fault.name
            assert "quality:failover" in codes and reply["review"]["task"] == "review", fault.name
        with app.app_context():
            calls = db.session.scalars(select(EngineCall).where(EngineCall.id > last_call,
                                                                EngineCall.target_lang == "de")
                                       .order_by(EngineCall.id)).all()
        assert [(c.engine, c.error_code) for c in calls if not c.ok] == fault.failed_calls, fault.name
        assert [c.engine for c in calls if c.ok] == ([] if fault.outcome == "human" else [fault.outcome])

    with app.app_context():
        stored = db.session.scalar(select(func.count(Reply.id)))
        queued = db.session.scalar(select(func.count(ReviewItem.id)).where(ReviewItem.kind == "reply"))
    lost = accepted - stored
    assert lost == 0 and queued == accepted
    print(f"\nfaults: {len(FAULTS)} scenarios, {injected} failing vendor answers injected, {accepted} replies "
          f"accepted, {stored} stored, {lost} lost")


# --- Redis down: accept into a durable state, deliver later -------------------------------------------


def _redis_down(app) -> None:
    app.extensions.pop("tolk.redis", None)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def _redis_back(app, redis_url: str) -> None:
    dead = app.extensions.pop("tolk.redis", None)
    if dead is not None:
        dead.close()
    app.config["REDIS_URL"] = redis_url


def _deliveries(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [(d.event_type, d.status, d.attempts)
                for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_with_redis_down_a_reply_is_accepted_and_its_webhook_delivered_once_when_redis_is_back(
        app, client, runner, team, helpdesk, redis_url):
    _redis_down(app)
    response = client.post("/api/v1/replies", headers=team["agent"], json={
        "text": "Thank you for your patience, your parcel is on its way.", "ticket_ref": "T-9",
        "channel": "email", "customer_locale": "de"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "released"
    # A reply that needs a reviewer is queued too: its deadline check is swept by `tolk reviews escalate`.
    review = client.post("/api/v1/replies", headers=team["agent"], json={
        "text": "Your refund was processed yesterday.", "ticket_ref": "T-10", "channel": "email",
        "customer_locale": "de"})
    assert review.status_code == 201 and review.get_json()["status"] == "in_review"
    assert _deliveries(app) == [("reply.released", "pending", 0)]
    assert client.get("/healthz").status_code == 503

    _redis_back(app, redis_url)
    result = runner.invoke(args=["webhooks", "redeliver"])
    assert result.exit_code == 0 and "1 pending delivery(ies) enqueued" in result.output
    run_jobs(app)
    assert helpdesk.events() == ["reply.released"]
    assert _deliveries(app) == [("reply.released", "delivered", 1)]

    again = runner.invoke(args=["webhooks", "redeliver"])
    assert again.exit_code == 0 and "0 pending delivery(ies) enqueued" in again.output
    run_jobs(app)
    assert helpdesk.events() == ["reply.released"]


def test_a_delivery_job_rerun_after_its_worker_died_sends_nothing_twice(app, client, team, helpdesk):
    from workflows import webhooks

    response = client.post("/api/v1/replies", headers=team["agent"], json={
        "text": "Thank you for your patience, your parcel is on its way.", "ticket_ref": "T-11",
        "channel": "email", "customer_locale": "de"})
    assert response.status_code == 201
    run_jobs(app)
    assert helpdesk.events() == ["reply.released"]
    with app.app_context():
        (delivery_id,) = db.session.scalars(select(WebhookDelivery.id)).all()
        # RQ re-queues the job of a worker that died after sending: the same job runs again.
        webhooks.dispatch([delivery_id])
    run_jobs(app)
    with app.app_context():
        assert webhooks.deliver(delivery_id) == "skipped"
    assert helpdesk.events() == ["reply.released"]
    assert _deliveries(app) == [("reply.released", "delivered", 1)]


def test_a_failed_delivery_is_retried_with_the_same_webhook_id(app, client, team, helpdesk):
    """A helpdesk that was down gets the event later under the id it deduplicates on."""
    from workflows import webhooks

    url = helpdesk.url
    with app.app_context():
        app.config["WEBHOOK_URLS"] = [f"http://127.0.0.1:{free_port()}/hooks"]  # unreachable for now
    response = client.post("/api/v1/replies", headers=team["agent"], json={
        "text": "Thank you for your patience, your parcel is on its way.", "ticket_ref": "T-12",
        "channel": "email", "customer_locale": "de"})
    assert response.status_code == 201
    with app.app_context():
        row = db.session.scalar(select(WebhookDelivery))
        with pytest.raises(Exception):  # noqa: B017 - whatever requests raises; RQ retries it
            webhooks.deliver(row.id)
        db.session.expire_all()
        row = db.session.get(WebhookDelivery, row.id)
        assert (row.status, row.attempts) == ("pending", 1) and row.last_error
        row.url, event_id = url, row.event_id
        db.session.commit()
        assert webhooks.deliver(row.id) == "delivered"
    headers, body = helpdesk.received[0]
    assert headers["webhook-id"] == event_id and json.loads(body)["type"] == "reply.released"


# --- KB translation with Redis down -------------------------------------------------------------------


def test_kb_translation_with_redis_down_fails_clearly_and_leaves_nothing_waiting(app, client, editor):
    assert make_article(client, editor, target_locales=["es", "ca"], publishing_policy="auto").status_code == 201
    _redis_down(app)
    response = client.post("/api/v1/articles/shipping/translate", headers=editor)
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "queue_unavailable" and "nothing was queued" in error["message"]
    with app.app_context():
        jobs = [(j.status, j.error) for j in db.session.scalars(select(TranslationJob))]
        states = {lo.locale: lo.state.value for lo in db.session.scalars(select(ArticleLocale))}
    assert len(jobs) == 2 and all(status == JobStatus.FAILED and "could not queue" in error for status, error in jobs)
    assert sorted(states) == ["ca", "es"] and "translating" not in states.values()
    assert client.get("/kb/es/shipping").status_code == 404


def test_kb_translation_with_redis_down_leaves_a_published_locale_published(app, client, editor, redis_url):

    assert make_article(client, editor, publishing_policy="auto").status_code == 201
    assert client.post("/api/v1/articles/shipping/translate", headers=editor).status_code == 202
    run_jobs(app)
    before = client.get("/api/v1/articles/shipping", headers=editor).get_json()["locales"]["es"]
    assert before["state"] == "published"

    _redis_down(app)
    assert client.post("/api/v1/articles/shipping/translate", headers=editor).status_code == 503
    after = client.get("/api/v1/articles/shipping", headers=editor).get_json()["locales"]["es"]
    assert client.get("/kb/es/shipping").status_code == 200
    assert (after["state"], after["published_revision"]) == ("published", 1)
