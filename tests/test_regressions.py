"""Bugs found by generated requests (schemathesis), pinned at the level where they were fixed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tolk.errors import ValidationError
from workflows.models import ReplyStatus


@pytest.mark.parametrize("path", ["/api/v1/replies/99999999999999999999", "/api/v1/reviews/99999999999999999999"])
def test_ids_beyond_64_bits_are_not_found(client, admin_headers, path):
    assert client.get(path, headers=admin_headers).status_code == 404


def test_template_translation_forms_must_be_a_list(app):
    from tolk.db import db
    from workflows.macros import get_template, save_translation, seed_demo_templates
    from workflows.models import TemplateState

    with app.app_context():
        seed_demo_templates(db.session)
        template = get_template(db.session, "refund-confirmation")
        for forms in (5, "Hallo"):
            with pytest.raises(ValidationError):
                save_translation(db.session, template, "fr", forms, state=TemplateState.TRANSLATED)


def test_glossary_term_notes_must_be_strings():
    from glossaries.store import concept_from_dict

    with pytest.raises(ValidationError, match="part_of_speech"):
        concept_from_dict({"terms": [{"lang": "en", "text": "refund", "part_of_speech": 3}]})
    with pytest.raises(ValidationError, match="note"):
        concept_from_dict({"terms": [{"lang": "en", "text": "refund", "note": ["x"]}]})


def test_reply_list_limit_is_validated_before_the_database(app, make_user):
    from flask import g

    from workflows.api import list_replies

    user, _headers = make_user("agent")
    with app.test_request_context("/api/v1/replies?limit=abc"):
        from tolk.db import db
        from tolk.models import User

        g.tolk_user = db.session.get(User, user.id)
        with pytest.raises(ValidationError, match="whole number"):
            list_replies.__wrapped__()


@pytest.mark.parametrize("args", [["glossary", "export", "brand", "--format", "csv"], ["tm", "export"]])
def test_exports_without_output_write_the_file_to_stdout(app, runner, args):
    from glossaries.demo import seed_demo_glossary
    from tolk.db import db

    with app.app_context():
        seed_demo_glossary(db.session)
        db.session.commit()
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert (b"reembolso" if args[0] == "glossary" else b"<tmx") in result.stdout_bytes


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_reply_states_compare_by_their_order_not_their_names(op):
    """Every comparison follows drafted < in review < approved < released ("drafted" > "approved" by name)."""
    ordered = [ReplyStatus.DRAFTED, ReplyStatus.IN_REVIEW, ReplyStatus.APPROVED, ReplyStatus.RELEASED]
    compare = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               ">=": lambda a, b: a >= b}[op]
    for i, a in enumerate(ordered):
        for j, b in enumerate(ordered):
            assert compare(a, b) == compare(i, j), (a, op, b)


@pytest.mark.parametrize("body", [b"\x8f\x00garbage", b"[1, 2]", b"\"text\""])
@pytest.mark.parametrize("path", ["/api/v1/catalogs/es/prefill", "/api/v1/reviews/1/approve"])
def test_an_optional_body_that_is_not_a_json_object_is_refused(client, admin_headers, path, body):
    """An optional body may be absent, not malformed: bytes that are not a JSON object were read as "no
    body" and the catalog pre-filled (schemathesis, POST /catalogs/{locale}/prefill)."""
    response = client.post(path, data=body, headers={**admin_headers, "Content-Type": "application/json"})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] in ("invalid_json", "invalid")


def test_an_article_with_the_longest_slug_is_audited(app, client, editor):
    """A 120-character slug (the limit) overflowed the audit log's 64-character object id on PostgreSQL:
    the article was refused with a 500 (schemathesis, POST /articles). SQLite does not enforce lengths."""
    from tests.factories import make_article, translate_article
    from tolk.db import db
    from tolk.models import AuditEvent

    slug = "-".join(["a" * 59, "b" * 60])
    assert len(slug) == 120
    assert make_article(client, editor, slug=slug).status_code == 201
    translate_article(client, editor, slug=slug)
    with app.app_context():
        audited = set(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.object_type == "article")))
    assert slug in audited
