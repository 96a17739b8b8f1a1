"""XLIFF hand-off endpoints: export an article locale for an outside translator, import the file back."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from tolk.auth import current_user, require
from tolk.db import db
from tolk.errors import NotFound, TolkError, ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import Role
from tolk.validation import uploaded_file
from workflows import kb
from workflows.kb import xliff

bp = Blueprint("kb_xliff_api", __name__, url_prefix="/api/v1")


def _locale(locale: str) -> str:
    try:
        return canonical(locale)
    except UnknownLanguage as exc:
        raise NotFound(f"unknown locale {locale!r}") from exc


def xliff_error(exc: xliff.XliffError) -> TolkError:
    """The API error for a file that cannot be imported: 400 ``invalid_file`` with the reason and line."""
    return TolkError(str(exc), code="invalid_file", status=400, details={"reason": exc.reason, "line": exc.line})


@bp.get("/articles/<slug>/locales/<locale>/xliff")
@require(Role.EDITOR)
def export_xliff(slug: str, locale: str):
    version = request.args.get("version", "2.1")
    if version not in xliff.VERSIONS:
        raise ValidationError(f"'version' must be one of: {', '.join(xliff.VERSIONS)}", details={"field": "version"})
    article = kb.get_article(db.session, slug)
    tag = _locale(locale)
    data = xliff.export_locale(article, tag, version)
    name = f"{slug}.{tag}.xlf" if version != "1.2" else f"{slug}.{tag}.xliff12.xlf"
    return Response(data, mimetype=xliff.MEDIA_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/articles/<slug>/locales/<locale>/xliff")
@require(Role.EDITOR)
def import_xliff(slug: str, locale: str):
    article = kb.get_article(db.session, slug)
    tag = _locale(locale)
    data, _filename = uploaded_file()
    user = current_user()
    try:
        done = xliff.import_locale(db.session, article, tag, data, user.name if user is not None else "system")
    except xliff.XliffError as exc:
        db.session.rollback()
        raise xliff_error(exc) from exc
    db.session.commit()
    return jsonify({"segments": done.segments, "review_id": done.review_id,
                    "locale": kb.locale_to_dict(db.session, done.row)})
