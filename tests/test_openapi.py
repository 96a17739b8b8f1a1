"""The OpenAPI document at /api/v1/openapi.json and the request validation derived from it."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from tolk.languages import UnknownLanguage, canonical


@pytest.fixture
def document(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operation(document, method: str, path: str) -> dict:
    return document["paths"][path][method.lower()]


def body_schema(document, method: str, path: str) -> dict:
    return operation(document, method, path)["requestBody"]["content"]["application/json"]["schema"]


def test_the_document_is_served_to_anyone_with_bearer_security(document):
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]
    assert operation(document, "GET", "/healthz")["security"] == []
    assert operation(document, "GET", "/api/v1/openapi.json")["security"] == []


def test_every_api_endpoint_is_documented_and_nothing_else(app, document):
    from tolk.openapi import METHODS, documented_rule, openapi_path, registry

    served = {(method.lower(), openapi_path(rule.rule)) for rule in app.url_map.iter_rules() if documented_rule(rule)
              for method in rule.methods & set(METHODS)}
    documented = {(method, path) for path, methods in document["paths"].items() for method in methods}
    assert documented == served
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods}
    assert set(registry(app).operations) <= rules, "documented endpoints that no longer exist"


def test_roles_are_those_the_views_require(app, document):
    from tolk.openapi import roles_of

    assert operation(document, "POST", "/api/v1/glossaries")["x-roles"] == ["admin"]
    assert operation(document, "PUT", "/api/v1/locales/{locale}")["x-roles"] == ["admin"]
    assert operation(document, "GET", "/api/v1/quality")["x-roles"] == ["admin", "editor", "reviewer"]
    assert operation(document, "POST", "/api/v1/reviews/{item_id}/approve")["x-roles"] == ["admin", "reviewer"]
    assert operation(document, "POST", "/api/v1/translate")["x-roles"] == []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "openapi.openapi_document":
            roles = roles_of(app.view_functions[rule.endpoint])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found = operation(document, method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
                assert found["x-roles"] == roles
                assert "401" in found["responses"]
                assert "403" in found["responses"] or not roles


def test_enumerations_and_limits_are_in_the_schemas(document):
    translate = body_schema(document, "POST", "/api/v1/translate")["properties"]
    assert translate["format"]["enum"] == ["text", "html", None]
    assert translate["formality"]["enum"] == ["default", "formal", "informal", None]
    assert translate["context"]["maxLength"] == 2000
    assert "pattern" in translate["target_lang"]
    reply = body_schema(document, "POST", "/api/v1/replies")
    assert reply["properties"]["channel"]["enum"] == ["email", "chat", "social", "phone", "web"]
    assert {"ticket_ref", "channel"} <= set(reply["required"])
    params = {p["name"]: p["schema"] for p in operation(document, "GET", "/api/v1/quality")["parameters"]}
    assert params["group_by"]["enum"] == ["engine", "content_type", "channel", "week"]
    reviews = {p["name"]: p["schema"] for p in operation(document, "GET", "/api/v1/reviews")["parameters"]}
    assert reviews["status"]["enum"] == ["pending", "approved", "rejected", "escalated", "all"]
    upload = operation(document, "POST", "/api/v1/glossaries/import")["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    errors = operation(document, "POST", "/api/v1/translate")["responses"]
    assert {"400", "401", "413", "422", "503"} <= set(errors)
    assert errors["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("tag", ["es", "pt-BR", "zh-Hant", "sr-Latn-RS", "es-419", " es ", "pt_br"])
def test_the_language_pattern_admits_every_tag_the_views_accept(tag):
    from tolk.schema import language_tag

    canonical(tag)
    assert jsonschema_rs.is_valid(language_tag(), tag)


@pytest.mark.parametrize("tag", ["english", "e", "es-", "es--ES", "123", "es ES"])
def test_the_language_pattern_refuses_malformed_tags_as_the_views_do(tag):
    from tolk.schema import language_tag

    with pytest.raises(UnknownLanguage):
        canonical(tag)
    assert not jsonschema_rs.is_valid(language_tag(), tag)


def test_every_schema_in_the_document_is_valid_json_schema(document):
    def schemas(node):
        if isinstance(node, dict):
            if "schema" in node and isinstance(node["schema"], dict):
                yield node["schema"]
            for value in node.values():
                yield from schemas(value)
        elif isinstance(node, list):
            for value in node:
                yield from schemas(value)

    found = list(schemas(document["paths"])) + list(document["components"]["schemas"].values())
    assert len(found) > 100
    for schema in found:
        jsonschema_rs.meta.validate(schema)


# --- validation before the view ---------------------------------------------------------------------


def refused(response, status: int = 400, code: str = "invalid") -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    return error


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"texts": "hi", "target_lang": "es"}, "texts", "'texts' must be of type list"),
    ({"texts": ["hi", 3], "target_lang": "es"}, "texts[1]", "'texts[1]' must be of type str"),
    ({"text": "hi"}, "target_lang", "'target_lang' is required"),
    ({"text": "hi", "target_lang": None}, "target_lang", "'target_lang' is required"),
    ({"text": "hi", "target_lang": "es", "format": "pdf"}, "format", "must be one of: text, html (not 'pdf')"),
    ({"text": "hi", "target_lang": "es", "context": "x" * 2001}, "context", "longer than 2000 characters"),
    ({"text": "hi", "target_lang": "es", "source_lang": 7}, "source_lang", "'source_lang' must be of type str"),
])
def test_structural_errors_name_the_field(app, client, agent_headers, body, field, words):
    error = refused(client.post("/api/v1/translate", json=body, headers=agent_headers))
    assert words in error["message"] and error["details"] == {"field": field}


def test_nested_fields_are_named_by_their_path(app, client, admin_headers):
    assert client.post("/api/v1/glossaries", json={"name": "brand", "source_lang": "en"},
                       headers=admin_headers).status_code == 201
    error = refused(client.post("/api/v1/glossaries/brand/entries", json={"terms": [{"text": "refund"}]},
                                headers=admin_headers))
    assert error["message"] == "'terms[0].lang' is required" and error["details"]["field"] == "terms[0].lang"
    error = refused(client.post("/api/v1/glossaries/brand/entries", headers=admin_headers, json={
        "terms": [{"lang": "en", "text": "refund", "status": "banned"}]}))
    assert error["details"]["field"] == "terms[0].status"
    assert client.get("/api/v1/glossaries/brand", headers=admin_headers).get_json()["entries"] == []


def test_a_malformed_language_tag_keeps_its_own_code(app, client, agent_headers):
    error = refused(client.post("/api/v1/translate", json={"text": "hi", "target_lang": "english"},
                                headers=agent_headers), code="unknown_language")
    assert error["details"] == {"field": "target_lang"} and "BCP 47" in error["message"]


def test_unknown_fields_are_refused_where_the_view_refuses_them(app, client, admin_headers):
    error = refused(client.post("/api/v1/templates", headers=admin_headers, json={
        "id": "thanks", "source_text": "Thank you.", "colour": "blue"}))
    assert error["message"] == "'colour' is not a known field"
    # Elsewhere extra fields are ignored, as the views ignore them.
    assert client.post("/api/v1/translate", headers=admin_headers, json={
        "text": "Hello", "source_lang": "en", "target_lang": "en", "note": 1}).status_code == 200


def test_query_and_path_parameters_are_checked(app, client, make_user):
    _, agent = make_user("agent")
    error = refused(client.get("/api/v1/replies?limit=many", headers=agent))
    assert error["details"] == {"field": "limit"} and "int" in error["message"]
    refused(client.get("/api/v1/replies?status=lost", headers=agent))
    # An id beyond 64 bits matches no route (the id converter's range), so it is simply not found.
    assert client.get("/api/v1/replies/99999999999999999999", headers=agent).status_code == 404
    assert client.get("/api/v1/replies?limit=", headers=agent).status_code == 200  # empty means absent


def test_a_body_that_is_not_an_object_is_refused_as_the_views_do(app, client, agent_headers):
    refused(client.post("/api/v1/translate", json=["hi"], headers=agent_headers), code="invalid_json")


def test_who_you_are_is_checked_before_what_you_sent(app, client, agent_headers):
    bad = {"name": 5, "source_lang": []}
    refused(client.post("/api/v1/glossaries", json=bad), 401, "unauthorized")
    refused(client.post("/api/v1/glossaries", json=bad, headers=agent_headers), 403, "forbidden")
