"""Cost in money through the app: prices per engine, tokens for the LLM, TM savings, the dashboard and budgets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from machinery.models import EngineCall
from machinery.pricing import PriceError, PriceList, parse_amounts
from tests.factories import PASSWORD, add_record
from tests.web.forms import sign_in

TEXT = "Your refund was processed."  # 26 characters


@pytest.fixture
def app_config(deepl_settings, google_settings, llm_settings, helpdesk):
    return {**deepl_settings, **google_settings, **llm_settings, "ENGINE_ROUTES": "es=deepl,google;*=llm,deepl",
            "ENGINE_PRICES": "deepl=20,google=10", "LLM_PRICE_INPUT": 1.0, "LLM_PRICE_OUTPUT": 3.0,
            "COST_CURRENCY": "EUR", "ENGINE_BACKOFF": 0.0, "WEBHOOK_URLS": [helpdesk.url]}


def translate(client, headers, text=TEXT, target="es"):
    response = client.post("/api/v1/translate", headers=headers,
                           json={"text": text, "source_lang": "en", "target_lang": target})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["translations"][0]


def calls(app):
    from tolk.db import db

    with app.app_context():
        return [(c.engine, c.characters, c.billed_characters, c.input_tokens, c.output_tokens,
                 pytest.approx(c.cost), c.content_type)
                for c in db.session.scalars(select(EngineCall).order_by(EngineCall.id))]


def test_a_deepl_call_costs_its_billed_characters_at_its_price(app, client, agent_headers):
    item = translate(client, agent_headers)

    assert item["engine"] == "deepl"
    assert calls(app) == [("deepl", 26, 26, 0, 0, 26 * 20 / 1e6, "api")]


def test_a_tm_hit_is_metered_as_saved_characters_and_money(app, client, agent_headers):
    translate(client, agent_headers)
    second = translate(client, agent_headers)

    assert second["engine"] == "tm"
    # Saved at DeepL's price: the engine the route would have used.
    assert calls(app)[1] == ("tm", 26, 0, 0, 0, 26 * 20 / 1e6, "api")


def test_the_llm_is_metered_in_tokens_and_money(app, client, agent_headers, openai_fake):
    item = translate(client, agent_headers, target="de")

    assert item["engine"] == "llm"
    [(engine, chars, billed, tokens_in, tokens_out, cost, content_type)] = calls(app)
    assert (engine, chars, billed, content_type) == ("llm", 26, 0, "api")
    assert tokens_in > 0 and tokens_out > 0
    assert cost == (tokens_in * 1.0 + tokens_out * 3.0) / 1e6


def test_an_llm_refusal_fails_over_to_deepl_with_the_reason(app, client, agent_headers, openai_fake):
    openai_fake.answer_next(None, refusal="I cannot help with that.")

    item = translate(client, agent_headers, target="de")

    assert item["engine"] == "deepl" and item["failed_over"]
    assert item["attempts"][0]["engine"] == "llm" and item["attempts"][0]["code"] == "refused"


def test_quality_api_and_dashboard_show_money_per_engine_and_content_type_with_tm_savings(
        app, client, agent_headers, make_user):
    from tolk.db import db

    translate(client, agent_headers)
    translate(client, agent_headers)  # from the TM
    with app.app_context():
        add_record(db.session, "es", created_at=db.session.scalar(select(EngineCall.created_at)))
        db.session.commit()
    _, admin = make_user("admin", name="ada", password=PASSWORD)

    body = client.get("/api/v1/quality?lang=es", headers=admin).get_json()
    cost = body["languages"][0]["cost"]
    assert cost["currency"] == "EUR"
    assert cost["cost"] == pytest.approx(26 * 20 / 1e6)
    assert (cost["tm_characters_saved"], cost["tm_cost_saved"]) == (26, pytest.approx(26 * 20 / 1e6))
    assert cost["content_types"]["api"]["cost"] == pytest.approx(26 * 20 / 1e6)
    assert [e["engine"] for e in cost["engines"]] == ["deepl", "tm"]

    sign_in(client, "ada")
    page = client.get("/quality?lang=es").get_data(as_text=True)
    assert "deepl: 0.00 EUR" in page  # 0.00052 EUR
    assert 'class="cost-tm"' in page and "(26 chars)" in page
    assert 'data-type="api"' in page


def test_prices_and_budgets_are_parsed_and_validated():
    assert parse_amounts("deepl=25, google=20;llm=0.5", "ENGINE_PRICES") == {"deepl": 25.0, "google": 20.0,
                                                                            "llm": 0.5}
    for bad in ("deepl", "deepl=cheap", "=3", "deepl=-1"):
        with pytest.raises(PriceError, match="ENGINE_BUDGETS"):
            parse_amounts(bad, "ENGINE_BUDGETS")
    prices = PriceList.from_settings({"ENGINE_PRICES": "deepl=20", "LLM_PRICE_INPUT": 1, "LLM_PRICE_OUTPUT": 3})
    assert prices.cost("deepl", billed_characters=1_000_000) == 20.0
    assert prices.cost("llm", input_tokens=1_000_000, output_tokens=1_000_000) == 4.0
    assert prices.cost("apertium", billed_characters=1_000_000) == 0.0
    assert prices.saved("llm", 4_000_000) == 4.0  # about four characters per token, prompt and answer
