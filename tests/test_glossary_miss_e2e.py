"""A translation that misses a glossary term is stored with its finding, never a crash: replies, /translate
and KB articles through the real app, with the demo glossary and Apertium. Exact terms are masked and come
back as the glossary's term, so the misses are inflected forms Apertium translates itself: "orders" comes
out as "órdenes" / "ordenen" (glossary: pedido / comanda), "refunded" as "*refunded" (glossary: reembolso)."""

from __future__ import annotations

import pytest

from tests.conftest import run_jobs
from tolk.db import db


@pytest.fixture
def glossary(app):
    """The demo `brand` glossary, which replies and KB translations enforce by default."""
    from glossaries.demo import seed_demo_glossary

    with app.app_context():
        seed_demo_glossary(db.session)
        db.session.commit()
    return app


def missed(findings: list[dict], expected: str) -> list[dict]:
    """The glossary findings that report a source term not translated as ``expected``."""
    return [f for f in findings if f["check"] == "glossary_term" and f["data"]["expected"] == expected]


@pytest.mark.parametrize(("text", "engine_word", "term", "expected"), [
    ("Your orders were cancelled.", "órdenes", "orders", "pedido"),
    ("Your order was refunded.", "refunded", "refunded", "reembolso"),
])
def test_reply_missing_a_glossary_term_is_stored_with_the_finding(glossary, client, agent_headers, text,
                                                                    engine_word, term, expected):
    response = client.post("/api/v1/replies", headers=agent_headers, json={
        "text": text, "ticket_ref": "T-7", "channel": "email", "customer_locale": "es"})

    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert reply["engine"] == "apertium"
    assert engine_word in reply["translated_text"] and expected not in reply["translated_text"]
    (finding,) = missed(reply["findings"], expected)
    assert (finding["severity"], finding["category"], finding["data"]["term"]) == ("major", "terminology", term)
    assert expected in finding["message"]
    stored = client.get(f"/api/v1/replies/{reply['id']}", headers=agent_headers)
    assert stored.status_code == 200
    assert stored.get_json()["findings"] == reply["findings"]
    assert stored.get_json()["translated_text"] == reply["translated_text"]


def test_translate_reports_a_missed_glossary_term_among_the_findings(glossary, client, agent_headers):
    response = client.post("/api/v1/translate", headers=agent_headers, json={
        "text": "Where are my orders?", "source_lang": "en", "target_lang": "es", "glossary": "brand"})

    assert response.status_code == 200, response.get_json()
    (item,) = response.get_json()["translations"]
    assert item["engine"] == "apertium" and "órdenes" in item["text"]
    (finding,) = missed(item["findings"], "pedido")
    assert item["term_findings"] == [finding]


def test_kb_translation_missing_a_glossary_term_stores_the_locale_with_its_finding(glossary, client, make_user):
    editor = make_user("editor")[1]
    response = client.post("/api/v1/articles", headers=editor, json={
        "slug": "orders", "title": "Shipping times", "format": "html", "source_locale": "en", "critical": False,
        "body": "<p>We ship all orders within two days.</p><p>Parcels usually arrive within a week.</p>",
        "target_locales": ["es", "ca"], "publishing_policy": "auto"})
    assert response.status_code == 201, response.get_json()
    jobs = client.post("/api/v1/articles/orders/translate", headers=editor).get_json()["jobs"]

    run_jobs(glossary)

    for job in jobs:
        shown = client.get(f"/api/v1/jobs/{job['id']}", headers=editor).get_json()
        assert (shown["status"], shown["error"]) == ("done", None), shown
    locales = client.get("/api/v1/articles/orders", headers=editor).get_json()["locales"]
    for locale, expected in (("es", "pedido"), ("ca", "comanda")):
        row = locales[locale]
        assert row["state"] == "published", row
        assert expected not in row["draft_html"]
        (finding,) = missed(row["findings"], expected)
        assert (finding["segment"], finding["data"]["term"]) == (0, "orders")
