"""Glossary API and CLI, and glossaries enforced in translation through every engine."""

from __future__ import annotations

import io

import pytest

CSV = "en,es,pl,forbidden:es\nrefund,reembolso,zwrot,devolución de dinero\norder,pedido,zamówienie,\n".encode()
TBX_BAD = b'<?xml version="1.0"?>\n<tbx type="TBX-Basic" xmlns="urn:iso:std:iso:30042:ed-2">\n<text><body>\n<conceptEntry id="c1">\n</body></text></tbx>\n'


def upload(client, headers, data, filename, **form):
    return client.post("/api/v1/glossaries/import", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename), **form})


def test_import_export_round_trip_through_the_api(client, admin_headers, agent_headers):
    response = upload(client, admin_headers, CSV, "support.csv", name="support")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["entries_count"] == 2
    tbx = client.get("/api/v1/glossaries/support/export?format=tbx", headers=agent_headers)
    assert tbx.status_code == 200 and b"<tbx" in tbx.data
    again = upload(client, admin_headers, tbx.data, "again.tbx", name="again")
    assert again.status_code == 201
    first = client.get("/api/v1/glossaries/support", headers=agent_headers).get_json()["entries"]
    second = client.get("/api/v1/glossaries/again", headers=agent_headers).get_json()["entries"]
    strip = [[(t["lang"], t["text"], t["status"]) for t in e["terms"]] for e in first]
    assert strip == [[(t["lang"], t["text"], t["status"]) for t in e["terms"]] for e in second]


def test_invalid_file_is_refused_with_its_line_and_nothing_is_stored(client, admin_headers):
    response = upload(client, admin_headers, TBX_BAD, "bad.tbx", name="bad")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_file" and "line" in error["message"]
    assert client.get("/api/v1/glossaries/bad", headers=admin_headers).status_code == 404


def test_only_admins_change_glossaries(client, agent_headers, make_user):
    assert upload(client, agent_headers, CSV, "x.csv", name="x").status_code == 403
    _reviewer, headers = make_user("reviewer", "es")
    assert client.post("/api/v1/glossaries", headers=headers, json={"name": "g", "source_lang": "en"}).status_code == 403
    assert client.get("/api/v1/glossaries", headers=headers).status_code == 200


def test_entries_are_added_updated_and_deleted(client, admin_headers):
    assert client.post("/api/v1/glossaries", headers=admin_headers,
                       json={"name": "brand2", "source_lang": "en"}).status_code == 201
    entry = {"terms": [{"lang": "en", "text": "Tolk Cloud"}], "do_not_translate": True}
    created = client.post("/api/v1/glossaries/brand2/entries", headers=admin_headers, json=entry)
    assert created.status_code == 201
    entry_id = created.get_json()["id"]
    bad = client.post("/api/v1/glossaries/brand2/entries", headers=admin_headers,
                      json={"terms": [{"lang": "xx", "text": "?"}]})
    assert bad.status_code == 400 and "xx" in bad.get_json()["error"]["message"]
    updated = client.put(f"/api/v1/glossaries/brand2/entries/{entry_id}", headers=admin_headers,
                         json={"terms": [{"lang": "en", "text": "Tolk Cloud"}, {"lang": "es", "text": "Tolk Cloud"}]})
    assert updated.status_code == 200 and len(updated.get_json()["terms"]) == 2
    assert client.delete(f"/api/v1/glossaries/brand2/entries/{entry_id}", headers=admin_headers).status_code == 204
    assert client.get("/api/v1/glossaries/brand2", headers=admin_headers).get_json()["entries"] == []


@pytest.mark.parametrize("entry", [
    {"terms": [{"lang": "en", "text": "Visa"}]},  # no translation and not marked do-not-translate
    {"terms": [{"lang": "en", "text": "Visa"}, {"lang": "spanish", "text": "Visa"}]},  # not a language tag
    {"terms": [{"lang": "en", "text": "Visa"}, {"lang": "es", "text": "  "}]},  # an empty target term
])
def test_an_entry_that_does_not_say_how_to_translate_is_refused_and_nothing_stored(client, admin_headers, entry):
    assert client.post("/api/v1/glossaries", headers=admin_headers,
                       json={"name": "cards", "source_lang": "en"}).status_code == 201
    refused = client.post("/api/v1/glossaries/cards/entries", headers=admin_headers, json=entry)
    assert refused.status_code == 400, refused.get_json()
    assert client.get("/api/v1/glossaries/cards/entries", headers=admin_headers).get_json()["entries"] == []


def test_cli_import_export_and_refusal(runner, tmp_path):
    good = tmp_path / "support.csv"
    good.write_bytes(CSV)
    result = runner.invoke(args=["glossary", "import", str(good), "--name", "support"])
    assert result.exit_code == 0 and "2 entries" in result.output
    out = tmp_path / "support.tbx"
    assert runner.invoke(args=["glossary", "export", "support", "--format", "tbx", "--output", str(out)]).exit_code == 0
    assert b"reembolso" in out.read_bytes()
    bad = tmp_path / "bad.tbx"
    bad.write_bytes(TBX_BAD)
    result = runner.invoke(args=["glossary", "import", str(bad)])
    assert result.exit_code != 0 and "line" in result.output
    assert "bad" not in runner.invoke(args=["glossary", "list"]).output


@pytest.fixture
def brand(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0


def test_apertium_masks_terms_and_returns_the_glossary_translation(client, agent_headers, brand):
    body = {"text": "Your Tolk Pro refund is ready.", "source_lang": "en", "target_lang": "es", "glossary": "brand"}
    item = client.post("/api/v1/translate", headers=agent_headers, json=body).get_json()["translations"][0]
    assert item["engine"] == "apertium"
    assert "Tolk Pro" in item["text"] and "reembolso" in item["text"]
    assert item["term_findings"] == []


def test_demo_glossary_flags_changed_brand_names_and_forbidden_variants():
    from glossaries.demo import demo_termbase
    from glossaries.verify import verify_terms

    findings = verify_terms("Your Tolk Pro refund", "Su devolución de dinero de Tolk Premium", demo_termbase(),
                            "en", "es")
    assert {f.check for f in findings} >= {"do_not_translate", "forbidden_term"}


@pytest.fixture
def app_config(request):
    if "deepl_settings" in request.fixturenames:
        return {**request.getfixturevalue("deepl_settings"), "ENGINE_ROUTES": "*=deepl"}
    return {}


def test_deepl_gets_a_native_glossary_uploaded_once(client, agent_headers, brand, deepl_settings, deepl_fake):
    body = {"texts": ["Your refund is ready.", "Where is your order?"], "source_lang": "en", "target_lang": "pl",
            "glossary": "brand"}
    first = client.post("/api/v1/translate", headers=agent_headers, json=body).get_json()["translations"]
    assert all(t["engine"] == "deepl" for t in first)
    body["texts"] = ["A new refund sentence."]
    client.post("/api/v1/translate", headers=agent_headers, json=body)
    created = [r for r in deepl_fake.requests if r.method == "POST" and "glossaries" in r.path]
    assert len(created) == 1
    translate_requests = deepl_fake.requests_to("/v2/translate")
    assert all("glossary_id" in r.raw.decode() for r in translate_requests)
