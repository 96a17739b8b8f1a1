"""A reply and an inbound message with the helpdesk's customer object, through DeepL (the local fake): the
fake never receives the customer's name, address or phone, the texts come back with them, and the egress
record names the ticket only by its hash."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from machinery.models import EngineCall
from machinery.translator import ticket_key
from tolk.db import db

MARIA = {"name": "Maria Kowalska", "email": "maria.kowalska@example.pl", "phone": "+48 512 345 678",
         "address": "ul. Długa 5, 00-950 Warszawa"}
VALUES = ["Maria", "Kowalsk", "Długa", "00-950", "512 345 678", "512345678", "maria.kowalska@example.pl"]


@pytest.fixture
def app_config(deepl_settings):
    return {**deepl_settings, "ENGINE_ROUTES": "*=deepl", "EGRESS_LOG": "full"}


def _received(deepl_fake) -> str:
    return "\n".join(r.text + json.dumps(r.body, ensure_ascii=False) for r in deepl_fake.requests)


def test_a_reply_and_a_message_with_a_known_customer_never_show_them_to_deepl(app, client, make_user, deepl_fake):
    agent = make_user("agent", languages="en")[1]
    text = ("Dear Mrs Kowalska, we sent the parcel to ul. Długa 5, 00-950 Warszawa. Maria, if it has not "
            "arrived, call us and we will call you back on +48 512 345 678.")
    response = client.post("/api/v1/replies", headers=agent, json={
        "text": text, "ticket_ref": "T-77", "channel": "email", "customer_locale": "pl", "customer": MARIA})
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert reply["engine"] == "deepl"
    for value in ("Kowalska", "ul. Długa 5, 00-950 Warszawa", "Maria", "+48 512 345 678"):
        assert value in reply["translated_text"]

    message = client.post("/api/v1/messages/translate", headers=agent, json={
        "text": "Dzień dobry, tu Maria Kowalska. Paczka nie dotarła na ul. Długa 5, proszę dzwonić pod 512345678.",
        "source_lang": "pl", "target_lang": "en", "ticket_ref": "T-77", "customer": MARIA}).get_json()
    assert "Maria Kowalska" in message["text"] and "ul. Długa 5" in message["text"] and "512345678" in message["text"]

    received = _received(deepl_fake)
    assert "<x id=" in received
    for value in VALUES:
        assert value not in received, value
    with app.app_context():
        calls = db.session.scalars(select(EngineCall).where(EngineCall.engine == "deepl")).all()
        assert calls and all(c.ticket_key == ticket_key("T-77") for c in calls)
        assert all(value not in (c.egress or "") for c in calls for value in VALUES)
        assert "T-77" not in str([c.ticket_key for c in calls])


def test_unknown_customer_fields_are_refused(client, make_user):
    agent = make_user("agent", languages="en")[1]
    response = client.post("/api/v1/replies", headers=agent, json={
        "text": "Hello", "ticket_ref": "T-1", "channel": "email", "customer_locale": "pl",
        "customer": {"name": "Maria", "iban": "PL61 1090 1014 0000 0712 1981 2874"}})
    assert response.status_code == 400
