"""Glossary API: list, create, read, delete; entries; import and export (TBX, CSV)."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, url_for
from sqlalchemy import select

from glossaries import file_import
from glossaries.contract import ENTRIES_PAGE, GLOSSARIES_PAGE
from glossaries.csv_format import write_csv
from glossaries.import_jobs import job_to_dict
from glossaries.listing import check_search, entries_page, glossary_page, require_translation
from glossaries.models import Glossary, ImportJob
from glossaries.store import (
    add_concept,
    concept_from_dict,
    concept_to_dict,
    delete_concept,
    find_glossary,
    get_glossary,
    glossary_to_dict,
    load_termbase,
    replace_concept,
)
from glossaries.tbx import write_tbx
from glossaries.terms import GlossaryFormatError, Termbase, validate_lang
from tolk.auth import audit, require
from tolk.db import db
from tolk.errors import Conflict, NotFound, TolkError, ValidationError
from tolk.models import Role
from tolk.pagination import page_request, page_response
from tolk.validation import json_object, uploaded_file

bp = Blueprint("glossaries_api", __name__, url_prefix="/api/v1/glossaries")
imports_bp = Blueprint("imports_api", __name__, url_prefix="/api/v1/imports")

EXPORTS = {"tbx": "application/x-tbx+xml", "csv": "text/csv; charset=utf-8"}


def current_user_name() -> str | None:
    user = g.get("tolk_user")
    return user.name if user is not None else None


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
    row = add_concept(db.session, glossary, require_translation(concept_from_dict(json_object()), glossary.source_lang))
    audit("glossary.entry_added", "glossary", name, detail={"entry": row.id})
    db.session.commit()
    return jsonify(concept_to_dict(row)), 201


@bp.put("/<name>/entries/<int:entry_id>")
@require(Role.ADMIN)
def update_entry(name: str, entry_id: int):
    glossary = get_glossary(db.session, name)
    row = replace_concept(db.session, glossary, entry_id,
                          require_translation(concept_from_dict(json_object()), glossary.source_lang))
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
    """Multipart ``file`` (or a raw body with ``?filename=``), ``name``, optional ``replace``: a small file is
    stored at once (201), a larger one is queued as an import job (202, poll ``/api/v1/imports/<id>``)."""
    data, filename = uploaded_file()
    replace = request.values.get("replace", "false").lower() in {"1", "true", "yes"}
    try:
        job, _stored = file_import.import_glossary(db.session, data, filename, name=request.values.get("name"),
                                                  replace=replace, actor=current_user_name())
    except GlossaryFormatError as exc:
        db.session.rollback()
        raise TolkError(str(exc), code="invalid_file", status=400,
                        details={k: v for k, v in (("line", exc.line), ("element", exc.element)) if v}) from exc
    if job.id != file_import.INLINE:
        return (jsonify(job_to_dict(job)), 202, {"Location": url_for("imports_api.show_import", job_id=job.id)})
    db.session.commit()
    body = glossary_to_dict(find_glossary(db.session, job.options["name"]))
    return jsonify(body), 201


@imports_bp.get("/<job_id>")
@require(Role.ADMIN)
def show_import(job_id: str):
    """An import job: status, progress (done of total), and the error with its line if it failed."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"no import job {job_id!r}")
    return jsonify(job_to_dict(job))


@bp.get("/<name>/export")
@require()
def export(name: str):
    fmt = request.args.get("format", "tbx")
    if fmt not in EXPORTS:
        raise ValidationError("format must be tbx or csv")
    data = export_glossary(load_termbase(db.session, name), fmt)
    return Response(data, mimetype=EXPORTS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
