"""Admin API: users over HTTP, token revocation, the audit log, and the engines listing."""

from __future__ import annotations


def test_admin_creates_a_reviewer_whose_token_works_until_revoked(client, admin_headers):
    response = client.post("/api/v1/users", headers=admin_headers, json={
        "name": "lucia", "role": "reviewer", "languages": ["es", "ca"], "timezone": "Europe/Madrid",
        "shift": "08:00-16:00", "token": True})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["languages"] == ["es", "ca"] and body["token"].startswith("tolk_")
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/reviews", headers=headers).status_code == 200
    assert client.post("/api/v1/users/lucia/revoke", headers=admin_headers).get_json() == {"revoked": 1}
    assert client.get("/api/v1/reviews", headers=headers).status_code == 401
    assert "lucia" in [u["name"] for u in client.get("/api/v1/users", headers=admin_headers).get_json()["users"]]


def test_bad_users_are_refused_and_only_admins_manage_users(client, admin_headers, agent_headers):
    for body in ({"name": "x1", "role": "wizard"}, {"name": "x2", "role": "reviewer"},
                 {"name": "x3", "role": "agent", "languages": [3]}, {"role": "agent"}):
        assert client.post("/api/v1/users", headers=admin_headers, json=body).status_code == 400
    assert client.post("/api/v1/users", headers=agent_headers, json={"name": "x", "role": "admin"}).status_code == 403
    assert client.get("/api/v1/users", headers=agent_headers).status_code == 403
    assert client.get("/api/v1/audit", headers=agent_headers).status_code == 403


def test_audit_log_records_who_did_what(client, admin_headers):
    client.post("/api/v1/users", headers=admin_headers, json={"name": "kim", "role": "editor"})
    client.post("/api/v1/glossaries", headers=admin_headers, json={"name": "brand2", "source_lang": "en"})
    events = client.get("/api/v1/audit?limit=10", headers=admin_headers).get_json()["events"]
    assert [(e["action"], e["object_id"]) for e in events][:2] == [("glossary.created", "brand2"),
                                                                   ("user.created", "kim")]
    only = client.get("/api/v1/audit?action=user.created", headers=admin_headers).get_json()["events"]
    assert [e["object_id"] for e in only] == ["kim"]
    assert client.get("/api/v1/audit?limit=0", headers=admin_headers).status_code == 400


def test_engines_listing(client, agent_headers):
    body = client.get("/api/v1/engines", headers=agent_headers).get_json()
    apertium = next(e for e in body["engines"] if e["engine"] == "apertium")
    assert apertium["configured"] and "en-es" in apertium["pairs"]
    assert body["routes"]["*"] == ["deepl", "google", "apertium"]
