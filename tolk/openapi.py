"""The OpenAPI 3.1 document of the API (GET /api/v1/openapi.json) and request validation against it.

The document is built from the app's URL map (paths, methods, path parameters, roles) and the
operations each package registers from its ``init_app`` with :func:`register`: request and response
models (pydantic, turned into JSON Schema by ``tolk.schema``) and the shapes of its parameters, kept in
the package's ``contract.py`` beside its views (the kernel's own in ``tolk.contract``). A ``before_request``
hook validates JSON bodies, declared query parameters and path parameters with the same schemas, so
a structurally wrong request is answered 400 ``invalid`` (naming the field) before the view runs;
the views keep their own checks for everything a schema cannot say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from flask import Blueprint, Flask, Request, current_app, jsonify, request
from werkzeug.routing import Rule

from tolk import __version__, contract
from tolk.auth import current_user
from tolk.errors import BadRequest, ValidationError
from tolk.models import Role
from tolk.schema import MAX_ID, Schema, errors
from tolk.validation import check_input

EXTENSION = "tolk.openapi"
REGISTRY = "tolk.openapi.registry"
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH")
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")

Operations = Mapping[tuple[str, str], Schema]

bp = Blueprint("openapi", __name__)


@dataclass
class Registry:
    """The operations, shared component schemas and blueprint tags every package has registered."""

    operations: dict[tuple[str, str], Schema] = field(default_factory=dict)
    components: dict[str, Schema] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def registry(app: Flask) -> Registry:
    """What ``app``'s packages have registered so far."""
    found = app.extensions.get(REGISTRY)
    if found is None:
        found = app.extensions[REGISTRY] = Registry()
    return found


def register(app: Flask, *, operations: Operations, components: Mapping[str, Schema] | None = None,
             tags: Mapping[str, str] | None = None) -> None:
    """Add a package's contract: ``operations`` keyed by (method, Flask rule), the ``components`` they refer
    to, and the OpenAPI tag of each of its blueprints (by blueprint name).

    An operation registered twice is an error, and so is a component name given two different schemas (two
    packages may both register an enumeration they share).
    """
    found = registry(app)
    for key in operations:
        if key in found.operations:
            raise ValueError(f"the operation {key[0]} {key[1]} is registered twice")
    for name, schema in (components or {}).items():
        if found.components.get(name, schema) != schema:
            raise ValueError(f"the component schema {name} is registered twice, differently")
    found.operations.update(operations)
    found.components.update(components or {})
    found.tags.update(tags or {})
    app.extensions.pop(EXTENSION, None)  # built again with the new operations


def documented_rule(rule: Rule) -> bool:
    """Whether the contract covers ``rule``: the JSON API and the health probes."""
    return rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/livez")


def openapi_path(rule: str) -> str:
    """A Flask rule in OpenAPI spelling: ``/glossaries/<int:entry_id>`` -> ``/glossaries/{entry_id}``."""
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule)


def _path_parameters(rule: str) -> list[Schema]:
    out = []
    for m in _ARGUMENT.finditer(rule):
        schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID} if m["converter"] == "int" else \
            {"type": "string", "minLength": 1}
        out.append({"name": m["name"], "in": "path", "required": True, "schema": schema})
    return out


