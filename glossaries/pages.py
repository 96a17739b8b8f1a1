"""Admin pages for glossaries: the list, TBX/CSV import, one glossary's entries a page at a time with a term
search, adding an entry, and deleting an entry or a whole glossary after a confirmation step."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from glossaries.file_import import INLINE, import_glossary
from glossaries.listing import (
    add_entry,
    check_search,
    delete_entry,
    delete_glossary,
    entries_page,
    entry_count,
    entry_from_form,
    find_entry,
    glossary_page,
)
from glossaries.store import concept_to_dict, find_glossary
from glossaries.terms import GlossaryFormatError
from tolk.auth import audit, require
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import Role
from tolk.pagination import first_page_url, next_page_url, page_request
from tolk.web import commit_or_rollback, form_flag, page_errors, register_nav

bp = Blueprint("glossary_pages", __name__)
page_errors(bp)

#: Rows per page (default, maximum) of the glossary list and of one glossary's entries.
GLOSSARIES_PAGE = (50, 200)
ENTRIES_PAGE = (50, 200)


@bp.get("/admin/glossaries")
@require(Role.ADMIN)
def admin_glossaries():
    page = glossary_page(db.session, page_request(default=GLOSSARIES_PAGE[0], maximum=GLOSSARIES_PAGE[1]))
    return render_template("admin/glossaries.html", glossaries=page.items, next_url=next_page_url(page),
                           first_url=first_page_url())


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


def _glossary_page(name: str, form: dict[str, Any] | None = None, error: str | None = None, status: int = 200):
    glossary = find_glossary(db.session, name)
    term = check_search(request.args.get("term"))
    page = entries_page(db.session, glossary, page_request(default=ENTRIES_PAGE[0], maximum=ENTRIES_PAGE[1]),
                        term=term)
    return render_template("admin/glossary.html", glossary=glossary, count=entry_count(db.session, glossary),
                           entries=[concept_to_dict(row) for row in page.items], term=term or "",
                           next_url=next_page_url(page), first_url=first_page_url(), form=form or {},
                           error=error), status


@bp.get("/admin/glossaries/<name>")
@require(Role.ADMIN)
def admin_glossary(name: str):
    return _glossary_page(name)


@bp.post("/admin/glossaries/<name>/entries")
@require(Role.ADMIN)
def admin_glossary_add(name: str):
    glossary = find_glossary(db.session, name)
    form = {key: request.form.get(key, "") for key in ("source_term", "target_lang", "target_term", "note")}
    try:
        concept = entry_from_form(glossary.source_lang, form["source_term"], form["target_lang"], form["target_term"],
                                  do_not_translate=form_flag("do_not_translate"), note=form["note"].strip())
    except ValidationError as exc:
        return _glossary_page(name, {**form, "do_not_translate": form_flag("do_not_translate")}, exc.message, 400)

    def store():
        row = add_entry(db.session, glossary, concept)
        audit("glossary.entry_added", "glossary", name, detail={"entry": row.id})

    commit_or_rollback(store)
    flash(_("Entry added."), "success")
    return redirect(url_for("glossary_pages.admin_glossary", name=name), code=303)


@bp.get("/admin/glossaries/<name>/entries/<int:entry_id>/delete")
@require(Role.ADMIN)
def admin_glossary_confirm_delete_entry(name: str, entry_id: int):
    glossary = find_glossary(db.session, name)
    entry = concept_to_dict(find_entry(db.session, glossary, entry_id))
    return render_template("admin/glossary_delete_entry.html", glossary=glossary, entry=entry)


@bp.post("/admin/glossaries/<name>/entries/<int:entry_id>/delete")
@require(Role.ADMIN)
def admin_glossary_delete_entry(name: str, entry_id: int):
    def remove():
        delete_entry(db.session, find_glossary(db.session, name), entry_id)
        audit("glossary.entry_deleted", "glossary", name, detail={"entry": entry_id})

    commit_or_rollback(remove)
    flash(_("Entry deleted."), "success")
    return redirect(url_for("glossary_pages.admin_glossary", name=name), code=303)


@bp.get("/admin/glossaries/<name>/delete")
@require(Role.ADMIN)
def admin_glossary_confirm_delete(name: str):
    glossary = find_glossary(db.session, name)
    return render_template("admin/glossary_delete.html", glossary=glossary, count=entry_count(db.session, glossary))


@bp.post("/admin/glossaries/<name>/delete")
@require(Role.ADMIN)
def admin_glossary_delete(name: str):
    if request.form.get("confirm_name", "").strip() != name:
        raise ValidationError(_("Type the glossary's name to confirm that it is to be deleted."))

    def remove() -> int:
        count = delete_glossary(db.session, find_glossary(db.session, name))
        audit("glossary.deleted", "glossary", name, detail={"entries": count})
        return count

    count = commit_or_rollback(remove)
    flash(_("Glossary %(name)s deleted with its %(count)d entries.", name=name, count=count), "success")
    return redirect(url_for("glossary_pages.admin_glossaries"), code=303)


def init_app(app: Flask) -> None:
    """Register the glossary pages and their entry in the administration menu."""
    app.register_blueprint(bp)
    register_nav(app, lazy_gettext("Glossaries"), "glossary_pages.admin_glossaries", {Role.ADMIN}, 10,
                 section="admin")
