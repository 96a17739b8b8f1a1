"""Permission matrix: every /api/ endpoint called by every role, against an explicit table of outcomes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from tests.factories import ALWAYS_ON, ok, seed_world

ROLES = ("anonymous", "agent", "reviewer_es", "reviewer_pl", "editor", "admin")
ANYONE = frozenset(ROLES)
SIGNED_IN = ANYONE - {"anonymous"}
ADMIN = frozenset({"admin"})
STAFF = frozenset({"editor", "admin"})
AGENTS = frozenset({"agent", "admin"})
REVIEWERS_ES = frozenset({"reviewer_es", "admin"})
# Reviewers act on their own languages only: the world's reply, review item and locale are Spanish.
QUALITY_ES = frozenset({"editor", "reviewer_es", "admin"})
CSV = b"en,es\nrefund,reembolso\n"
TMX = (b'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n<header creationtool="t" '
       b'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext" srclang="en"/>\n'
       b'<body><tu><tuv xml:lang="en"><seg>Thank you.</seg></tuv><tuv xml:lang="es"><seg>Gracias.</seg></tuv></tu>'
       b'</body>\n</tmx>\n')


@dataclass(frozen=True)
class Call:
    """One endpoint called with a minimal valid request, and the roles that may make it."""

    method: str
    rule: str  # the Flask rule, as in app.url_map
    path: str  # the URL, with {placeholders} filled from the world
    allowed: frozenset[str]
    json: Any = None
    upload: tuple[bytes, str] | None = None  # (file, filename) sent as multipart 'file'
    form: dict[str, str] = field(default_factory=dict)


# Destructive calls come last so every role finds the world's objects in place.
CALLS = [
    Call("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", ANYONE),
    Call("GET", "/api/v1/engines", "/api/v1/engines", SIGNED_IN),
    Call("GET", "/api/v1/engines/budgets", "/api/v1/engines/budgets", ADMIN),
    Call("POST", "/api/v1/translate", "/api/v1/translate", SIGNED_IN,
         json={"text": "Hello", "source_lang": "en", "target_lang": "es"}),
    Call("GET", "/api/v1/tm/lookup", "/api/v1/tm/lookup?source_lang=en&target_lang=es&text=Thank+you.", SIGNED_IN),
    Call("POST", "/api/v1/tm/import", "/api/v1/tm/import", ADMIN, upload=(TMX, "memory.tmx")),
    Call("GET", "/api/v1/tm/export.tmx", "/api/v1/tm/export.tmx?source_lang=en&target_lang=es", STAFF),
    Call("GET", "/api/v1/tm/segments", "/api/v1/tm/segments?source_lang=en&q=a", STAFF),
    Call("GET", "/api/v1/glossaries", "/api/v1/glossaries", SIGNED_IN),
    Call("POST", "/api/v1/glossaries", "/api/v1/glossaries", ADMIN,
         json={"name": "{prefix}-new", "source_lang": "en"}),
    Call("GET", "/api/v1/glossaries/<name>", "/api/v1/glossaries/{glossary}", SIGNED_IN),
    Call("GET", "/api/v1/glossaries/<name>/entries", "/api/v1/glossaries/{glossary}/entries?term=a", SIGNED_IN),
    Call("POST", "/api/v1/glossaries/<name>/entries", "/api/v1/glossaries/{glossary}/entries", ADMIN,
         json={"terms": [{"lang": "en", "text": "order"}, {"lang": "es", "text": "pedido"}]}),
    Call("PUT", "/api/v1/glossaries/<name>/entries/<int:entry_id>", "/api/v1/glossaries/{glossary}/entries/{entry}",
         ADMIN, json={"terms": [{"lang": "en", "text": "refund"}, {"lang": "es", "text": "reembolso"}]}),
    Call("POST", "/api/v1/glossaries/import", "/api/v1/glossaries/import", ADMIN, upload=(CSV, "terms.csv"),
         form={"name": "{prefix}-imported"}),
    Call("GET", "/api/v1/glossaries/<name>/export", "/api/v1/glossaries/{glossary}/export?format=csv", SIGNED_IN),
    Call("GET", "/api/v1/quality", "/api/v1/quality?lang=es", QUALITY_ES),
    Call("GET", "/api/v1/quality/report.csv", "/api/v1/quality/report.csv?lang=es", QUALITY_ES),
    Call("POST", "/api/v1/replies", "/api/v1/replies", AGENTS,
         json={"text": "Thanks for waiting.", "ticket_ref": "T-2", "channel": "chat", "customer_locale": "es"}),
    Call("GET", "/api/v1/replies", "/api/v1/replies", AGENTS),
    # The reply's own agent, reviewers of its language and admins; editors do not handle replies.
    Call("GET", "/api/v1/replies/<int:reply_id>", "/api/v1/replies/{reply}", frozenset({"agent", "reviewer_es",
                                                                                          "admin"})),
    Call("POST", "/api/v1/replies/<int:reply_id>/feedback", "/api/v1/replies/{released}/feedback", AGENTS,
         json={"csat": 5}),
    Call("POST", "/api/v1/replies/<int:reply_id>/confirm", "/api/v1/replies/{reply}/confirm", AGENTS),
    Call("POST", "/api/v1/replies/<int:reply_id>/edit", "/api/v1/replies/{reply}/edit", AGENTS,
         json={"text": "Thanks for waiting."}),
    Call("POST", "/api/v1/replies/<int:reply_id>/resend", "/api/v1/replies/{reply}/resend", AGENTS,
         json={"text": "Thanks for waiting."}),
    Call("POST", "/api/v1/replies/<int:reply_id>/back-translation", "/api/v1/replies/{released}/back-translation",
         AGENTS),
    Call("POST", "/api/v1/replies/<int:reply_id>/sent", "/api/v1/replies/{released}/sent", AGENTS),
    Call("POST", "/api/v1/messages/translate", "/api/v1/messages/translate", AGENTS,
         json={"text": "Gracias por su ayuda.", "source_lang": "es", "target_lang": "en"}),
    Call("GET", "/api/v1/reviews", "/api/v1/reviews?lang=es", REVIEWERS_ES),
    Call("GET", "/api/v1/reviews/<int:item_id>", "/api/v1/reviews/{review}", REVIEWERS_ES),
    Call("POST", "/api/v1/reviews/<int:item_id>/reject", "/api/v1/reviews/{review}/reject", REVIEWERS_ES,
         json={"reason": "The tone is wrong."}),
    # Agents never approve, and a Polish reviewer never decides a Spanish item.
    Call("POST", "/api/v1/reviews/<int:item_id>/approve", "/api/v1/reviews/{review}/approve", REVIEWERS_ES,
         json={}),
    Call("GET", "/api/v1/locales", "/api/v1/locales", SIGNED_IN),
    Call("GET", "/api/v1/locales/<locale>", "/api/v1/locales/es", SIGNED_IN),
    Call("PUT", "/api/v1/locales/<locale>", "/api/v1/locales/es", ADMIN, json={"formality": "formal"}),
    Call("GET", "/api/v1/templates", "/api/v1/templates", SIGNED_IN),
    Call("POST", "/api/v1/templates", "/api/v1/templates", STAFF,
         json={"id": "{prefix}-new", "source_text": "Hello {name}"}),
    Call("GET", "/api/v1/templates/<template_id>", "/api/v1/templates/{template}", SIGNED_IN),
    Call("PUT", "/api/v1/templates/<template_id>", "/api/v1/templates/{template}", STAFF,
         json={"title": "Greeting"}),
    Call("PUT", "/api/v1/templates/<template_id>/translations/<locale>", "/api/v1/templates/{template}/translations/es",
         frozenset({"editor", "reviewer_es", "admin"}), json={"text": "Hola {name}"}),
    Call("POST", "/api/v1/templates/<template_id>/render", "/api/v1/templates/{template}/render", SIGNED_IN,
         json={"locale": "es", "variables": {"name": "Ana"}, "wrap": False}),
    Call("GET", "/api/v1/catalogs/messages.pot", "/api/v1/catalogs/messages.pot", SIGNED_IN),
    Call("GET", "/api/v1/catalogs/<locale>.po", "/api/v1/catalogs/es.po", SIGNED_IN),
    Call("POST", "/api/v1/catalogs/import", "/api/v1/catalogs/import", frozenset({"editor", "reviewer_es", "admin"}),
         upload=(b"{po}", "es.po")),
    Call("POST", "/api/v1/catalogs/<locale>/prefill", "/api/v1/catalogs/es/prefill", STAFF, json={}),
    Call("GET", "/api/v1/articles", "/api/v1/articles", SIGNED_IN),
    Call("POST", "/api/v1/articles", "/api/v1/articles", STAFF,
         json={"slug": "{prefix}-new", "title": "New", "body": "<p>Hello.</p>"}),
    Call("GET", "/api/v1/articles/<slug>", "/api/v1/articles/{article}", SIGNED_IN),
    Call("GET", "/api/v1/articles/<slug>/diff", "/api/v1/articles/{article}/diff", SIGNED_IN),
    Call("PUT", "/api/v1/articles/<slug>", "/api/v1/articles/{article}", STAFF, json={"title": "Tracking"}),
    Call("POST", "/api/v1/articles/<slug>/translate", "/api/v1/articles/{article}/translate", STAFF, json={}),
    Call("POST", "/api/v1/articles/<slug>/locales/<locale>/publish",
         "/api/v1/articles/{article}/locales/es/publish", STAFF),
    Call("GET", "/api/v1/articles/<slug>/locales/<locale>/xliff", "/api/v1/articles/{article}/locales/es/xliff",
         STAFF),
    Call("POST", "/api/v1/articles/<slug>/locales/<locale>/xliff", "/api/v1/articles/{article}/locales/es/xliff",
         STAFF, upload=(b"<xliff/>", "shipping.es.xlf")),
    Call("GET", "/api/v1/jobs/<job_id>", "/api/v1/jobs/{job}", SIGNED_IN),
    Call("GET", "/api/v1/imports/<job_id>", "/api/v1/imports/import-none", ADMIN),
    Call("GET", "/api/v1/kb/<locale>/<slug>", "/api/v1/kb/es/{article}", SIGNED_IN),
    Call("GET", "/api/v1/audit", "/api/v1/audit", ADMIN),
    Call("GET", "/api/v1/users", "/api/v1/users", ADMIN),
    Call("POST", "/api/v1/users", "/api/v1/users", ADMIN, json={"name": "{prefix}-agent", "role": "agent"}),
    Call("POST", "/api/v1/users/<name>/revoke", "/api/v1/users/{spare_user}/revoke", ADMIN),
    Call("PATCH", "/api/v1/users/<name>", "/api/v1/users/{spare_user}", ADMIN, json={"timezone": "UTC"}),
    Call("POST", "/api/v1/users/<name>/tokens", "/api/v1/users/{spare_user}/tokens", ADMIN),
    Call("GET", "/api/v1/tokens", "/api/v1/tokens", ADMIN),
    Call("POST", "/api/v1/tokens/<int:token_id>/revoke", "/api/v1/tokens/999999999/revoke", ADMIN),
    Call("GET", "/api/v1/egress", "/api/v1/egress?limit=5", ADMIN),
    Call("POST", "/api/v1/privacy/exports", "/api/v1/privacy/exports", ADMIN, json={"ticket": "{prefix}-T-9"}),
    Call("POST", "/api/v1/privacy/purges", "/api/v1/privacy/purges", ADMIN),
    Call("POST", "/api/v1/privacy/erasures", "/api/v1/privacy/erasures", ADMIN, json={"ticket": "{prefix}-T-9"}),
    Call("DELETE", "/api/v1/templates/<template_id>/translations/<locale>",
         "/api/v1/templates/{template}/translations/es", STAFF),
    Call("DELETE", "/api/v1/templates/<template_id>", "/api/v1/templates/{template}", STAFF),
    Call("DELETE", "/api/v1/locales/<locale>", "/api/v1/locales/es", ADMIN),
    Call("DELETE", "/api/v1/glossaries/<name>/entries/<int:entry_id>", "/api/v1/glossaries/{glossary}/entries/{entry}",
         ADMIN),
    Call("DELETE", "/api/v1/glossaries/<name>", "/api/v1/glossaries/{glossary}", ADMIN),
]


def api_rules(app) -> set[tuple[str, str]]:
    """Every (method, rule) of the JSON API in the app's URL map."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def fill(value: Any, world: dict[str, Any]) -> Any:
    """``value`` with {placeholders} replaced from the world (in strings, lists and objects)."""
    if isinstance(value, str):
        for key, found in world.items():
            value = value.replace("{" + key + "}", str(found))
        return value
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


