"""POST /api/v1/translate and `tolk translate` with the real Apertium engine and no account."""

from __future__ import annotations

import pytest
from sqlalchemy import select


def post(client, headers, **body):
    return client.post("/api/v1/translate", json=body, headers=headers)


def test_english_to_spanish_through_apertium(client, agent_headers):
    response = post(client, agent_headers, text="Your refund was processed, {name}.", target_lang="es",
                    source_lang="en")
    assert response.status_code == 200, response.get_json()
    (item,) = response.get_json()["translations"]
    assert "reembolso" in item["text"] and item["text"].endswith("{name}.")
    assert item["engine"] == "apertium" and item["origin"] == "machine"


def test_source_language_is_detected_when_absent(client, agent_headers):
    item = post(client, agent_headers, text="Where is my order? It has not arrived yet.",
                target_lang="es").get_json()["translations"][0]
    assert item["detected_source_lang"] == "en"
    assert item["detection"]["reliable"] is True


def test_batch_keeps_order_and_html(client, agent_headers):
    texts = ["Thank you for your patience.", "<p>Your <b>order</b> has shipped.</p>", "Please restart the app."]
    items = post(client, agent_headers, texts=texts, target_lang="es", source_lang="en",
                 format="html").get_json()["translations"]
    assert len(items) == 3
    assert items[1]["text"].startswith("<p>") and "<b>" in items[1]["text"] and items[1]["text"].endswith("</p>")


@pytest.mark.parametrize("app_config", [{"EGRESS_LOG": "full"}])
def test_customer_data_survives_and_never_reaches_the_engine(app, client, agent_headers):
    from machinery.models import EngineCall
    from tolk.db import db

    text = ("Hi Jan, we refunded card 4111 1111 1111 1111 and IBAN NL91 ABNA 0417 1643 00. "
            "Questions: jan.devries@example.nl or +31 6 1234 5678, order ORD-1234567.")
    item = post(client, agent_headers, text=text, target_lang="es", source_lang="en").get_json()["translations"][0]
    for secret in ("4111 1111 1111 1111", "NL91 ABNA 0417 1643 00", "jan.devries@example.nl",
                   "+31 6 1234 5678", "ORD-1234567"):
        assert secret in item["text"]
    with app.app_context():
        sent = " ".join(c.egress or "" for c in db.session.scalars(select(EngineCall)))
    assert sent and "tolk1" in sent
    for secret in ("4111", "NL91", "jan.devries", "1234 5678", "ORD-1234567"):
        assert secret not in sent


def test_second_request_comes_from_translation_memory_at_no_cost(app, client, agent_headers):
    from machinery.models import EngineCall
    from tolk.db import db

    body = {"text": "Your parcel is on its way.", "target_lang": "es", "source_lang": "en"}
    first = post(client, agent_headers, **body).get_json()["translations"][0]
    second = post(client, agent_headers, **body).get_json()["translations"][0]
    assert second["engine"] == "tm" and second["tm_score"] == 100 and second["text"] == first["text"]
    with app.app_context():
        calls = db.session.scalars(select(EngineCall).order_by(EngineCall.id)).all()
        # One vendor call; the TM hit is metered as characters saved, billed nothing.
        assert [c.engine for c in calls] == [first["engine"], "tm"]
        assert (calls[1].characters, calls[1].billed_characters) == (len(body["text"]), 0)


def test_pair_no_engine_serves_is_422_naming_each_engine(client, agent_headers):
    response = post(client, agent_headers, text="Your refund was processed.", target_lang="pl", source_lang="en")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "no_engine_for_pair"
    assert {a["engine"]: a["code"] for a in error["details"]["attempts"]} == {
        "deepl": "not_configured", "google": "not_configured", "apertium": "unsupported_pair"}


@pytest.mark.parametrize("body, status, code", [
    ({"text": "hi"}, 400, "invalid"),
    ({"text": "hi", "target_lang": "xx"}, 400, "unknown_language"),
    ({"text": "hi", "target_lang": "es", "source_lang": "english"}, 400, "unknown_language"),
    ({"text": "   ", "target_lang": "es"}, 400, "empty_text"),
    ({"text": "hi", "texts": ["hi"], "target_lang": "es"}, 400, "invalid"),
    ({"texts": [], "target_lang": "es"}, 400, "invalid"),
    ({"texts": ["a", 3], "target_lang": "es"}, 400, "invalid"),
    ({"text": "hi", "target_lang": "es", "format": "pdf"}, 400, "invalid"),
    ({"text": "x" * 20001, "target_lang": "es"}, 413, "too_large"),
    ({"texts": ["x"] * 201, "target_lang": "es"}, 413, "too_large"),
])
def test_bad_requests_are_refused_clearly(client, agent_headers, body, status, code):
    response = post(client, agent_headers, **body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_non_json_body_is_refused(client, agent_headers):
    response = client.post("/api/v1/translate", data="text=hi", headers=agent_headers)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


def test_cli_translates_english_to_spanish(runner):
    result = runner.invoke(args=["translate", "--to", "es", "Your refund was processed."])
    assert result.exit_code == 0, result.output
    assert "reembolso" in result.output


def test_cli_reads_stdin_and_names_the_missing_engine_for_polish(runner):
    result = runner.invoke(args=["translate", "--to", "pl", "--from", "en"], input="Your refund was processed.")
    assert result.exit_code == 1
    assert "no engine serves en -> pl" in result.output and "deepl is not configured" in result.output


def test_engines_command_lists_apertium_pairs(runner):
    result = runner.invoke(args=["engines"])
    assert result.exit_code == 0
    assert "apertium" in result.output and "en-es" in result.output and "not configured" in result.output
