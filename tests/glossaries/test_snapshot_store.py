"""A glossary version's snapshot kept in the shared store by the job: the same termbase as the one read from the
database, its concepts made into objects only when asked for."""

from __future__ import annotations

import io

from glossaries import compiled, snapshot
from glossaries.snapshot import StoredConcepts
from tests.conftest import run_jobs
from tests.glossaries.test_checkers import another_process
from tolk.db import db

ROWS = 60
CSV = ("en,es,pl,forbidden:es\nrefund,reembolso,zwrot,devolución de dinero\n"
       + "".join(f"wireless code {n},código inalámbrico {n},kod {n},\n" for n in range(ROWS))).encode()


def upload(client, headers) -> None:
    response = client.post("/api/v1/glossaries/import", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(CSV), "support.csv"), "name": "support"})
    assert response.status_code == 201, response.get_json()


def test_the_stored_snapshot_is_the_termbase_read_from_the_database(app, client, admin_headers, monkeypatch):
    upload(client, admin_headers)
    run_jobs(app)
    another_process()
    with app.app_context():
        stored = snapshot.load_snapshot(db.session, "support")
        assert isinstance(stored.concepts, StoredConcepts) and stored.concepts.made() == 0
        entries = stored.pair_entries("en", "es")  # kept with the snapshot: no concept made for it
        assert stored.concepts.made() == 0
        forbidden, checksum = stored.forbidden_terms("es"), stored.checksum("en", "es")
        another_process()
        monkeypatch.setattr(compiled, "_paused_until", float("inf"))  # the store unavailable: read from the database
        read = snapshot.load_snapshot(db.session, "support")
    assert not isinstance(read.concepts, StoredConcepts)
    assert stored.revision == read.revision
    assert len(stored.concepts) == len(read.concepts) == ROWS + 1
    assert stored.concepts[1:3] == read.concepts[1:3] and stored.concepts[-1] == read.concepts[-1]
    assert stored == read and read.concepts == stored.concepts
    assert (entries, forbidden, checksum) == (read.pair_entries("en", "es"), read.forbidden_terms("es"),
                                              read.checksum("en", "es"))
    assert stored.languages() == read.languages() == ["en", "es", "pl"]
    assert sorted(t.status for t in stored.concepts[0].terms) == ["forbidden", "preferred", "preferred", "preferred"]


def test_a_translation_makes_only_the_concepts_its_text_has_terms_of(app, client, admin_headers, agent_headers):
    upload(client, admin_headers)
    run_jobs(app)
    another_process()
    response = client.post("/api/v1/translate", headers=agent_headers, json={
        "text": "Your refund and the wireless code 7.", "source_lang": "en", "target_lang": "es",
        "glossary": "support"})
    assert response.status_code == 200, response.get_json()
    assert "reembolso" in response.get_json()["translations"][0]["text"]
    with app.app_context():
        concepts = snapshot.load_snapshot(db.session, "support").concepts
    assert isinstance(concepts, StoredConcepts)
    assert 1 <= concepts.made() <= 3 < ROWS
