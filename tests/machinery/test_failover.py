"""Routing through the app with the real DeepL and Google clients against local fake servers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from machinery.models import EngineCall


@pytest.fixture
def app_config(deepl_settings, google_settings):
    return {**deepl_settings, **google_settings, "ENGINE_ROUTES": "es=deepl,google,apertium;*=deepl,google",
            "ENGINE_RETRIES": 2, "ENGINE_BACKOFF": 0.0, "EGRESS_LOG": "full"}


def translate(client, headers, text="Your refund was processed.", target="es", **extra):
    return client.post("/api/v1/translate", headers=headers,
                       json={"text": text, "source_lang": "en", "target_lang": target, **extra})


def calls(app):
    from tolk.db import db

    with app.app_context():
        return [(c.engine, c.ok, c.error_code) for c in db.session.scalars(select(EngineCall).order_by(EngineCall.id))]


def test_deepl_serves_first_and_bills(app, client, agent_headers, deepl_fake):
    item = translate(client, agent_headers).get_json()["translations"][0]
    assert item["engine"] == "deepl" and item["billed_characters"] > 0
    assert calls(app) == [("deepl", True, None)]
    assert len(deepl_fake.requests_to("/v2/translate")) == 1


def test_rate_limit_then_success_stays_on_deepl(app, client, agent_headers, deepl_fake):
    deepl_fake.fail_next(429, times=1, path="/v2/translate", headers={"Retry-After": "0"})
    item = translate(client, agent_headers).get_json()["translations"][0]
    assert item["engine"] == "deepl" and item["failed_over"] is True
    assert calls(app) == [("deepl", False, "rate_limited"), ("deepl", True, None)]


def test_unavailable_deepl_fails_over_to_google(app, client, agent_headers, deepl_fake, google_fake):
    deepl_fake.fail_next(503, times=3, path="/v2/translate")
    item = translate(client, agent_headers, target="pl").get_json()["translations"][0]
    assert item["engine"] == "google"
    assert [a["outcome"] for a in item["attempts"]] == ["error", "error", "error", "ok"]
    assert calls(app)[-1] == ("google", True, None)


def test_quota_exceeded_fails_over_at_once(app, client, agent_headers, deepl_fake):
    deepl_fake.fail_next(456, times=1, path="/v2/translate")
    item = translate(client, agent_headers, target="pl").get_json()["translations"][0]
    assert item["engine"] == "google"
    assert calls(app)[0] == ("deepl", False, "quota_exceeded") and len(calls(app)) == 2


def test_every_engine_down_is_503_and_every_attempt_metered(app, client, agent_headers, deepl_fake, google_fake):
    deepl_fake.fail_next(503, times=10, path="/v2/translate")
    google_fake.fail_next(503, times=10)
    response = translate(client, agent_headers, target="pl")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "engines_failed"
    assert [ok for _e, ok, _c in calls(app)] == [False] * 6


def test_formality_and_pii_protection_reach_deepl_correctly(app, client, agent_headers, deepl_fake):
    text = "You can reach Jan at jan@example.nl or +49 30 1234 5678 about order ORD-7654321."
    item = translate(client, agent_headers, text=text, target="de", formality="formal").get_json()["translations"][0]
    assert "jan@example.nl" in item["text"] and "+49 30 1234 5678" in item["text"]
    (request,) = deepl_fake.requests_to("/v2/translate")
    raw = request.raw.decode()
    assert "prefer_more" in raw
    for secret in ("jan@example.nl", "1234 5678", "ORD-7654321"):
        assert secret not in raw
