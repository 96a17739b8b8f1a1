"""Shapes of the API contract as JSON Schema: strings, enumerations, objects, bodies, responses, errors.

Each feature package describes its operations in its own ``contract.py``: request bodies as pydantic
models (turned into JSON Schema by :func:`model_schema`), the rest with these shapes; it registers them
with :func:`tolk.openapi.register`, and the kernel turns them into the OpenAPI document and validates
requests against them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema, models_json_schema

from tolk.languages import TAG_PATTERN

Schema = dict[str, Any]

# The tag pattern tolk.languages.canonical() applies (after stripping blanks), so a malformed tag is
# refused before the view runs with the same code the view would give.
LANGUAGE_PATTERN = r"^\s*" + TAG_PATTERN.strip("^$") + r"\s*$"
MAX_ID = 2**63 - 1  # database ids are 64-bit integers

ERROR_TEXT = {400: "Invalid request: the message names the field", 401: "No valid bearer token",
              403: "The user's role or languages do not allow this", 404: "No such object",
              409: "Conflicts with the object's current state", 413: "Larger than the configured limit",
              422: "Understood but not processable (no engine for the pair, uncertain language)",
              503: "A dependency (engines, the job queue, the database or Redis) is unavailable"}


# --- shapes ---------------------------------------------------------------------------------------


def ref(name: str) -> Schema:
    """A reference to a shared schema under ``components.schemas``."""
    return {"$ref": f"#/components/schemas/{name}"}


def string(max_length: int | None = None, **extra: Any) -> Schema:
    """A string, optionally bounded."""
    out: Schema = {"type": "string", **extra}
    if max_length is not None:
        out["maxLength"] = max_length
    return out


def patterned(max_length: int | None, pattern: str, reason: str) -> Schema:
    """A string of a given form; ``reason`` is the error when it does not match."""
    return {**string(max_length), "pattern": pattern, "x-error-reason": reason}


def integer(**extra: Any) -> Schema:
    """A whole number."""
    return {"type": "integer", **extra}


def boolean(**extra: Any) -> Schema:
    """true or false."""
    return {"type": "boolean", **extra}


def number(**extra: Any) -> Schema:
    """Any JSON number."""
    return {"type": "number", **extra}


def array(items: Schema, **extra: Any) -> Schema:
    """A list of ``items``."""
    return {"type": "array", "items": items, **extra}


def enum(values: Iterable[Any], **extra: Any) -> Schema:
    """One of ``values`` (strings)."""
    return {"type": "string", "enum": [str(v) for v in values], **extra}


def timestamp() -> Schema:
    """An ISO 8601 timestamp with its UTC offset."""
    return {"type": "string", "format": "date-time"}


def language_tag(description: str = "BCP 47 language tag, e.g. es, pt-BR, zh-Hant") -> Schema:
    """A language tag; a malformed one is refused with the code ``unknown_language``, as the views do."""
    return {"type": "string", "pattern": LANGUAGE_PATTERN, "maxLength": 35, "description": description,
            "examples": ["es", "pt-BR", "zh-Hant"], "x-error-code": "unknown_language",
            "x-error-reason": "is not a BCP 47 language tag (e.g. es, pt-BR, zh-Hant)"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null: the views treat ``null`` as an absent optional field."""
    out = copy.deepcopy(schema)
    if "$ref" in out:
        return {"anyOf": [out, {"type": "null"}]}
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def obj(properties: Mapping[str, Schema] | None = None, required: Iterable[str] = (), *, closed: bool = False,
        **extra: Any) -> Schema:
    """A JSON object; ``closed`` when the view refuses unknown fields."""
    out: Schema = {"type": "object", "properties": dict(properties or {}), **extra}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    return out


def record(required: Mapping[str, Schema], optional: Mapping[str, Schema] | None = None) -> Schema:
    """A response object: every key in ``required`` is always present."""
    return obj({**required, **(optional or {})}, required=list(required))


def json_body(schema: Schema, example: Any = None, *, required: bool = True, description: str | None = None
              ) -> Schema:
    """A JSON request body; ``example`` is shown in the document (and sent first by schemathesis)."""
    media: Schema = {"schema": schema}
    if example is not None:
        media["example"] = example
    out: Schema = {"required": required, "content": {"application/json": media}}
    if description:
        out["description"] = description
    return out


