"""Admin pages for glossaries: the list, TBX/CSV import, one glossary's entries, adding and deleting one."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select

from glossaries.file_import import INLINE, import_glossary
from glossaries.models import Glossary
from glossaries.store import (
    add_concept,
    concept_from_dict,
    delete_concept,
    get_glossary,
    glossary_to_dict,
)
from glossaries.terms import GlossaryFormatError
from tolk.auth import audit, require
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import Role
from tolk.web import commit_or_rollback, form_flag, page_errors, register_nav

bp = Blueprint("glossary_pages", __name__)
page_errors(bp)


@bp.get("/admin/glossaries")
@require(Role.ADMIN)
def admin_glossaries():
    rows = [glossary_to_dict(g) for g in db.session.scalars(select(Glossary).order_by(Glossary.name))]
    return render_template("admin/glossaries.html", glossaries=rows)


@bp.post("/admin/glossaries/import")
@require(Role.ADMIN)
def admin_glossary_import():
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(_("Choose a TBX or CSV file to import."))
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_("The file is larger than %(bytes)d bytes.", bytes=max_bytes))
    name = request.form.get("name", "").strip() or upload.filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    replace = form_flag("replace")
    try:
        job, stored = commit_or_rollback(lambda: import_glossary(
            db.session, data, upload.filename or "", name=name, replace=replace, actor=g.tolk_user.name))
    except GlossaryFormatError as exc:
        # The error names the line or element itself.
        raise ValidationError(_("Import refused, nothing was stored: %(error)s", error=str(exc))) from exc
    if job.id != INLINE:
        flash(_("The file is being imported by a worker (job %(job)s); nothing is stored unless all of it is.",
                job=job.id), "success")
        return redirect(url_for("glossary_pages.admin_glossaries"), code=303)
    flash(_("Imported %(count)d entries into %(name)s.", count=stored, name=name), "success")
    return redirect(url_for("glossary_pages.admin_glossary", name=name), code=303)


@bp.get("/admin/glossaries/<name>")
@require(Role.ADMIN)
def admin_glossary(name: str):
    glossary = glossary_to_dict(get_glossary(db.session, name), entries=True)
    return render_template("admin/glossary.html", glossary=glossary)


@bp.post("/admin/glossaries/<name>/entries")
@require(Role.ADMIN)
def admin_glossary_add(name: str):
    glossary = get_glossary(db.session, name)
    terms = [{"lang": glossary.source_lang, "text": request.form.get("source_term", "").strip()}]
    target_lang, target = request.form.get("target_lang", "").strip(), request.form.get("target_term", "").strip()
    if not terms[0]["text"]:
        raise ValidationError(_("The source term is empty."))
    if target_lang and target:
        terms.append({"lang": target_lang, "text": target})
    concept = concept_from_dict({"terms": terms, "do_not_translate": form_flag("do_not_translate"),
                                 "note": request.form.get("note", "").strip() or None})

    def store():
        row = add_concept(db.session, glossary, concept)
        audit("glossary.entry_added", "glossary", name, detail={"entry": row.id})

    commit_or_rollback(store)
    flash(_("Entry added."), "success")
    return redirect(url_for("glossary_pages.admin_glossary", name=name), code=303)


@bp.post("/admin/glossaries/<name>/entries/<int:entry_id>/delete")
@require(Role.ADMIN)
def admin_glossary_delete_entry(name: str, entry_id: int):
    def remove():
        delete_concept(db.session, get_glossary(db.session, name), entry_id)
        audit("glossary.entry_deleted", "glossary", name, detail={"entry": entry_id})

    commit_or_rollback(remove)
    flash(_("Entry deleted."), "success")
    return redirect(url_for("glossary_pages.admin_glossary", name=name), code=303)


def init_app(app: Flask) -> None:
    """Register the glossary pages and their entry in the administration menu."""
    app.register_blueprint(bp)
    register_nav(app, lazy_gettext("Glossaries"), "glossary_pages.admin_glossaries", {Role.ADMIN}, 10,
                 section="admin")