def send(client, call: Call, headers: dict, world: dict[str, Any]):
    """Make the call as the holder of ``headers``."""
    path = fill(call.path, world)
    if call.upload is not None:
        data, filename = call.upload
        content = fill(data.decode(), world).encode()
        return client.open(path, method=call.method, headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), filename), **fill(call.form, world)})
    if call.json is None:
        return client.open(path, method=call.method, headers=headers)
    return client.open(path, method=call.method, headers=headers, json=fill(call.json, world))


def run_matrix(app, client, people) -> tuple[int, list[str]]:
    """Every call by every role, each role in its own world; returns (cells, violations)."""
    violations, cells = [], 0
    for role in ROLES:
        world = seed_world(client, people, f"w-{role.replace('_', '-')}")
        for call in CALLS:
            response = send(client, call, people[role], world)
            cells += 1
            status = response.status_code
            if role in call.allowed:
                good = status not in (401, 403) and status < 500
            else:
                good = status == (401 if role == "anonymous" else 403)
            if not good:
                violations.append(f"{role} {call.method} {call.rule}: {status} "
                                  f"{'(allowed)' if role in call.allowed else '(denied)'} "
                                  f"{response.get_data(as_text=True)[:200]}")
    return cells, violations


def test_the_matrix_covers_every_api_endpoint(app):
    assert {(c.method, c.rule) for c in CALLS} == api_rules(app)
    assert len(CALLS) == len({(c.method, c.rule) for c in CALLS})


