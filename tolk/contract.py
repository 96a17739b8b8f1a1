"""The kernel's API contract: health probes, this document, users and the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field

from tolk.models import Role
from tolk.schema import (
    Absent,
    Schema,
    array,
    boolean,
    component_schemas,
    errors,
    integer,
    json_body,
    language_tag,
    model_schema,
    nullable,
    obj,
    ok,
    op,
    patterned,
    query,
    record,
    ref,
    shaped,
    string,
    timestamp,
)

#: OpenAPI tags of the kernel's blueprints.
TAGS = {"health": "health", "openapi": "contract"}


class NewUser(BaseModel):
    """POST /users: a user with a role, languages and working hours."""

    name: Annotated[str, shaped(patterned(80, r"^[A-Za-z0-9_.@-]{2,80}$", "must be 2-80 letters, digits or _.@-"))]
    role: Role
    # A list of tags or one comma-separated string.
    languages: Annotated[list[str] | str | None, shaped(
        nullable({"anyOf": [array(language_tag()), string()]}))] = None
    timezone: Annotated[str, Field(max_length=64, examples=["Europe/Madrid"])] | None = None
    shift: Annotated[str, Field(max_length=11, examples=["09:00-17:00"])] | None = None
    days: Annotated[str, Field(max_length=32, examples=["mon,tue,wed,thu,fri"])] | None = None
    password: Annotated[str, Field(min_length=8, max_length=200)] | None = None
    token: bool | None = None


class ErrorBody(BaseModel):
    """What went wrong: a stable code, a message for people and details for programs."""

    code: str
    message: str
    details: dict[str, Any] | Absent = None


class Error(BaseModel):
    """Every error answer: ``{"error": {"code", "message", "details"}}``."""

    error: ErrorBody


class User(BaseModel):
    """A user, their role, languages and working hours."""

    id: int
    name: str
    role: str
    languages: list[str]
    timezone: str
    shift_start: str
    shift_end: str
    work_days: list[str]
    active: bool
    token: Annotated[str, Field(description="shown once")] | Absent = None


class ComponentHealth(BaseModel):
    """One dependency's health."""

    ok: bool


class Health(BaseModel):
    """Whether the service is healthy; admins also see each dependency."""

    ok: bool
    components: dict[str, ComponentHealth] | Absent = None


def components() -> dict[str, Schema]:
    """The error body, users and health, shared by several operations."""
    return component_schemas(Error, User, Health)


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The kernel's endpoints, keyed by (method, Flask rule)."""
    n = nullable(string())
    return {
        ("GET", "/healthz"): op("Database, Redis and engine health (the components to admins only)", {
            "200": ok(ref("Health")), "503": ok(ref("Health"), "The database or Redis is down")}),
        ("GET", "/livez"): op("Liveness: answers without touching dependencies", {
            "200": ok(record({"ok": boolean()}))}),
        ("GET", "/api/v1/openapi.json"): op("This OpenAPI document", {"200": ok(obj(required=["openapi", "paths"]))}),
        ("GET", "/api/v1/audit"): op("The audit log, newest first", {
            "200": ok(record({"events": array(record({
                "id": integer(), "at": timestamp(), "actor": string(), "action": string(), "object_type": string(),
                "object_id": n, "detail": {}}))})), **errors(400)},
            params=[*(query(name, string()) for name in ("actor", "action", "object_type", "object_id")),
                    query("limit", integer(minimum=1, maximum=1000), "default 100")]),
        ("GET", "/api/v1/users"): op("Users and their roles", {"200": ok(record({"users": array(ref("User"))}))}),
        ("POST", "/api/v1/users"): op("Create a user; with `token: true` the answer carries an API token, once", {
            "201": ok(ref("User"), "Created"), **errors(400, 409)},
            body=json_body(model_schema(NewUser),
                           {"name": "maria", "role": "reviewer", "languages": ["es"], "token": True})),
        ("POST", "/api/v1/users/<name>/revoke"): op("Revoke every API token of a user", {
            "200": ok(record({"revoked": integer()})), **errors(404)}),
    }