def roles_of(view: Callable) -> list[str] | None:
    """Roles a view admits (admins always pass); [] for any signed-in user; None when it is open."""
    roles = getattr(view, "required_roles", None)
    if roles is None:
        return None
    return sorted({r.value for r in roles} | {"admin"}) if roles else []


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app``: every documented rule that a registered operation describes."""
    found = registry(app)
    table = found.operations
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not documented_rule(rule):
            continue
        view = app.view_functions[rule.endpoint]
        # A rule without methods answers every method.
        for method in sorted(set(METHODS) if rule.methods is None else rule.methods & set(METHODS)):
            entry = table.get((method, rule.rule))
            if entry is None:
                continue  # undocumented: tests/test_openapi.py fails on it
            operation = {"operationId": rule.endpoint, "tags": [found.tags.get(rule.endpoint.split(".")[0], "api")],
                         **entry}
            params = _path_parameters(rule.rule) + entry.get("parameters", [])
            if params:
                operation["parameters"] = params
            roles = roles_of(view)
            if roles is None:
                operation["security"] = []
            else:
                operation["x-roles"] = roles
                operation["responses"] = {**operation["responses"], **errors(401)}
                if roles:
                    operation["responses"] = {**operation["responses"], **errors(403)}
            if params or "requestBody" in entry:
                operation["responses"] = {**errors(400), **operation["responses"]}
            paths.setdefault(openapi_path(rule.rule), {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tolk API", "version": __version__,
                 "description": "Translation and localisation workflows for multilingual customer support. "
                                "Every endpoint under /api/ needs `Authorization: Bearer <token>`; `x-roles` "
                                "lists the roles an operation admits (admins always pass; empty: any "
                                "signed-in user). Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`."},
        "paths": paths,
        "components": {"schemas": dict(sorted(found.components.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }


# --- request validation ---------------------------------------------------------------------------


@dataclass
class Contract:
    """What one operation accepts, with compiled validators."""

    query: dict[str, tuple[Schema, Any]] = field(default_factory=dict)
    path: dict[str, tuple[Schema, Any]] = field(default_factory=dict)
    body: tuple[Schema, Any] | None = None


def _compiled(schema: Schema) -> tuple[Schema, Any]:
    return schema, jsonschema_rs.Draft202012Validator(schema)


def contracts(document: dict[str, Any], app: Flask) -> dict[tuple[str, str], Contract]:
    """Compiled request contracts keyed by (method, Flask rule)."""
    by_path = {openapi_path(r.rule): r.rule for r in app.url_map.iter_rules() if documented_rule(r)}
    out = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            contract = Contract()
            for param in operation.get("parameters", []):
                target = contract.query if param["in"] == "query" else contract.path
                target[param["name"]] = _compiled(param["schema"])
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                contract.body = _compiled(content["application/json"]["schema"])
            out[(method.upper(), by_path[path])] = contract
    return out


def _field_path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _node(schema: Schema, path: list[str | int]) -> Any:
    node: Any = schema
    for part in path:
        node = node[part]
    return node


# JSON Schema types in the words of Python, as the views' own messages name them.
PYTHON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list",
                "object": "dict"}


def _reason(error: Any, node: Any, parent: Any, field_name: str | int | None) -> str:
    """A short reason in the views' own wording."""
    kind = error.kind
    name = type(kind).__name__
    if isinstance(node, dict) and node.get("x-error-reason") and name in ("Pattern", "MaxLength", "OneOfNotValid",
                                                                          "OneOfMultipleValid"):
        return node["x-error-reason"]
    if name == "Required" or (name == "Type" and error.instance is None and isinstance(parent, dict)
                              and field_name in parent.get("required", ())):
        return "is required"  # null counts as absent, as in the views
    if name == "Type":
        types = kind.types if isinstance(kind.types, list) else [kind.types]
        return "must be of type " + " or ".join(PYTHON_TYPES.get(str(t), str(t)) for t in types if str(t) != "null")
    if name == "Enum":
        return "must be one of: " + ", ".join(str(o) for o in kind.options if o is not None) + \
            f" (not {error.instance!r})"
    if name == "MaxLength":
        return f"is longer than {kind.limit} characters"
    if name == "MinLength":
        return "must not be empty" if kind.limit == 1 else f"is shorter than {kind.limit} characters"
    if name == "MinItems":
        return f"needs at least {kind.limit} item(s)"
    if name == "Minimum":
        return f"must be at least {kind.limit}"
    if name == "Maximum":
        return f"must be at most {kind.limit}"
    if name == "AdditionalProperties":
        return "is not a known field"
    return error.message


