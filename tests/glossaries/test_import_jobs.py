"""Large glossary files are imported by a worker: 202 with a job, progress, all or nothing."""

from __future__ import annotations

import pytest

from tests.conftest import run_jobs
from tests.glossaries.test_api import upload


@pytest.fixture
def app_config():
    return {"IMPORT_SYNC_BYTES": 100}


def big_csv(rows: int, bad_line: int | None = None) -> bytes:
    lines = ["en,es,note"]
    for n in range(rows):
        lines.append(f"term {n},término {n},row {n}")
    if bad_line is not None:
        lines[bad_line - 1] = "oops,only two"
    return ("\n".join(lines) + "\n").encode()


def test_large_file_is_queued_and_imported_by_a_worker(app, client, admin_headers):
    response = upload(client, admin_headers, big_csv(2500), "big.csv", name="big")
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["status"] == "queued" and job["kind"] == "glossary"
    assert response.headers["Location"].endswith(f"/api/v1/imports/{job['id']}")
    assert client.get("/api/v1/glossaries/big", headers=admin_headers).status_code == 404
    run_jobs(app)
    done = client.get(f"/api/v1/imports/{job['id']}", headers=admin_headers).get_json()
    assert done["status"] == "done" and done["done"] == done["total"] == 2500
    assert done["result"] == {"glossary": "big", "entries": 2500}
    glossary = client.get("/api/v1/glossaries", headers=admin_headers).get_json()["glossaries"]
    assert [(g["name"], g["entries_count"], g["languages"]) for g in glossary] == [("big", 2500, ["en", "es"])]
    translated = client.post("/api/v1/translate", headers=admin_headers, json={
        "text": "Your term 2499 is here.", "source_lang": "en", "target_lang": "es", "glossary": "big"})
    assert translated.status_code in (200, 422, 503)  # the terms load; engines are not under test here


def test_a_bad_row_fails_the_job_with_its_line_and_stores_nothing(app, client, admin_headers):
    # A file up to IMPORT_SYNC_BYTES is stored within the request.
    assert upload(client, admin_headers, big_csv(3), "small.csv", name="keep").status_code == 201
    before = client.get("/api/v1/glossaries/keep", headers=admin_headers).get_json()["entries"]
    response = upload(client, admin_headers, big_csv(2500, bad_line=2400), "big.csv", name="keep", replace="true")
    assert response.status_code == 202
    job_id = response.get_json()["id"]
    run_jobs(app)
    failed = client.get(f"/api/v1/imports/{job_id}", headers=admin_headers).get_json()
    assert failed["status"] == "failed" and failed["line"] == 2400
    assert "expected 3 columns" in failed["error"] and "line 2400" in failed["error"]
    # The replaced glossary is as it was: the rows stored before the bad line were rolled back.
    assert client.get("/api/v1/glossaries/keep", headers=admin_headers).get_json()["entries"] == before
    names = [g["name"] for g in client.get("/api/v1/glossaries", headers=admin_headers).get_json()["glossaries"]]
    assert names == ["keep"]


def test_refusals_that_need_no_worker_come_at_once(app, client, admin_headers):
    assert upload(client, admin_headers, big_csv(3), "small.csv", name="taken").status_code == 201
    taken = upload(client, admin_headers, big_csv(2500), "big.csv", name="taken")
    assert taken.status_code == 409 and taken.get_json()["error"]["code"]
    bad_name = upload(client, admin_headers, big_csv(2500), "big.csv", name="no spaces allowed")
    assert bad_name.status_code == 400 and "error" in bad_name.get_json()
    missing = client.get("/api/v1/imports/import-nope", headers=admin_headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"]


def test_only_admins_see_import_jobs(app, client, admin_headers, agent_headers):
    job_id = upload(client, admin_headers, big_csv(50), "big.csv", name="mine").get_json()["id"]
    assert client.get(f"/api/v1/imports/{job_id}", headers=agent_headers).status_code == 403


def test_cli_queues_a_file_for_a_worker_or_stores_it_as_it_reads(app, runner, client, admin_headers, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_bytes(big_csv(1200))
    queued = runner.invoke(args=["glossary", "import", str(path), "--name", "queued", "--queue"])
    assert queued.exit_code == 0, queued.output
    job_id = queued.output.split()[-1]
    assert client.get("/api/v1/glossaries/queued", headers=admin_headers).status_code == 404
    run_jobs(app)
    assert client.get(f"/api/v1/imports/{job_id}", headers=admin_headers).get_json()["status"] == "done"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(big_csv(1200, bad_line=1150))
    refused = runner.invoke(args=["glossary", "import", str(bad), "--name", "inline"])
    assert refused.exit_code != 0 and "line 1150" in refused.output
    assert client.get("/api/v1/glossaries/inline", headers=admin_headers).status_code == 404