def test_defaults_follow_the_views_required_roles(app):
    """Where the table widens or narrows a view's roles it is on purpose (object and language checks)."""
    from tolk.openapi import roles_of

    views = {(m, r.rule): app.view_functions[r.endpoint] for r in app.url_map.iter_rules()
             for m in r.methods - {"HEAD", "OPTIONS"}}
    for call in CALLS:
        roles = roles_of(views[(call.method, call.rule)])
        by_role = ANYONE if roles is None else SIGNED_IN if not roles else \
            {r for r in SIGNED_IN if r.split("_")[0] in roles}
        # Language and ownership checks may only narrow what the role check admits, never widen it.
        assert call.allowed <= by_role, (call.method, call.rule, sorted(call.allowed - by_role))


def test_every_role_gets_exactly_the_expected_answer_from_every_endpoint(app, client, people, capsys):
    cells, violations = run_matrix(app, client, people)
    with capsys.disabled():
        print(f"\npermission matrix: {len(CALLS)} endpoints x {len(ROLES)} roles = {cells} cells, "
              f"{len(violations)} violations")
    assert cells == len(CALLS) * len(ROLES)
    assert violations == []


def test_reviewers_see_only_their_languages_in_reviews_and_quality(app, client, people):
    world = seed_world(client, people, "langs")
    spanish = client.get("/api/v1/reviews", headers=people["reviewer_es"]).get_json()["reviews"]
    assert world["review"] in [item["id"] for item in spanish]
    assert client.get("/api/v1/reviews", headers=people["reviewer_pl"]).get_json()["reviews"] == []
    assert client.get("/api/v1/quality?lang=es", headers=people["reviewer_pl"]).status_code == 403
    ok(client.post(f"/api/v1/reviews/{world['review']}/approve", headers=people["reviewer_es"], json={}))
    shown = client.get("/api/v1/quality", headers=people["reviewer_pl"]).get_json()
    assert shown["languages"] == [] and shown["filters"]["visible_languages"] == ["pl"]
    assert [row["lang"] for row in ok(client.get("/api/v1/quality", headers=people["reviewer_es"]))["languages"]] \
        == ["es"]


