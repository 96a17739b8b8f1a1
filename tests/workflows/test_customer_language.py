"""The customer's language: picked, detected, or remembered per ticket and customer for short messages."""

from __future__ import annotations

import pytest

from machinery.detection import Detection
from workflows.customer_language import choose


def detected(lang, reliable=True):
    return Detection(lang, 0.9 if reliable else 0.3, 0.5 if reliable else 0.05, reliable)


@pytest.mark.parametrize("given, message, detection, remembered, expected", [
    ("de", "ok danke", detected("nl"), "fr", ("de", "given")),
    (None, "ok danke", detected("nl"), "de", ("de", "remembered")),  # short: what we know wins
    (None, "Non", detected("it", reliable=False), "fr", ("fr", "remembered")),
    (None, "👍🙏", detected(None, reliable=False), "es", ("es", "remembered")),
    (None, "Muito obrigado pela ajuda de vocês, deu tudo certo", detected("pt"), "pt-BR", ("pt-BR", "remembered")),
    (None, "我想查詢一下我的訂單什麼時候會到", detected("zh-Hans"), "zh-Hant", ("zh-Hant", "remembered")),
    (None, "Ich habe das Paket leider immer noch nicht bekommen", detected("de"), "nl", ("de", "detected")),
    (None, "Ich habe das Paket leider immer noch nicht bekommen", detected("de"), None, ("de", "detected")),
    (None, "Non", detected("it", reliable=False), None, (None, "uncertain")),
])
def test_choose(given, message, detection, remembered, expected):
    choice = choose(given, message, detection, remembered)
    assert (choice.lang, choice.how) == expected


@pytest.fixture
def agent(make_user):
    return make_user("agent", name="alex", languages="en")[1]


def draft(client, headers, **kw):
    body = {"text": "Thank you for your patience.", "ticket_ref": "T-7", "channel": "chat", **kw}
    return client.post("/api/v1/replies", json=body, headers=headers)


def test_a_short_message_on_a_known_ticket_keeps_the_customers_regional_language(client, agent):
    assert draft(client, agent, customer_locale="pt-BR").status_code == 201
    reply = draft(client, agent, customer_message="Obrigado!").get_json()
    assert reply["customer_lang"] == "pt-BR" and reply["detection"]["used"] == "remembered"


def test_an_emoji_only_message_is_answered_when_the_language_is_known(client, agent):
    assert draft(client, agent, customer_message="👍🙏", ticket_ref="T-8").status_code == 422
    assert draft(client, agent, customer_locale="es", ticket_ref="T-8").status_code == 201
    reply = draft(client, agent, customer_message="👍🙏", ticket_ref="T-8")
    assert reply.status_code == 201 and reply.get_json()["customer_lang"] == "es"


def test_a_customers_language_carries_over_to_their_next_ticket(client, agent):
    assert draft(client, agent, customer_locale="fr", ticket_ref="T-9", customer_id="C-42").status_code == 201
    reply = draft(client, agent, customer_message="Non", ticket_ref="T-10", customer_id="C-42").get_json()
    assert reply["customer_lang"] == "fr"
    other = draft(client, agent, customer_message="Non", ticket_ref="T-11", customer_id="C-43")
    assert other.status_code == 422 or other.get_json()["customer_lang"] != "fr"


def test_the_threads_language_is_used_for_a_short_message_on_a_new_ticket(client, agent):
    thread = [{"author": "customer", "text": "Bonjour, ma commande n'est jamais arrivée.", "lang": "fr"}]
    reply = draft(client, agent, customer_message="Non", ticket_ref="T-12", thread=thread).get_json()
    assert reply["customer_lang"] == "fr"
    bad = draft(client, agent, customer_message="Non", ticket_ref="T-13", thread=[{**thread[0], "lang": "xx-?"}])
    assert bad.status_code == 400
