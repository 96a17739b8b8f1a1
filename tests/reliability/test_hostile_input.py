"""Input that cannot be stored or parsed safely is refused at the request boundary with a 400 that says why:
NUL characters and lone surrogates in any text field of any JSON body (fields taken from the OpenAPI
document, so new fields are covered), in query and path parameters and in form fields, and JSON nested
too deeply. Property-based: hypothesis builds the strings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tolk.db import db
from tolk.validation import MAX_JSON_DEPTH
from workflows.models import Reply

Location = tuple[str, str, tuple[Any, ...]]  # method, path, where in the body (keys and list indexes)
KEY = object()  # a location that is an object's key rather than a value

#: A NUL or a lone surrogate (high or low), the two kinds of text no database column can hold.
UNSTORABLE = st.one_of(st.just("\x00"), st.integers(0xD800, 0xDFFF).map(chr))
HOSTILE = st.builds(lambda a, bad, b: a + bad + b, st.text(max_size=12), UNSTORABLE, st.text(max_size=12))


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def text_locations(schema: dict, document: dict, where: tuple = (), depth: int = 0) -> list[tuple]:
    """Every place in a body described by ``schema`` that holds text: string values and free-form keys."""
    schema = _resolve(schema, document)
    if depth > 6:
        return []
    found: list[tuple] = []
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        found += text_locations(alternative, document, where, depth + 1)
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if "string" in kinds:
        found.append(where)
    if "object" in kinds:
        for name, sub in schema.get("properties", {}).items():
            found += text_locations(sub, document, (*where, name), depth + 1)
        extra = schema.get("additionalProperties", True)
        if extra is not False and not schema.get("properties"):
            found += [(*where, KEY), (*where, "any")]  # a free-form object: its keys and values
    if "array" in kinds:
        found += text_locations(schema.get("items", {}), document, (*where, 0), depth + 1)
    return list(dict.fromkeys(found))


def body_with(where: tuple, text: str) -> Any:
    """A body holding ``text`` at ``where``."""
    if not where:
        return text
    head, rest = where[0], where[1:]
    if head is KEY:
        return {text: "x"}
    if isinstance(head, int):
        return [body_with(rest, text)]
    return {head: body_with(rest, text)}


def field_name(where: tuple) -> str:
    out = ""
    for part in where:
        if part is KEY:
            break
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@pytest.fixture
def locations(client) -> list[Location]:
    document = client.get("/api/v1/openapi.json").get_json()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            media = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if media:
                concrete = path  # any value of the right type: the check precedes the view
                for param in operation.get("parameters", []) + item.get("parameters", []):
                    if param.get("in") == "path":
                        kind = _resolve(param["schema"], document).get("type")
                        concrete = concrete.replace(f"{{{param['name']}}}", "1" if kind == "integer" else "es")
                found += [(method.upper(), concrete, where) for where in text_locations(media["schema"], document)]
    return found


def _send(client, headers, method: str, path: str, where: tuple, text: str):
    return client.open(path, method=method, headers=headers, content_type="application/json",
                       data=json.dumps(body_with(where, text)))  # ensure_ascii: surrogates travel as \\uXXXX


def test_every_text_field_of_every_json_body_refuses_nul_and_lone_surrogates(client, admin_headers, locations):
    endpoints = {(m, p) for m, p, _ in locations}
    assert len(endpoints) >= 18 and len(locations) >= 60, "the document lost its request bodies"
    # Each location once with each kind, deterministically, then hypothesis's strings anywhere.
    for method, path, where in locations:
        for bad in ("\x00", "\ud800", "\udc00"):
            response = _send(client, admin_headers, method, path, where, f"Hi{bad}there")
            error = response.get_json()["error"]
            assert (response.status_code, error["code"]) == (400, "invalid_text"), (method, path, where, error)
            if KEY not in where:
                assert error["details"]["field"] == (field_name(where) or "body")

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(location=st.sampled_from(locations), text=HOSTILE)
    def hostile(location: Location, text: str) -> None:
        method, path, where = location
        response = _send(client, admin_headers, method, path, where, text)
        assert response.status_code == 400, (location, text, response.get_json())
        message = response.get_json()["error"]["message"]
        assert "NUL character" in message or "lone surrogate" in message

    hostile()
    print(f"\nhostile input: {len(locations)} text locations in {len(endpoints)} request bodies, 3 fixed strings "
          f"each and 150 generated: all 400 invalid_text")


def test_json_nested_too_deeply_is_a_400_not_a_500(client, admin_headers):
    for depth in (MAX_JSON_DEPTH + 1, 2_000, 100_000):
        for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth,
                     '{"text": ' + "[" * depth + "]" * depth + "}"):
            response = client.post("/api/v1/translate", headers=admin_headers, data=body,
                                   content_type="application/json")
            error = response.get_json()["error"]
            assert (response.status_code, error["code"]) == (400, "too_deeply_nested"), depth
            assert f"deeper than {MAX_JSON_DEPTH} levels" in error["message"]
    ok = {"text": "hi", "target_lang": "es", "context": "x"}
    assert client.post("/api/v1/translate", headers=admin_headers, json=ok).status_code != 500


@pytest.mark.parametrize("path", ["/api/v1/replies?status=%00", "/api/v1/articles/ship%00ping",
                                  "/api/v1/glossaries/brand%00", "/api/v1/quality?lang=es%00"])
def test_nul_in_query_and_path_parameters_is_a_400(client, admin_headers, path):
    response = client.get(path, headers=admin_headers)
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_text"), path


def test_a_reply_with_a_nul_byte_is_refused_and_nothing_half_stored(app, client, make_user):
    agent = make_user("agent", languages="en")[1]
    for text in ("Your refund\x00 is on its way.", "Your refund \ud83d is on its way."):
        response = client.post("/api/v1/replies", headers=agent, content_type="application/json", data=json.dumps(
            {"text": text, "ticket_ref": "T-1", "channel": "email", "customer_locale": "en"}))
        assert response.status_code == 400 and "'text' contains" in response.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Reply.id))) == 0
    # A character outside the BMP sent as a proper surrogate pair is fine.
    response = client.post("/api/v1/replies", headers=agent, json={
        "text": "Your refund is on its way \U0001f600", "ticket_ref": "T-2", "channel": "email",
        "customer_locale": "en"})
    assert response.status_code == 201 and response.get_json()["final_text"].endswith("\U0001f600")
