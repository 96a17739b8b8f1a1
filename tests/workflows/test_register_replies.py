"""Replies in the wrong register are held for the agent: Apertium for Spanish, DeepL answering informal German and Dutch."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(deepl_settings):
    return {**deepl_settings, "ENGINE_ROUTES": "es=apertium;*=deepl"}


@pytest.fixture
def formal(client, admin_headers):
    for locale in ("es", "de", "nl"):
        response = client.put(f"/api/v1/locales/{locale}", headers=admin_headers, json={"formality": "formal"})
        assert response.status_code in (200, 201), response.get_json()


def draft(client, headers, text, locale):
    body = {"text": text, "ticket_ref": "T-9", "channel": "email", "customer_locale": locale, "agent_lang": "en"}
    response = client.post("/api/v1/replies", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def register_findings(reply):
    return [f for f in reply["findings"] if f["check"] == "register"]


@pytest.mark.parametrize(("text", "informal"), [
    ("Thank you for your patience", "vuestra"),
    ("You're welcome, have a good day.", "Eres"),
])
def test_informal_spanish_from_apertium_is_held_in_a_formal_profile(client, agent_headers, formal, text, informal):
    reply = draft(client, agent_headers, text, "es")

    assert reply["engine"] == "apertium"
    assert informal in reply["translated_text"]
    [finding] = register_findings(reply)
    assert finding["severity"] == "major" and informal in finding["message"]
    assert reply["status"] != "released" and reply["decision"] in ("agent_confirm", "native_review")


@pytest.mark.parametrize(("locale", "informal"), [
    ("de", "Kannst du dein Passwort zurücksetzen?"),
    ("nl", "Kun je je wachtwoord opnieuw instellen?"),
])
def test_informal_german_and_dutch_from_deepl_are_held(client, agent_headers, formal, deepl_fake, locale, informal):
    deepl_fake.malformed_next({"translations": [{"detected_source_language": "EN", "text": informal,
                                                "billed_characters": 28}]},
                              path="/v2/translate")

    reply = draft(client, agent_headers, "Can you reset your password?", locale)

    assert reply["engine"] == "deepl" and reply["translated_text"] == informal
    assert deepl_fake.requests_to("/v2/translate")[0].body["formality"] == "prefer_more"  # DeepL was asked for formal
    [finding] = register_findings(reply)
    assert finding["severity"] == "major"
    assert reply["status"] != "released" and reply["decision"] in ("agent_confirm", "native_review")


def test_formal_german_from_deepl_is_not_flagged(client, agent_headers, formal):
    reply = draft(client, agent_headers, "Thank you", "de")

    assert reply["translated_text"] == "Danke Sie"
    assert register_findings(reply) == []


def test_neutral_spanish_is_not_flagged(client, agent_headers, formal):
    reply = draft(client, agent_headers, "Thank you for waiting.", "es")

    assert register_findings(reply) == []
