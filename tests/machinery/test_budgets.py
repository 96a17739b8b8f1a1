"""Monthly engine budgets through the app: webhooks and admin notices at 80% and 100%, then the engine is skipped."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from machinery.budgets import Budgets, month_start
from machinery.models import BudgetNotice, EngineCall
from tests.conftest import run_jobs

# DeepL at 20 EUR per million characters: its budget of 0.001 EUR is 50 characters.
TEXTS = ["Your refund was processed today.",  # 32 characters: 64%
         "Your order has shipped.",  # 23 more, 55: 110%, past 80 and 100 at once
         "Thanks for your patience."]


@pytest.fixture
def app_config(deepl_settings, google_settings, helpdesk):
    return {**deepl_settings, **google_settings, "ENGINE_ROUTES": "*=deepl,google", "ENGINE_PRICES": "deepl=20",
            "ENGINE_BUDGETS": "deepl=0.001", "COST_CURRENCY": "EUR", "WEBHOOK_URLS": [helpdesk.url]}


def translate(client, headers, text):
    response = client.post("/api/v1/translate", headers=headers,
                           json={"text": text, "source_lang": "en", "target_lang": "es"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["translations"][0]


def test_a_budget_crossing_sends_its_webhooks_once_and_then_routing_skips_the_engine(
        app, client, agent_headers, admin_headers, helpdesk):
    first = translate(client, agent_headers, TEXTS[0])
    run_jobs(app)
    assert first["engine"] == "deepl" and helpdesk.events() == []

    second = translate(client, agent_headers, TEXTS[1])
    run_jobs(app)
    assert second["engine"] == "deepl"
    assert helpdesk.events() == ["engine.budget_warning", "engine.budget_exhausted"]
    exhausted = helpdesk.payloads[1]["data"]
    assert exhausted["engine"] == "deepl" and exhausted["threshold"] == 100 and exhausted["currency"] == "EUR"
    assert exhausted["spent"] == pytest.approx(55 * 20 / 1e6) and exhausted["budget"] == 0.001

    third = translate(client, agent_headers, TEXTS[2])
    run_jobs(app)
    assert third["engine"] == "google"
    [skipped] = [a for a in third["attempts"] if a["engine"] == "deepl"]
    assert skipped["outcome"] == "skipped" and skipped["code"] == "budget_exhausted"
    assert "0.001" in skipped["message"] and "until the month ends" in skipped["message"]
    assert helpdesk.events() == ["engine.budget_warning", "engine.budget_exhausted"]  # each once a month

    budgets = client.get("/api/v1/engines/budgets", headers=admin_headers).get_json()
    [deepl] = budgets["budgets"]
    assert deepl["withheld"] is True and deepl["percent"] == pytest.approx(110.0)
    assert [n["threshold"] for n in deepl["notices"]] == [80, 100]
    health = client.get("/healthz", headers=admin_headers).get_json()["components"]["engines"]["budgets"]
    assert health == {"deepl": {"withheld": True}}


def test_budget_status_is_for_admins_only(client, agent_headers):
    assert client.get("/api/v1/engines/budgets", headers=agent_headers).status_code == 403


def test_a_new_month_starts_with_a_fresh_budget(app):
    from tolk.db import db

    now = dt.datetime(2026, 11, 28, 17, 0, tzinfo=dt.UTC)
    heard = []
    budgets = Budgets({"deepl": 1.0}, "EUR", listeners=[lambda session, notice: heard.append(notice)],
                      now=lambda: now)
    with app.app_context():
        session = db.session
        last_month = EngineCall(engine="deepl", source_lang="en", target_lang="es", characters=1, cost=5.0,
                                created_at=dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC))
        session.add(last_month)
        session.flush()
        assert budgets.withheld(session, "deepl") is None
        row = EngineCall(engine="deepl", source_lang="en", target_lang="es", characters=1, cost=0.85, created_at=now)
        session.add(row)
        budgets.after_write(session, row)
        budgets.after_write(session, row)  # a second call at the same spend announces nothing new
        assert [n["threshold"] for n in heard] == [80]
        assert session.scalars(select(BudgetNotice.month)).all() == ["2026-11"]
        assert budgets.withheld(session, "google") is None  # no budget, never withheld
        session.rollback()
    assert month_start(now) == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
