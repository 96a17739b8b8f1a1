"""The XLIFF hand-off endpoints' contract: export an article locale as XLIFF, import it back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tolk.schema import (
    Schema,
    enum,
    errors,
    integer,
    nullable,
    ok,
    op,
    query,
    record,
    ref,
    string,
    upload_body,
)

TAGS = {"kb_xliff_api": "knowledge base"}
XLIFF_MEDIA_TYPE = "application/xliff+xml"


def components() -> dict[str, Schema]:
    """None of its own: answers use the knowledge base's ``ArticleLocale``."""
    return {}


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """Export and import of an article locale as XLIFF, keyed by (method, Flask rule)."""
    rule = "/api/v1/articles/<slug>/locales/<locale>/xliff"
    return {
        ("GET", rule): op("An article locale as XLIFF 2.1 (or 2.0, 1.2) for an outside translator", {
            "200": ok(string(), "The XLIFF file", XLIFF_MEDIA_TYPE), **errors(400, 404)},
            params=[query("version", enum(("2.1", "2.0", "1.2")), "XLIFF version (default 2.1)")],
            description="One segment per sentence of the current revision (the title first), inline markup as "
                        "codes, the draft (state translated) or published (final) text as targets, and notes."),
        ("POST", rule): op("Import a translated XLIFF file as the locale's draft (checked; never published)", {
            "200": ok(record({"segments": integer(), "review_id": nullable(integer()),
                              "locale": ref("ArticleLocale")}), "Imported"),
            **errors(400, 404, 409, 413)},
            body=upload_body({}, "The XLIFF 2.x or 1.2 file as multipart `file` (or the raw body)"),
            description="A file that is not an export of the article's current revision, lacks a translation, "
                        "or adds inline codes is refused whole: 400 `invalid_file` with the reason and line. "
                        "Critical articles and drafts with critical findings go to native review."),
    }
