"""The term search of a glossary's entries: a prefix of any term, in any case and any language, found through
the indexed search form (set by every way terms are stored, and by migration 0022 for terms stored before)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from alembic import command

from glossaries import listing
from glossaries.models import search_form
from tolk.db import alembic_config

CSV = ("en,de,es\n"
       "refund,Rückerstattung,reembolso\n"
       "partial refund,Teilerstattung,reembolso parcial\n"
       "street address,Straße,dirección\n"
       "100% cotton,100% Baumwolle,100% algodón\n"
       "user_name,Benutzername,nombre_de_usuario\n").encode()


def found(client, headers, term: str) -> list[str]:
    response = client.get("/api/v1/glossaries/support/entries", headers=headers, query_string={"term": term})
    assert response.status_code == 200, response.get_json()
    return [next(t["text"] for t in e["terms"] if t["lang"] == "en") for e in response.get_json()["entries"]]


def imported(client, headers) -> None:
    response = client.post("/api/v1/glossaries/import", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(CSV), "support.csv"), "name": "support"})
    assert response.status_code == 201, response.get_json()


def test_a_search_finds_entries_with_a_term_starting_with_it_in_any_language_and_case(client, admin_headers):
    imported(client, admin_headers)
    assert found(client, admin_headers, "refund") == ["refund"]
    assert found(client, admin_headers, "REEMB") == ["refund", "partial refund"]
    assert found(client, admin_headers, "rückerst") == ["refund"]  # case folded beyond ASCII
    assert found(client, admin_headers, "STRASSE") == ["street address"]  # "ß" folds to "ss"
    assert found(client, admin_headers, "partial   refund") == ["partial refund"]  # white space as one space
    assert found(client, admin_headers, "fund") == []  # inside a term, not at its start
    assert found(client, admin_headers, "zzz") == []


def test_percent_and_underscore_are_characters_not_wildcards(client, admin_headers):
    imported(client, admin_headers)
    assert found(client, admin_headers, "100%") == ["100% cotton"]
    assert found(client, admin_headers, "%") == []
    assert found(client, admin_headers, "user_") == ["user_name"]
    assert found(client, admin_headers, "_") == []


def test_entries_added_one_by_one_are_found_too(client, admin_headers):
    assert client.post("/api/v1/glossaries", headers=admin_headers,
                       json={"name": "support", "source_lang": "en"}).status_code == 201
    entry = {"terms": [{"lang": "en", "text": "Gift Card"}, {"lang": "es", "text": "Tarjeta Regalo"}]}
    created = client.post("/api/v1/glossaries/support/entries", headers=admin_headers, json=entry)
    assert created.status_code == 201
    assert found(client, admin_headers, "tarjeta r") == ["Gift Card"]
    entry_id = created.get_json()["id"]
    changed = {"terms": [{"lang": "en", "text": "Voucher"}, {"lang": "es", "text": "Vale"}]}
    assert client.put(f"/api/v1/glossaries/support/entries/{entry_id}", headers=admin_headers,
                      json=changed).status_code == 200
    assert found(client, admin_headers, "gift") == []
    assert found(client, admin_headers, "VALE") == ["Voucher"]


def test_a_search_too_long_is_refused(client, admin_headers):
    imported(client, admin_headers)
    response = client.get("/api/v1/glossaries/support/entries", headers=admin_headers,
                          query_string={"term": "x" * 256})
    assert response.status_code == 400 and response.get_json()["error"]["message"]


def test_the_migration_fills_the_search_form_of_terms_stored_before_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(alembic_config(url), "0018")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO glossaries (id, name, description, source_lang, version, created_at, "
                             "updated_at) VALUES (1, 'g', '', 'en', 1, '2026-01-01', '2026-01-01')"))
        conn.execute(sa.text("INSERT INTO glossary_concepts (id, glossary_id, do_not_translate) VALUES (1, 1, 0)"))
        conn.execute(sa.text("INSERT INTO glossary_terms (id, concept_id, lang, text, case_sensitive, status) "
                             "VALUES (1, 1, 'de', 'Straße  Nord', 0, 'preferred')"))
    command.upgrade(alembic_config(url), "0022")
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT search_text FROM glossary_terms WHERE id = 1")) == "strasse nord"
    engine.dispose()
    assert search_form("Straße  Nord") == "strasse nord"


def test_a_search_matching_very_many_terms_walks_the_entries_and_finds_the_same(client, admin_headers, monkeypatch):
    imported(client, admin_headers)
    monkeypatch.setattr(listing, "_FEW_MATCHES", 1)  # every search here counts as matching very many terms
    assert found(client, admin_headers, "REEMB") == ["refund", "partial refund"]
    assert found(client, admin_headers, "STRASSE") == ["street address"]
    assert found(client, admin_headers, "100%") == ["100% cotton"]
    assert found(client, admin_headers, "zzz") == []
