"""Admin API: users over HTTP, token revocation, the audit log, and the engines listing."""

from __future__ import annotations

import ast
import time
from concurrent.futures import ThreadPoolExecutor

from tolk import audit_log


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


# --- pagination, the audit log's detail, editing users, API tokens ----------------------------------


def _audit_events(app, count: int, **fields) -> None:
    from tolk.db import db
    from tolk.models import AuditEvent

    with app.app_context():
        for i in range(count):
            db.session.add(AuditEvent(actor=fields.get("actor", "ada"), action=fields.get("action", "test.event"),
                                      object_type="test", object_id=str(i), detail=fields.get("detail", {"n": i}),
                                      **({"created_at": fields["created_at"]} if "created_at" in fields else {})))
        db.session.commit()


def test_the_audit_log_is_paged_with_a_cursor_and_a_link_to_the_next_page(app, client, admin_headers):
    _audit_events(app, 7)
    seen, url, pages = [], "/api/v1/audit?action=test.event&limit=3", 0
    while url:
        response = client.get(url, headers=admin_headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["events"]) <= 3
        seen += [e["object_id"] for e in body["events"]]
        pages += 1
        if body["next_cursor"]:
            link = response.headers["Link"]
            assert link.endswith('>; rel="next"') and f"cursor={body['next_cursor']}" in link
            assert "action=test.event" in link and "limit=3" in link
            url = link[1:link.index(">")]
        else:
            assert "Link" not in response.headers
            url = None
    assert pages == 3 and seen == [str(i) for i in range(6, -1, -1)]


def test_bad_page_arguments_are_refused_with_a_json_error(client, admin_headers):
    for query in ("cursor=not-a-cursor", "cursor=eyJ4IjogMX0", "limit=1001", "limit=x", "since=yesterday",
                  "since=2026-03-02&until=2026-03-01"):
        response = client.get(f"/api/v1/audit?{query}", headers=admin_headers)
        assert response.status_code == 400, query
        assert response.get_json()["error"]["code"] == "invalid", query


def test_the_audit_log_filters_by_day(app, client, admin_headers):
    import datetime as dt

    _audit_events(app, 2, action="old.event", created_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    _audit_events(app, 1, action="new.event", created_at=dt.datetime(2026, 3, 3, 0, 10, tzinfo=dt.UTC))

    def actions(query):
        return [e["action"] for e in client.get(f"/api/v1/audit?{query}", headers=admin_headers).get_json()["events"]
                if e["object_type"] == "test"]

    assert actions("since=2026-03-01&until=2026-03-01") == ["old.event", "old.event"]
    assert actions("since=2026-03-02") == ["new.event"]
    assert actions("until=2026-03-02") == ["old.event", "old.event"]


def test_audit_detail_is_json_even_for_rows_written_as_a_python_repr(app, client, admin_headers):
    _audit_events(app, 1, action="legacy.repr", detail="{'entries': 3, 'replace': False}")
    _audit_events(app, 1, action="legacy.text", detail="not a mapping")
    client.post("/api/v1/glossaries", headers=admin_headers, json={"name": "brand3", "source_lang": "en"})
    client.post("/api/v1/glossaries/brand3/entries", headers=admin_headers,
                json={"terms": [{"lang": "en", "text": "Acme"}], "do_not_translate": True})
    events = {e["action"]: e for e in client.get("/api/v1/audit", headers=admin_headers).get_json()["events"]}
    assert events["legacy.repr"]["detail"] == {"entries": 3, "replace": False}
    assert events["legacy.text"]["detail"] == {"text": "not a mapping"}
    assert isinstance(events["glossary.entry_added"]["detail"]["entry"], int)


def test_rows_written_as_a_python_repr_are_parsed_one_thread_at_a_time(monkeypatch):
    """CPython 3.11's AST constructor is not thread-safe (python/cpython#106905): a web worker's threads must
    not parse two old rows at once."""
    real, inside, most = ast.literal_eval, [0], [0]

    def slow_literal_eval(text):
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.005)
        inside[0] -= 1
        return real(text)

    monkeypatch.setattr(ast, "literal_eval", slow_literal_eval)
    with ThreadPoolExecutor(8) as pool:
        details = list(pool.map(audit_log.detail_json, [f"{{'entries': {n}}}" for n in range(32)]))
    assert details == [{"entries": n} for n in range(32)]
    assert most[0] == 1