def test_only_admins_change_glossaries_locales_and_users(app, client, people):
    world = seed_world(client, people, "admin-only")
    for role in ("agent", "reviewer_es", "editor"):
        headers = people[role]
        assert client.delete(f"/api/v1/glossaries/{world['glossary']}", headers=headers).status_code == 403
        assert client.put("/api/v1/locales/es", headers=headers, json={"formality": "informal"}).status_code == 403
        assert client.post("/api/v1/users", headers=headers, json={"name": "mallory", "role": "admin"}).status_code \
            == 403
    assert client.get("/api/v1/locales/es", headers=people["admin"]).get_json()["formality"] != "informal"
    assert "mallory" not in [u["name"] for u in ok(client.get("/api/v1/users", headers=people["admin"]))["users"]]


# Reviewer scope by script and region (issue #17): a language alone covers every variant, a script or a
# region only itself; Chinese without either means Simplified (tolk.languages.covers).
SCOPE_TARGETS = ("zh-Hans", "zh-Hant", "zh-TW", "pt-BR", "pt-PT")
SCOPE = {  # reviewer's languages -> the targets they may read and approve
    "zh-Hans": {"zh-Hans"},
    "zh-Hant": {"zh-Hant", "zh-TW"},
    "zh": {"zh-Hans", "zh-Hant", "zh-TW"},
    "pt-BR": {"pt-BR"},
    "pt-PT": {"pt-PT"},
    "pt": {"pt-BR", "pt-PT"},
    "pt-BR,pt-PT": {"pt-BR", "pt-PT"},
}


