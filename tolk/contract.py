"""The kernel's API contract: health probes, this document, users and the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field

from tolk.audit_log import EXACT_FILTERS
from tolk.models import Role
from tolk.pagination import page_params, paged, with_link
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
#: Page sizes (default, maximum) of the admin lists.
AUDIT_PAGE = (100, 1000)
USERS_PAGE = (100, 500)
TOKENS_PAGE = (100, 500)


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


class UserChanges(BaseModel):
    """PATCH /users/<name>: the fields to change; absent fields stay as they are."""

    role: Role | Absent = None
    languages: Annotated[list[str] | str | None, shaped(
        nullable({"anyOf": [array(language_tag()), string()]}))] = None
    timezone: Annotated[str, Field(max_length=64, examples=["Europe/Madrid"])] | None = None
    shift: Annotated[str, Field(max_length=11, examples=["09:00-17:00"])] | None = None
    days: Annotated[str, Field(max_length=32, examples=["mon,tue,wed,thu,fri"])] | None = None
    active: bool | Absent = None


class ApiToken(BaseModel):
    """An API token as listed: its first characters, never the token."""

    id: int
    user: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None
    token: Annotated[str, Field(description="shown once, when the token is created")] | Absent = None


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
    return component_schemas(Error, User, Health, ApiToken)


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The kernel's endpoints, keyed by (method, Flask rule)."""
    n = nullable(string())
    return {
        ("GET", "/healthz"): op("Database, Redis and engine health (the components to admins only)", {
            "200": ok(ref("Health")), "503": ok(ref("Health"), "The database or Redis is down")}),
        ("GET", "/livez"): op("Liveness: answers without touching dependencies", {
            "200": ok(record({"ok": boolean()}))}),
        ("GET", "/api/v1/openapi.json"): op("This OpenAPI document", {"200": ok(obj(required=["openapi", "paths"]))}),
        ("GET", "/api/v1/audit"): op("The audit log, newest first, a page at a time", {
            "200": with_link(ok(paged("events", record({
                "id": integer(), "at": timestamp(), "actor": string(), "action": string(), "object_type": string(),
                "object_id": n, "detail": obj(description="what the action changed, a JSON object"),
                "note": n})))), **errors(400)},
            params=[*(query(name, string(200)) for name in EXACT_FILTERS),
                    query("since", string(10, format="date"), "events on or after this day (UTC)"),
                    query("until", string(10, format="date"), "events on or before this day (UTC)"),
                    *page_params(*AUDIT_PAGE)]),
        ("GET", "/api/v1/users"): op("Users and their roles, by name, a page at a time", {
            "200": with_link(ok(paged("users", ref("User")))), **errors(400)}, params=page_params(*USERS_PAGE)),
        ("PATCH", "/api/v1/users/<name>"): op(
            "Change a user's role, languages, working hours, or deactivate them (no sign-in, no token works)", {
                "200": ok(ref("User")), **errors(400, 404)},
            body=json_body(model_schema(UserChanges), {"languages": ["es", "ca"], "active": True})),
        ("GET", "/api/v1/tokens"): op("API tokens, newest first (their first characters, never the token)", {
            "200": with_link(ok(paged("tokens", ref("ApiToken")))), **errors(400)},
            params=[query("user", string(80), "only this user's tokens"), *page_params(*TOKENS_PAGE)]),
        ("POST", "/api/v1/users/<name>/tokens"): op("A new API token for the user, shown this once", {
            "201": ok(ref("ApiToken"), "Created"), **errors(404)}),
        ("POST", "/api/v1/tokens/<int:token_id>/revoke"): op("Revoke one API token", {
            "200": ok(ref("ApiToken")), **errors(404, 409)}),
        ("POST", "/api/v1/users"): op("Create a user; with `token: true` the answer carries an API token, once", {
            "201": ok(ref("User"), "Created"), **errors(400, 409)},
            body=json_body(model_schema(NewUser),
                           {"name": "maria", "role": "reviewer", "languages": ["es"], "token": True})),
        ("POST", "/api/v1/users/<name>/revoke"): op("Revoke every API token of a user", {
            "200": ok(record({"revoked": integer()})), **errors(404)}),
    }