def test_users_are_paged_by_name(client, make_user, admin_headers):
    for name in ("u-c", "u-a", "u-b"):
        make_user("agent", name=name)
    first = client.get("/api/v1/users?limit=2", headers=admin_headers).get_json()
    names = [u["name"] for u in first["users"]]
    assert names == sorted(names) and len(names) == 2 and first["next_cursor"]
    rest = client.get(f"/api/v1/users?limit=500&cursor={first['next_cursor']}", headers=admin_headers).get_json()
    assert rest["next_cursor"] is None and not set(names) & {u["name"] for u in rest["users"]}
    assert {"u-a", "u-b", "u-c"} <= set(names) | {u["name"] for u in rest["users"]}


def test_an_admin_edits_a_user_and_a_deactivated_user_cannot_use_tokens(client, make_user, admin_headers):
    _user, headers = make_user("reviewer", name="maria", languages="es")
    assert client.get("/api/v1/reviews", headers=headers).status_code == 200
    changed = client.patch("/api/v1/users/maria", headers=admin_headers,
                           json={"languages": ["es", "ca"], "shift": "07:00-15:00", "timezone": "Europe/Madrid"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["languages"] == ["es", "ca"] and changed.get_json()["shift_start"] == "07:00"
    refused = client.patch("/api/v1/users/maria", headers=admin_headers, json={"timezone": "Mars/Olympus"})
    assert refused.status_code == 400 and "time zone" in refused.get_json()["error"]["message"]
    assert client.patch("/api/v1/users/maria", headers=admin_headers, json={"role": "wizard"}).status_code == 400
    assert client.patch("/api/v1/users/nobody", headers=admin_headers, json={"active": False}).status_code == 404
    off = client.patch("/api/v1/users/maria", headers=admin_headers, json={"active": False})
    assert off.get_json()["active"] is False and off.get_json()["timezone"] == "Europe/Madrid"
    assert client.get("/api/v1/reviews", headers=headers).status_code == 401
    assert client.patch("/api/v1/users/maria", headers=admin_headers, json={"active": True}).status_code == 200
    assert client.get("/api/v1/reviews", headers=headers).status_code == 200
    events = client.get("/api/v1/audit?action=user.updated", headers=admin_headers).get_json()["events"]
    assert events[0]["detail"] == {"fields": ["active"]} and events[-1]["object_id"] == "maria"


def test_an_admin_cannot_deactivate_themselves(client, make_user):
    _admin, headers = make_user("admin", name="root")
    response = client.patch("/api/v1/users/root", headers=headers, json={"active": False})
    assert response.status_code == 400 and "yourself" in response.get_json()["error"]["message"]
    assert client.patch("/api/v1/users/root", headers=headers, json={"role": "agent"}).status_code == 400
    assert client.get("/api/v1/users", headers=headers).status_code == 200


def test_tokens_are_created_once_listed_by_prefix_and_revoked_one_by_one(client, make_user, admin_headers):
    make_user("agent", name="alex")
    created = client.post("/api/v1/users/alex/tokens", headers=admin_headers)
    assert created.status_code == 201
    token = created.get_json()["token"]
    second = client.post("/api/v1/users/alex/tokens", headers=admin_headers).get_json()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/engines", headers=headers).status_code == 200
    listed = client.get("/api/v1/tokens?user=alex", headers=admin_headers).get_json()
    assert [t["id"] for t in listed["tokens"]][:2] == [second["id"], created.get_json()["id"]]
    assert token not in str(listed) and all(token.startswith(t["prefix"]) or t["id"] != created.get_json()["id"]
                                            for t in listed["tokens"])
    revoked = client.post(f"/api/v1/tokens/{created.get_json()['id']}/revoke", headers=admin_headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert client.get("/api/v1/engines", headers=headers).status_code == 401
    assert client.get("/api/v1/engines", headers={"Authorization": f"Bearer {second['token']}"}).status_code == 200
    again = client.post(f"/api/v1/tokens/{created.get_json()['id']}/revoke", headers=admin_headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    assert client.post("/api/v1/tokens/999999/revoke", headers=admin_headers).status_code == 404
    assert client.post("/api/v1/users/nobody/tokens", headers=admin_headers).status_code == 404
    actions = [e["action"] for e in client.get("/api/v1/audit?object_id=alex", headers=admin_headers).get_json()["events"]]
    assert actions[:3] == ["token.revoked", "token.created", "token.created"]
