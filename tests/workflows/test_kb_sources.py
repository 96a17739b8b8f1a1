"""KB article sources: Markdown kept as written, and locales checked against the configuration."""

from __future__ import annotations

from tests.factories import make_article

MARKDOWN = "## Returns\n\nPack the item **carefully**.\n\n- Print the *label*\n- Drop it off\n"


def test_markdown_is_stored_as_written_and_rendered_sanitized(client, editor):
    created = make_article(client, editor, body=MARKDOWN + "\n<script>x()</script>", format="markdown")
    assert created.status_code == 201, created.json
    assert (created.json["source_format"], created.json["source"]) == ("markdown", MARKDOWN + "\n<script>x()</script>")
    assert created.json["body_html"].startswith("<h2>Returns</h2>") and "<script>" not in created.json["body_html"]

    retitled = client.put("/api/v1/articles/shipping", json={"title": "Returns"}, headers=editor).json
    assert (retitled["source_format"], retitled["source"]) == ("markdown", MARKDOWN + "\n<script>x()</script>")

    edited = MARKDOWN.replace("carefully", "with care")
    changed = client.put("/api/v1/articles/shipping", json={"body": edited, "format": "markdown"}, headers=editor).json
    assert (changed["revision"], changed["source"]) == (3, edited)
    assert "<strong>with care</strong>" in changed["body_html"]

    as_html = client.put("/api/v1/articles/shipping", json={"body": "<p>Plain.</p>"}, headers=editor).json
    assert (as_html["source_format"], as_html["source"]) == ("html", "<p>Plain.</p>")


def test_a_whitespace_only_markdown_edit_is_a_new_revision_with_no_changed_segment(client, editor):
    make_article(client, editor, body=MARKDOWN, format="markdown")
    changed = client.put("/api/v1/articles/shipping", json={"body": MARKDOWN + "\n\n", "format": "markdown"},
                         headers=editor).json
    assert changed["revision"] == 2
    assert client.get("/api/v1/articles/shipping/diff", headers=editor).json["segments"] == []


def test_a_source_locale_that_is_not_a_language_is_refused(client, editor):
    response = make_article(client, editor, source_locale="english")
    assert response.status_code == 400
    assert response.json["error"]["code"] in ("invalid", "unknown_language")
    assert "source_locale" in str(response.json["error"])
    assert client.get("/api/v1/articles/shipping", headers=editor).status_code == 404


def test_targets_no_engine_or_reviewer_serves_are_accepted_with_warnings(client, editor, make_user):
    make_user("reviewer", languages="es", name="lucia")
    response = make_article(client, editor, target_locales=["es", "ar", "he"])
    assert response.status_code == 201, response.json
    codes = {(w["locale"], w["code"]) for w in response.json["warnings"]}
    assert {("ar", "no_engine"), ("ar", "no_reviewer"), ("he", "no_engine"), ("he", "no_reviewer"),
            ("he", "not_configured")} <= codes
    assert not {c for c in codes if c[0] == "es"}
    assert all(w["message"] for w in response.json["warnings"])

    added = client.put("/api/v1/articles/shipping", json={"target_locales": ["es", "he", "pl"]}, headers=editor).json
    assert ("pl", "no_reviewer") in {(w["locale"], w["code"]) for w in added["warnings"]}
    assert client.put("/api/v1/articles/shipping", json={"title": "T"}, headers=editor).json["warnings"] == []
