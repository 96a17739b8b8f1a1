"""Glossaries loaded for translation: one snapshot per version, reloaded after every change."""

from __future__ import annotations

from sqlalchemy import event

from glossaries.store import add_concept, concept_from_dict, find_glossary, glossary_to_dict, load_termbase
from tests.glossaries.test_api import CSV, upload
from tolk.db import db


def test_same_version_is_loaded_once_and_a_change_reloads_it(app, client, admin_headers):
    assert upload(client, admin_headers, CSV, "support.csv", name="support").status_code == 201
    with app.app_context():
        first = load_termbase(db.session, "support")
        assert load_termbase(db.session, "support") is first
        entries = first.pair_entries("en", "es")
        assert entries == {"refund": "reembolso", "order": "pedido"}
        assert first.pair_entries("en", "es") is entries  # derived once per version
        assert first.forbidden_terms("es") == ("devolución de dinero",)
        add_concept(db.session, find_glossary(db.session, "support"),
                    concept_from_dict({"terms": [{"lang": "en", "text": "invoice"}, {"lang": "es", "text": "factura"}]}))
        db.session.commit()
        second = load_termbase(db.session, "support")
        assert second is not first
        assert second.pair_entries("en", "es")["invoice"] == "factura"


def test_listing_glossaries_counts_entries_without_loading_them(app, client, admin_headers):
    assert upload(client, admin_headers, CSV, "support.csv", name="support").status_code == 201
    with app.app_context():
        statements: list[str] = []
        engine = db.session.get_bind()
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        try:
            body = glossary_to_dict(find_glossary(db.session, "support"))
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert body["entries_count"] == 2 and body["languages"] == ["en", "es", "pl"]
        touching = [s for s in statements if "glossary_concepts" in s or "glossary_terms" in s]
        assert touching and all("count(" in s or "min(" in s for s in touching), touching
