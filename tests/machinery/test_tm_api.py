"""Translation memory over HTTP and the CLI: TMX import/export, lookups; findings in /translate."""

from __future__ import annotations

import io

from tests.conftest import FIXTURES

TMX = FIXTURES / "tmx" / "standard.tmx"
BAD_TMX = b'<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en">'


def test_tmx_import_then_lookup_and_export(client, admin_headers, agent_headers):
    response = client.post("/api/v1/tm/import", headers=admin_headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(TMX.read_bytes()), "standard.tmx")})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["imported"] > 0
    exported = client.get("/api/v1/tm/export.tmx", headers=admin_headers)
    assert exported.status_code == 200 and b"<tmx" in exported.data and b"<tu" in exported.data


def test_malformed_tmx_is_refused_and_nothing_stored(client, admin_headers):
    response = client.post("/api/v1/tm/import", headers=admin_headers, data=BAD_TMX,
                           content_type="application/xml")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_file"
    exported = client.get("/api/v1/tm/export.tmx", headers=admin_headers)
    assert b"<tu" not in exported.data


def test_lookup_returns_exact_and_fuzzy_matches(client, agent_headers):
    body = {"text": "Your parcel is on its way.", "source_lang": "en", "target_lang": "es"}
    client.post("/api/v1/translate", headers=agent_headers, json=body)
    found = client.get("/api/v1/tm/lookup", headers=agent_headers, query_string={
        "text": "Your parcel is on its way!", "source_lang": "en", "target_lang": "es"}).get_json()
    assert found["exact"] is None
    (match,) = found["fuzzy"]
    assert match["source"] == "Your parcel is on its way." and 90 <= match["score"] < 100
    bad = client.get("/api/v1/tm/lookup", headers=agent_headers, query_string={"text": "x", "source_lang": "en"})
    assert bad.status_code == 400


def test_only_admins_import_and_agents_cannot_export(client, agent_headers):
    assert client.post("/api/v1/tm/import", headers=agent_headers, data=b"<tmx/>").status_code == 403
    assert client.get("/api/v1/tm/export.tmx", headers=agent_headers).status_code == 403


def test_cli_import_export_and_refusal(runner, tmp_path):
    result = runner.invoke(args=["tm", "import", str(TMX)])
    assert result.exit_code == 0 and "imported" in result.output
    out = tmp_path / "out.tmx"
    assert runner.invoke(args=["tm", "export", "--output", str(out)]).exit_code == 0
    assert b"<tu" in out.read_bytes()
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(BAD_TMX)
    result = runner.invoke(args=["tm", "import", str(bad)])
    assert result.exit_code != 0 and "line" in result.output


def test_translate_reports_automatic_check_findings(client, agent_headers):
    body = {"texts": ["Your refund of 120 EUR was sent.", "Thanks for waiting."], "source_lang": "en",
            "target_lang": "es"}
    items = client.post("/api/v1/translate", headers=agent_headers, json=body).get_json()["translations"]
    assert all(isinstance(i["findings"], list) for i in items)
    from machinery.api import check_findings

    findings = check_findings("Pay {amount} by 2026-12-03.", "Pague antes.", "en", "es", "text")
    assert {"placeholders", "dates"} <= {f["check"] for f in findings}
    assert all(f["severity"] == "critical" for f in findings if f["check"] in ("placeholders", "dates"))
