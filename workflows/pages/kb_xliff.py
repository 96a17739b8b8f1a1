"""KB editor pages for the XLIFF hand-off: download a locale as XLIFF, upload the translated file."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import Role
from tolk.validation import uploaded_file
from tolk.web import page_errors
from workflows import kb
from workflows.kb import xliff

bp = Blueprint("kb_xliff_pages", __name__)
page_errors(bp)


def _locale(locale: str) -> str:
    try:
        return canonical(locale)
    except UnknownLanguage as exc:
        raise ValidationError(_("Unknown locale %(locale)s.", locale=locale)) from exc


@bp.get("/kb-editor/<slug>/xliff/<locale>")
@require(Role.EDITOR)
def kb_xliff_export(slug: str, locale: str):
    version = request.args.get("version", "2.1")
    if version not in xliff.VERSIONS:
        raise ValidationError(_("XLIFF version %(version)s is not offered.", version=version))
    tag = _locale(locale)
    data = xliff.export_locale(kb.get_article(db.session, slug), tag, version)
    return Response(data, mimetype=xliff.MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{slug}.{tag}.xlf"'})


@bp.post("/kb-editor/<slug>/xliff/<locale>")
@require(Role.EDITOR)
def kb_xliff_import(slug: str, locale: str):
    article = kb.get_article(db.session, slug)
    tag = _locale(locale)
    data, _filename = uploaded_file()
    try:
        done = xliff.import_locale(db.session, article, tag, data, signed_in_user().name)
    except xliff.XliffError as exc:
        db.session.rollback()
        raise ValidationError(_("The XLIFF file was not imported: %(reason)s", reason=str(exc))) from exc
    db.session.commit()
    if done.review_id is not None:
        flash(_("Imported %(count)d segments into %(locale)s; the draft is in native review.",
                count=done.segments, locale=tag), "success")
    else:
        flash(_("Imported %(count)d segments into %(locale)s as a draft: preview it, then publish.",
                count=done.segments, locale=tag), "success")
    return redirect(url_for("kb_editor_pages.kb_article", slug=slug), code=303)
