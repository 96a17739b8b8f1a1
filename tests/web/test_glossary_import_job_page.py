"""The admin import form hands a large glossary file to a worker and says so; nothing is stored until it ends."""

from __future__ import annotations

import io

import pytest

from tests.conftest import run_jobs
from tests.web.forms import post, sign_in, text_of


@pytest.fixture
def app_config():
    return {"IMPORT_SYNC_BYTES": 100}


def test_large_upload_is_queued_then_imported(app, client, person):
    person("admin", "ada", "en")
    sign_in(client, "ada")
    data = ("en,es\n" + "".join(f"term {n},término {n}\n" for n in range(300))).encode()
    response = post(client, "/admin/glossaries/import", {"file": (io.BytesIO(data), "big.csv"), "name": "big"},
                    content_type="multipart/form-data")
    assert response.status_code == 303 and response.location == "/admin/glossaries"
    assert "being imported by a worker" in text_of(client.get(response.location))
    assert client.get("/admin/glossaries/big").status_code == 404
    run_jobs(app)
    # The page shows the first page of entries; the last one is found by its term.
    assert "término 299" in text_of(client.get("/admin/glossaries/big?term=term 299"))