def _invalid(error: Any, schema: Schema, prefix: list[str | int]) -> ValidationError:
    path = prefix + list(error.instance_path)
    kind_name = type(error.kind).__name__
    if kind_name == "Required":
        path.append(error.kind.property)
    elif kind_name == "AdditionalProperties":
        path.append(error.kind.unexpected[0])
    schema_path = list(error.schema_path)
    node = _node(schema, schema_path[:-1])
    parent = _node(schema, schema_path[:-3]) if schema_path[-3:-2] == ["properties"] else None
    code = "invalid"
    if isinstance(node, dict) and kind_name in ("Pattern", "MaxLength"):
        code = node.get("x-error-code", code)
    name = _field_path(path) or "body"
    reason = _reason(error, node, parent, path[-1] if path else None)
    # The views' own wording ("'texts[1]' must be of type str"), so every 400 reads alike.
    return ValidationError(f"'{name}' {reason}", code=code, details={"field": name})


def _check(value: Any, compiled: tuple[Schema, Any], prefix: list[str | int]) -> None:
    schema, validator = compiled
    for error in validator.iter_errors(value):
        raise _invalid(error, schema, prefix)


def _query_value(raw: str, schema: Schema) -> Any:
    """A query-string value in the schema's type; a non-number stays a string for the type check to name."""
    kinds = schema.get("type")
    if kinds in ("integer", "number"):
        try:
            return int(raw) if kinds == "integer" else float(raw)
        except ValueError:
            return raw  # the type check names it
    return raw


def check_request(contract: Contract, req: Request) -> None:
    """Validate path and query parameters and the JSON body; ValidationError names the first problem."""
    view_args = req.view_args or {}
    for name, compiled in contract.path.items():
        if name in view_args:
            _check(view_args[name], compiled, [name])
    for name, compiled in contract.query.items():
        raw = req.args.get(name)
        if raw is None or raw == "" or compiled[0].get("type") == "boolean":
            continue  # empty means absent to the views, and they read any word as a flag
        _check(_query_value(raw, compiled[0]), compiled, [name])
    if contract.body is None or not req.is_json or not req.get_data(cache=True).strip():
        return
    body = req.get_json(silent=True)
    if body is None:
        return  # not JSON: the view answers invalid_json
    if contract.body[0].get("type") == "object" and not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object", code="invalid_json")
    _check(body, contract.body, [])


def check_body(method: str, rule: str, body: Any) -> None:
    """Validate ``body`` as the JSON body of the operation (``method``, Flask ``rule``): for a page that
    submits what the API accepts, with the same answers."""
    compiled = state(current_app)[1][(method, rule)].body
    if compiled is not None:
        _check(body, compiled, [])


def _admitted(view: Callable) -> bool:
    """Whether the view would let this request's user in: otherwise its own 401/403 comes first."""
    roles = getattr(view, "required_roles", None)
    if roles is None:
        return True
    user = current_user()
    if user is None:
        return False
    return not roles or user.role in roles or user.role == Role.ADMIN


def state(app: Flask) -> tuple[dict[str, Any], dict[tuple[str, str], Contract]]:
    """The app's document and contracts, built once (after every blueprint is registered)."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        document = build_document(app)
        found = app.extensions[EXTENSION] = (document, contracts(document, app))
    return found


def _validate_request() -> None:
    rule = request.url_rule
    if rule is None:
        return
    if not request.path.startswith("/api/"):
        check_input(request)  # pages: NUL bytes in form fields would otherwise reach the database
        return
    if not _admitted(current_app.view_functions[rule.endpoint]):
        return  # the view's own 401/403 comes first
    # Nesting, NUL bytes and lone surrogates for every endpoint, before any view or schema reads the body.
    check_input(request)
    contract = state(current_app)[1].get((request.method, rule.rule))
    if contract is not None:
        check_request(contract, request)


@bp.get("/api/v1/openapi.json")
def openapi_document():
    """The OpenAPI document; open to anyone, like /healthz."""
    return jsonify(state(current_app)[0])


def init_app(app: Flask) -> None:
    """Serve the document, register the kernel's own contract and validate API requests."""
    app.register_blueprint(bp)
    register(app, operations=contract.operations(app.config), components=contract.components(), tags=contract.TAGS)
    app.before_request(_validate_request)