def upload_body(fields: Mapping[str, Schema], description: str) -> Schema:
    """A multipart upload with a ``file`` part (the raw file as the body works too)."""
    return {"required": True, "description": description, "content": {
        "multipart/form-data": {"schema": obj({"file": string(format="binary"), **fields}, required=["file"])},
        "application/octet-stream": {"schema": string(format="binary")}}}


def query(name: str, schema: Schema, description: str = "", *, required: bool = False) -> Schema:
    """A query-string parameter."""
    out: Schema = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        out["description"] = description
    return out


def ok(schema: Schema, description: str = "OK", media_type: str = "application/json") -> Schema:
    """A success response with a body."""
    return {"description": description, "content": {media_type: {"schema": schema}}}


def no_content(description: str = "Done; no body") -> Schema:
    """A success response without a body (204)."""
    return {"description": description}


def errors(*statuses: int) -> dict[str, Schema]:
    """The shared error body for each status."""
    return {str(s): {"description": ERROR_TEXT[s], "content": {"application/json": {"schema": ref("Error")}}}
            for s in statuses}


def op(summary: str, responses: Mapping[str, Schema], *, body: Schema | None = None,
       params: Iterable[Schema] = (), description: str = "") -> Schema:
    """One operation: 401 is added for every signed-in endpoint by the document builder."""
    out: Schema = {"summary": summary, "responses": dict(responses)}
    if description:
        out["description"] = description
    if body is not None:
        out["requestBody"] = body
    if params:
        out["parameters"] = list(params)
    return out




# --- request bodies as pydantic models ------------------------------------------------------------

#: ``field: str | Absent = None``: the field may be left out, but null is not a value it takes.
Absent = SkipJsonSchema[None]
#: The key in a field's ``json_schema_extra`` naming the setting that bounds its length.
LIMIT = "x-max-length-setting"


def limited(setting: str) -> Any:
    """A string bounded by the setting ``setting`` (e.g. ``MAX_TEXT_CHARS``), resolved by :func:`model_schema`."""
    return Field(json_schema_extra={LIMIT: setting})


def shaped(schema: Schema) -> WithJsonSchema:
    """A field whose JSON Schema is ``schema`` as it stands (a pattern with its error reason, a language tag)."""
    return WithJsonSchema(schema)


LanguageTag = Annotated[str, shaped(language_tag())]


def _tidy(node: Any, defs: Mapping[str, Any], config: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_tidy(item, defs, config) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and node["$ref"].startswith("#/$defs/"):
        node = {**defs[node["$ref"].removeprefix("#/$defs/")], **{k: v for k, v in node.items() if k != "$ref"}}
    out = {k: _tidy(v, defs, config) for k, v in node.items() if k != "title" and not (k == "default" and v is None)}
    if isinstance(node.get("properties"), dict):  # field names, not keywords: a field may be called "title"
        out["properties"] = {k: _tidy(v, defs, config) for k, v in node["properties"].items()}
    if out.get("additionalProperties") is True:
        del out["additionalProperties"]
    if LIMIT in out:
        out["maxLength"] = config[out.pop(LIMIT)]
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        rest = {k: v for k, v in out.items() if k != "anyOf"}
        return {**nullable(next(o for o in options if o != {"type": "null"})), **rest}
    return out


def model_schema(model: type[BaseModel], config: Mapping[str, Any] | None = None) -> Schema:
    """The JSON Schema of a request model in the contract's own shape: nested models inlined, an optional
    field's null folded into its type (``["string", "null"]``), titles dropped, limits read from ``config``."""
    raw = model.model_json_schema(mode="validation")
    return _tidy(raw, raw.pop("$defs", {}), config or {})


def component_schemas(*models: type[BaseModel]) -> dict[str, Schema]:
    """Response models as shared component schemas: each model, and each model or enumeration inside it,
    under its class name, referring to the others by ``$ref`` (in the shape of :func:`model_schema`)."""
    _, found = models_json_schema([(model, "validation") for model in models],
                                  ref_template="#/components/schemas/{model}")
    return {name: _tidy(schema, {}, {}) for name, schema in found.get("$defs", {}).items()}
