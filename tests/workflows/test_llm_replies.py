"""A reply translated by the LLM engine: the prompt carries the profile's register, its no-upselling rule and the terms."""

from __future__ import annotations

import json

import pytest

from glossaries.terms import Concept, Term, Termbase
from machinery.translator import engine_glossary


@pytest.fixture
def app_config(llm_settings):
    return {**llm_settings, "ENGINE_ROUTES": "*=llm"}


def system_prompt(body):
    return next(m["content"] for m in body["messages"] if m["role"] == "system")


def test_a_reply_through_the_llm_is_told_the_register_and_the_tone_of_the_locale(client, admin_headers,
                                                                               agent_headers, openai_fake):
    response = client.put("/api/v1/locales/de", headers=admin_headers,
                          json={"formality": "formal", "upsell_allowed": False})
    assert response.status_code in (200, 201), response.get_json()

    reply = client.post("/api/v1/replies", headers=agent_headers, json={
        "text": "Thank you", "ticket_ref": "T-3", "channel": "chat", "customer_locale": "de", "agent_lang": "en"})

    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    assert body["engine"] == "llm" and body["translated_text"] == "Danke Sie"
    [first, *_] = openai_fake.completions()
    prompt = system_prompt(first)
    assert "Address the customer formally (Sie, never du/ihr)." in prompt
    assert "upselling is not allowed" in prompt
    assert json.loads(first["messages"][-1]["content"])["segments"] == ["Thank you"]
    assert [f for f in body["findings"] if f["check"] == "register"] == []


def test_forbidden_terms_of_the_termbase_reach_engines_that_take_instructions():
    termbase = Termbase("brand", "en", [
        Concept([Term("en", "refund"), Term("es", "reembolso"), Term("es", "reintegro", status="forbidden")]),
        Concept([Term("en", "Acme Cloud"), Term("es", "Acme Cloud")], do_not_translate=True),
    ])

    glossary = engine_glossary(termbase, "en", "es")

    assert glossary is not None
    assert glossary.entries == {"refund": "reembolso", "Acme Cloud": "Acme Cloud"}
    assert glossary.forbidden == ("reintegro",)
    assert glossary.do_not_translate == ("Acme Cloud",)
