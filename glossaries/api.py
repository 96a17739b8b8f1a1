"""Glossary API: list, create, read, delete; entries; import and export (TBX, CSV)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from glossaries.contract import ENTRIES_PAGE, GLOSSARIES_PAGE
from glossaries.csv_format import write_csv
from glossaries.formats import read_glossary
from glossaries.listing import check_search, entries_page, find_glossary, glossary_page
from glossaries.models import Glossary
from glossaries.store import (
    add_concept,
    concept_from_dict,
    concept_to_dict,
    delete_concept,
    get_glossary,
    glossary_to_dict,
    replace_concept,
    save_termbase,
    to_termbase,
)
from glossaries.tbx import write_tbx
from glossaries.terms import GlossaryFormatError, Termbase, validate_lang
from tolk.auth import audit, require
from tolk.db import db
from tolk.errors import Conflict, TolkError, ValidationError
from tolk.models import Role
from tolk.pagination import page_request, page_response
from tolk.validation import json_object, uploaded_file

bp = Blueprint("glossaries_api", __name__, url_prefix="/api/v1/glossaries")

EXPORTS = {"tbx": "application/x-tbx+xml", "csv": "text/csv; charset=utf-8"}


def export_glossary(termbase: Termbase, fmt: str) -> bytes:
    return write_tbx(termbase) if fmt == "tbx" else write_csv(termbase)


@bp.get("")
@require()
def list_glossaries():
    """Glossaries by name, a page at a time (tolk.pagination)."""
    page = glossary_page(db.session, page_request(default=GLOSSARIES_PAGE[0], maximum=GLOSSARIES_PAGE[1]))
    return page_response("glossaries", page.items, page)


@bp.get("/<name>/entries")
@require()
def list_entries(name: str):
    """The glossary's entries in the order they were added, a page at a time; ``term`` searches them."""
    glossary = find_glossary(db.session, name)
    page = entries_page(db.session, glossary, page_request(default=ENTRIES_PAGE[0], maximum=ENTRIES_PAGE[1]),
                        term=check_search(request.args.get("term")))
    return page_response("entries", page.items, page, concept_to_dict)


@bp.post("")
@require(Role.ADMIN)
def create_glossary():
    body = json_object()
    name = body["name"]
    try:
        source = validate_lang(body["source_lang"])
    except ValueError as exc:
        raise ValidationError(str(exc), code="unknown_language") from exc
    if db.session.scalar(select(Glossary).where(Glossary.name == name)):
        raise Conflict(f"glossary {name!r} exists")
    glossary = Glossary(name=name, source_lang=source,
                        description=body.get("description") or "")
    db.session.add(glossary)
    audit("glossary.created", "glossary", name)
    db.session.commit()
    return jsonify(glossary_to_dict(glossary, entries=True)), 201


@bp.get("/<name>")
@require()
def show_glossary(name: str):
    return jsonify(glossary_to_dict(get_glossary(db.session, name), entries=True))


@bp.delete("/<name>")
@require(Role.ADMIN)
def delete_glossary(name: str):
    db.session.delete(get_glossary(db.session, name))
    audit("glossary.deleted", "glossary", name)
    db.session.commit()
    return "", 204


@bp.post("/<name>/entries")
@require(Role.ADMIN)
def add_entry(name: str):
    glossary = get_glossary(db.session, name)
    row = add_concept(db.session, glossary, concept_from_dict(json_object()))
    audit("glossary.entry_added", "glossary", name, detail={"entry": row.id})
    db.session.commit()
    return jsonify(concept_to_dict(row)), 201


@bp.put("/<name>/entries/<int:entry_id>")
@require(Role.ADMIN)
def update_entry(name: str, entry_id: int):
    glossary = get_glossary(db.session, name)
    row = replace_concept(db.session, glossary, entry_id, concept_from_dict(json_object()))
    audit("glossary.entry_updated", "glossary", name, detail={"entry": entry_id})
    db.session.commit()
    return jsonify(concept_to_dict(row))


@bp.delete("/<name>/entries/<int:entry_id>")
@require(Role.ADMIN)
def delete_entry(name: str, entry_id: int):
    delete_concept(db.session, get_glossary(db.session, name), entry_id)
    audit("glossary.entry_deleted", "glossary", name, detail={"entry": entry_id})
    db.session.commit()
    return "", 204


@bp.post("/import")
@require(Role.ADMIN)
def import_glossary():
    """Multipart ``file`` (or a raw body with ``?filename=``), ``name``, optional ``replace``."""
    data, filename = uploaded_file()
    name = request.values.get("name") or filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    replace = request.values.get("replace", "false").lower() in {"1", "true", "yes"}
    try:
        termbase = read_glossary(data, filename, max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    except GlossaryFormatError as exc:
        raise TolkError(str(exc), code="invalid_file", status=400,
                        details={k: v for k, v in (("line", exc.line), ("element", exc.element)) if v}) from exc
    glossary = save_termbase(db.session, termbase, name=name, replace=replace)
    audit("glossary.imported", "glossary", glossary.name, detail={"entries": len(termbase.concepts),
                                                                  "replace": replace})
    db.session.commit()
    return jsonify(glossary_to_dict(glossary)), 201


@bp.get("/<name>/export")
@require()
def export(name: str):
    fmt = request.args.get("format", "tbx")
    if fmt not in EXPORTS:
        raise ValidationError("format must be tbx or csv")
    data = export_glossary(to_termbase(get_glossary(db.session, name)), fmt)
    return Response(data, mimetype=EXPORTS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