def test_reviewer_scope_by_script_and_region(app, client, make_user, capsys):
    agent = make_user("agent", name="alex", languages="en")[1]
    reviewers = {langs: make_user("reviewer", name=f"rev-{langs.replace(',', '_')}", languages=langs, **ALWAYS_ON)[1]
                 for langs in SCOPE}
    violations, cells = [], 0
    for langs, headers in reviewers.items():
        for n, target in enumerate(SCOPE_TARGETS):
            reply = ok(client.post("/api/v1/replies", headers=agent, json={
                "text": f"Your refund for case {langs} {n} was processed yesterday.", "ticket_ref": f"S-{langs}-{n}",
                "channel": "email",
                "customer_locale": target}), 201)
            assert reply["review"] is not None, (reply["status"], reply["decision"], reply["engine"], reply["reasons"])
            item = reply["review"]["id"]
            allowed = target in SCOPE[langs]
            listed = item in [i["id"] for i in ok(client.get("/api/v1/reviews", headers=headers))["reviews"]]
            read = client.get(f"/api/v1/reviews/{item}", headers=headers).status_code
            approve = client.post(f"/api/v1/reviews/{item}/approve", headers=headers,
                                  json={"text": "翻譯" if target.startswith("zh") else "Reembolso processado."})
            cells += 1
            got = (listed, read, approve.status_code)
            if got != ((True, 200, 200) if allowed else (False, 403, 403)):
                violations.append(f"reviewer {langs} on {target}: listed={listed} read={read} "
                                  f"approve={approve.status_code} ({'allowed' if allowed else 'denied'})")
    with capsys.disabled():
        print(f"\nreviewer scope: {len(SCOPE)} reviewers x {len(SCOPE_TARGETS)} locales = {cells} cells, "
              f"{len(violations)} violations")
    assert violations == []
