"""Large TMX files are imported by a worker: 202 with a job, progress, all or nothing."""

from __future__ import annotations

import pytest

from machinery.tmx import TmxUnit, count_units, write_tmx
from tests.conftest import run_jobs


@pytest.fixture
def app_config():
    return {"IMPORT_SYNC_BYTES": 1000}


def units(count: int) -> list[TmxUnit]:
    return [TmxUnit("en", "es", f"Your order {n} has shipped.", f"Tu pedido {n} ha salido.") for n in range(count)]


def post(client, headers, data: bytes):
    return client.post("/api/v1/tm/import?filename=big.tmx", headers=headers, data=data,
                       content_type="application/xml")


def exported_units(client, headers) -> int:
    return count_units(client.get("/api/v1/tm/export.tmx", headers=headers).data)


def test_large_tmx_is_imported_by_a_worker(app, client, admin_headers):
    response = post(client, admin_headers, write_tmx(units(2500), "en"))
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["kind"] == "tmx" and job["status"] == "queued" and job["total"] == 2500
    assert exported_units(client, admin_headers) == 0
    run_jobs(app)
    done = client.get(f"/api/v1/imports/{job['id']}", headers=admin_headers).get_json()
    assert done["status"] == "done" and done["done"] == done["total"] == 2500
    assert done["result"] == {"imported": 2500}
    assert exported_units(client, admin_headers) == 2500
    lookup = client.get("/api/v1/tm/lookup", headers=admin_headers, query_string={
        "source_lang": "en", "target_lang": "es", "text": "Your order 2499 has shipped."}).get_json()
    assert lookup["exact"]["text"] == "Tu pedido 2499 ha salido."


def test_a_bad_unit_after_many_good_ones_fails_the_job_and_stores_nothing(app, client, admin_headers):
    data = write_tmx(units(2500), "en").replace(b"</body>", b"<tu><tuv><seg>no language</seg></tuv></tu></body>")
    response = post(client, admin_headers, data)
    assert response.status_code == 202
    run_jobs(app)
    failed = client.get(f"/api/v1/imports/{response.get_json()['id']}", headers=admin_headers).get_json()
    assert failed["status"] == "failed" and "without xml:lang" in failed["error"]
    assert failed["line"] and failed["line"] > 10000
    assert exported_units(client, admin_headers) == 0
