"""The first translation after a glossary is saved and its job ran reads the version's snapshot and checkers
from the shared store: it queries no terms and compiles nothing; and never uses an older version than the
last save, in this process or another (issue #16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import event

from glossaries import compiled, snapshot, verify
from tests.conftest import ROOT, run_jobs
from tests.glossaries.test_checkers import BODY, another_process, translate, upload
from tolk.db import db

FINDING_BODY = {**BODY, "text": "Your refund and your order."}


def sql_during(app, action) -> list[str]:
    """The SQL statements run while ``action()`` runs."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return statements


def terms(response: dict) -> list[tuple[str, dict]]:
    """What the term findings of a translation say, without where."""
    return [(f["check"], f["data"]) for item in response["translations"] for f in item["term_findings"]]


def translated(client, headers, text: str) -> str:
    """The translation of ``text`` (a text of its own: not answered from the translation memory)."""
    response = client.post("/api/v1/translate", headers=headers, json={**BODY, "text": text})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["translations"][0]["text"]


def change_order(client, headers, spanish: str) -> None:
    """Save the entry of "order" with a new Spanish term (a new glossary version)."""
    entries = client.get("/api/v1/glossaries/support", headers=headers).get_json()["entries"]
    order = next(e for e in entries if any(t["text"] == "order" for t in e["terms"]))
    changed = client.put(f"/api/v1/glossaries/support/entries/{order['id']}", headers=headers,
                         json={"terms": [{"lang": "en", "text": "order"}, {"lang": "es", "text": spanish}]})
    assert changed.status_code == 200, changed.get_json()


def test_the_first_translation_after_the_job_reads_no_terms_and_builds_nothing(app, client, admin_headers,
                                                                               agent_headers):
    upload(client, admin_headers)
    run_jobs(app)
    another_process()
    builds, loads = verify.BUILDS.copy(), snapshot.LOADS.copy()
    items: list[dict] = []
    statements = sql_during(app, lambda: items.append(translate(client, agent_headers)))
    assert builds == verify.BUILDS
    assert snapshot.LOADS["store"] == loads["store"] + 1 and snapshot.LOADS["database"] == loads["database"]
    assert not [s for s in statements if "glossary_terms" in s or "glossary_concepts" in s], statements
    assert "reembolso" in items[0]["text"] and "pedido" in items[0]["text"]


def test_what_is_loaded_from_the_store_translates_and_checks_as_what_is_built(app, client, admin_headers,
                                                                              agent_headers, monkeypatch):
    upload(client, admin_headers)
    run_jobs(app)
    another_process()
    loaded = client.post("/api/v1/translate", headers=agent_headers, json=FINDING_BODY).get_json()
    with app.app_context():
        termbase = snapshot.load_snapshot(db.session, "support")
        # The engine's entries came with the snapshot: nothing derived again in this process.
        assert ("pair_entries", "en", "es") in termbase.derived_items()
        findings = verify.checker(termbase, "en", "es").check("The refund", "La devolución de dinero")
    another_process()
    monkeypatch.setattr(compiled, "_paused_until", float("inf"))  # the store unavailable: built here
    builds = verify.BUILDS["pair"]
    # Another text (the first one's translation is in the memory now), with the same terms.
    built = client.post("/api/v1/translate", headers=agent_headers,
                        json={**FINDING_BODY, "text": "Your refund and your order today."}).get_json()
    assert verify.BUILDS["pair"] == builds + 1
    assert terms(loaded) == terms(built)
    for response in (loaded, built):
        assert all(w in response["translations"][0]["text"] for w in ("reembolso", "pedido")), response
    with app.app_context():
        termbase = snapshot.load_snapshot(db.session, "support")
        assert verify.checker(termbase, "en", "es").check("The refund", "La devolución de dinero") == findings
    assert any(f.check == verify.FORBIDDEN_TERM for f in findings)


def test_a_snapshot_kept_in_another_shape_is_not_used(app, client, admin_headers, agent_headers, monkeypatch):
    upload(client, admin_headers)
    run_jobs(app)
    another_process()
    monkeypatch.setattr(snapshot, "_SHAPE", (("lang", "text"), ("id",)))  # terms as an older release wrote them
    loads = snapshot.LOADS["database"]
    item = translate(client, agent_headers)
    assert snapshot.LOADS["database"] == loads + 1
    assert "reembolso" in item["text"]


def other_process(app) -> dict:
    """What a separate process (its own caches, the same database and Redis) loads for glossary "support"."""
    script = (
        "import json\n"
        "from glossaries import snapshot, verify\n"
        "from tolk import create_app\n"
        "from tolk.db import db\n"
        "app = create_app(web=False)\n"
        "with app.app_context():\n"
        "    termbase = snapshot.load_snapshot(db.session, 'support')\n"
        "    found = verify.checker(termbase, 'en', 'es').check('The order', 'El pedido')\n"
        "    print(json.dumps({'entries': termbase.pair_entries('en', 'es'), 'loads': dict(snapshot.LOADS),\n"
        "                      'builds': sum(verify.BUILDS.values()), 'findings': [f.to_dict() for f in found]}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOLK_")}
    env.update({"TOLK_DATABASE_URL": app.config["DATABASE_URL"], "TOLK_REDIS_URL": app.config["REDIS_URL"],
                "TOLK_QUEUE_NAME": app.config["QUEUE_NAME"], "TOLK_SECRET_KEY": "test-secret"})
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_saves_in_a_row_never_leave_a_stale_version_in_either_process(app, client, admin_headers,
                                                                         agent_headers):
    upload(client, admin_headers)
    run_jobs(app)
    # This process now holds the first version.
    assert "pedido" in translated(client, agent_headers, "Your order 1 is on its way.")
    change_order(client, admin_headers, "encargo")
    run_jobs(app)  # the second version is in the store
    change_order(client, admin_headers, "mandado")  # the third is saved; its job has not run yet
    item = translated(client, agent_headers, "Your order 2 is on its way.")
    assert "mandado" in item and "encargo" not in item
    other = other_process(app)
    assert other["entries"]["order"] == "mandado" and other["loads"] == {"database": 1}
    # "pedido" is no longer the glossary's term: the checker of the third version says so.
    assert [f["data"]["expected"] for f in other["findings"]] == ["mandado"]
    run_jobs(app)
    another_process()
    builds = verify.BUILDS.copy()
    item = translated(client, agent_headers, "Your order 3 is on its way.")
    assert "mandado" in item and builds == verify.BUILDS
    other = other_process(app)
    assert other["entries"]["order"] == "mandado" and other["loads"] == {"store": 1} and other["builds"] == 0
