"""The privacy API's contract: erasure, access export, the retention purge and the egress audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tolk.schema import (
    MAX_ID,
    Absent,
    Schema,
    array,
    boolean,
    enum,
    errors,
    integer,
    json_body,
    model_schema,
    nullable,
    obj,
    ok,
    op,
    query,
    record,
    string,
    timestamp,
)


class Subject(BaseModel):
    """Whose data: a customer (by e-mail) or a ticket, exactly one of them."""

    model_config = ConfigDict(json_schema_extra={
        "oneOf": [{"required": ["customer"]}, {"required": ["ticket"]}],
        "x-error-reason": "give exactly one of 'customer' (an e-mail) or 'ticket'"})

    customer: Annotated[str, Field(max_length=254, examples=["maria@example.com"])] | Absent = None
    ticket: Annotated[str, Field(max_length=120)] | Absent = None


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The privacy endpoints (admins), keyed by (method, Flask rule)."""
    any_list = array({})
    subject = model_schema(Subject)
    return {
        ("POST", "/api/v1/privacy/erasures"): op(
            "Erase what is stored of a customer (e-mail) or a ticket: texts, details, memory segments, pending "
            "webhooks, egress records; audited without the values", {
                "201": ok(record({"erased": obj(additionalProperties=integer())}), "Erased"), **errors(400)},
            body=json_body(subject, {"customer": "maria@example.com"})),
        ("POST", "/api/v1/privacy/exports"): op(
            "Everything stored about a customer (e-mail) or a ticket, as JSON (an access request)", {
                "200": ok(record({"subject": obj(), "exported_at": timestamp(), "replies": any_list,
                                  "review_items": any_list, "quality_records": any_list, "feedback": any_list,
                                  "webhook_deliveries": any_list, "translation_memory": any_list,
                                  "engine_calls": any_list})), **errors(400, 404)},
            body=json_body(subject, {"customer": "maria@example.com"})),
        ("POST", "/api/v1/privacy/purges"): op("Run the retention purge now (TOLK_RETENTION_DAYS_*)", {
            "200": ok(record({"purged": obj(additionalProperties=integer()),
                              "retention_days": obj(additionalProperties=integer())}))}),
        ("GET", "/api/v1/egress"): op("The egress audit: per engine call, which engine, when, and what left", {
            "200": ok(record({"calls": array(record({
                "id": integer(), "engine": string(), "at": timestamp(), "source_lang": string(),
                "target_lang": string(), "segments": integer(), "characters": integer(),
                "billed_characters": integer(), "ok": boolean(), "error_code": nullable(string()), "sent": {}})),
                "next_before": nullable(integer()), "egress_log": enum(("off", "hash", "full"))})), **errors(400)},
            params=[query("limit", integer(minimum=1, maximum=200), "default 50"),
                    query("before", integer(minimum=1, maximum=MAX_ID), "the `next_before` of the previous page"),
                    query("engine", string(32)), query("since", string(format="date-time"), "ISO date or time")],
            description="`sent` is what TOLK_EGRESS_LOG kept: SHA-256 hashes of the payloads (`hash`), the masked "
                        "payloads (`full`), or null (`off`, or removed by retention or erasure)."),
    }
