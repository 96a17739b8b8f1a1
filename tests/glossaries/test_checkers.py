"""Term checkers built when a glossary is saved (a queued job), so the first translation that uses a new glossary
version loads them instead of compiling; without the job, a translation still builds them itself."""

from __future__ import annotations

import io

from redis import Redis

from glossaries import checkers, compiled, snapshot, verify
from glossaries.checker_jobs import warm_glossary_job
from tests.conftest import run_jobs
from tolk.queue import queue

CSV = "en,es,forbidden:es\nrefund,reembolso,devolución de dinero\norder,pedido,\n".encode()
BODY = {"text": "Your refund for the order is ready.", "source_lang": "en", "target_lang": "es", "glossary": "support"}


def upload(client, headers) -> None:
    response = client.post("/api/v1/glossaries/import", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(CSV), "support.csv"), "name": "support"})
    assert response.status_code == 201, response.get_json()


def another_process() -> None:
    """Forget what this process compiled and loaded, as a web or worker process that did not build them."""
    with verify._cache_lock:
        verify._cache.clear()
    snapshot.clear()


def translate(client, headers) -> dict:
    response = client.post("/api/v1/translate", headers=headers, json=BODY)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["translations"][0]


def test_saving_a_glossary_queues_the_build_and_the_first_translation_builds_nothing(app, client, admin_headers,
                                                                                     agent_headers):
    upload(client, admin_headers)
    with app.app_context():
        assert any(job.func_name == checkers.JOB for job in queue().jobs)
    run_jobs(app)
    another_process()
    before = verify.BUILDS.copy()
    item = translate(client, agent_headers)
    assert before == verify.BUILDS
    assert "reembolso" in item["text"]


def test_a_changed_entry_builds_the_new_version_ahead_too(app, client, admin_headers, agent_headers):
    upload(client, admin_headers)
    run_jobs(app)
    entries = client.get("/api/v1/glossaries/support", headers=admin_headers).get_json()["entries"]
    order = next(e for e in entries if any(t["text"] == "order" for t in e["terms"]))
    changed = client.put(f"/api/v1/glossaries/support/entries/{order['id']}", headers=admin_headers,
                         json={"terms": [{"lang": "en", "text": "order"}, {"lang": "es", "text": "encargo"}]})
    assert changed.status_code == 200
    run_jobs(app)
    another_process()
    before = verify.BUILDS.copy()
    item = translate(client, agent_headers)
    assert before == verify.BUILDS
    assert "encargo" in item["text"]


def test_without_the_job_the_translation_builds_what_it_needs(app, client, admin_headers, agent_headers):
    upload(client, admin_headers)
    another_process()
    before = verify.BUILDS["pair"]
    item = translate(client, agent_headers)
    assert verify.BUILDS["pair"] == before + 1
    assert "reembolso" in item["text"]


def test_a_refused_change_queues_nothing(app, client, admin_headers):
    upload(client, admin_headers)
    run_jobs(app)
    bad = client.post("/api/v1/glossaries/support/entries", headers=admin_headers,
                      json={"terms": [{"lang": "xx", "text": "?"}]})
    assert bad.status_code == 400
    with app.app_context():
        assert not any(job.func_name == checkers.JOB for job in queue().jobs)


def test_the_job_for_a_glossary_deleted_since_does_nothing(app):
    with app.app_context():
        assert warm_glossary_job("gone") == 0


def test_with_redis_away_matchers_are_built_in_the_process(app, monkeypatch, client, admin_headers, agent_headers):
    upload(client, admin_headers)
    another_process()
    monkeypatch.setitem(app.extensions, "tolk.redis", Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1))
    monkeypatch.setattr(compiled, "_paused_until", 0.0)
    before = verify.BUILDS["pair"]
    item = translate(client, agent_headers)
    assert verify.BUILDS["pair"] == before + 1 and "reembolso" in item["text"]


def test_a_checker_kept_in_the_store_checks_as_the_one_built() -> None:
    import pickle

    from glossaries.terms import Concept, Term, Termbase

    termbase = Termbase(name="t", source_lang="en", concepts=[
        Concept([Term("en", "wireless order"), Term("es", "pedido inalámbrico")]),
        Concept([Term("en", "refund"), Term("es", "reembolso"), Term("es", "devolución", status="forbidden")])])
    built = verify.TermChecker(termbase, "en", "es")
    loaded = pickle.loads(pickle.dumps(built)).attach(termbase.concepts)  # noqa: S301 - our own object
    for source, target in [("The wireless orders and a refund", "Los pedidos inalámbricos y una devolución"),
                           ("Refunds", "Reembolsos")]:
        assert loaded.check(source, target) == built.check(source, target)
    assert built.check("The wireless orders and a refund", "Los pedidos y una devolución")
