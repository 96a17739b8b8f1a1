"""API for locale profiles, reply templates (with their translations and rendering) and PO catalogs."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from tolk.auth import audit, current_user, require, require_language, signed_in_user
from tolk.db import db
from tolk.errors import Forbidden, NotFound, ValidationError
from tolk.languages import check
from tolk.models import Role
from tolk.validation import json_object, optional, optional_json_object, uploaded_file
from workflows import catalogs, locales, macros
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation

bp = Blueprint("locales_api", __name__, url_prefix="/api/v1")

PO_MIMETYPE = "text/x-gettext-translation; charset=utf-8"


# --- locale profiles ------------------------------------------------------------------------------


@bp.get("/locales")
@require()
def list_locales():
    return jsonify({"locales": [p.to_dict() for p in locales.list_profiles(db.session)]})


@bp.get("/locales/<locale>")
@require()
def read_locale(locale: str):
    return jsonify(locales.effective_profile(db.session, locale).to_dict())


@bp.put("/locales/<locale>")
@require(Role.ADMIN)
def put_locale(locale: str):
    """Create or update a profile: named fields change, others stay; ``null`` resets a field to inherited."""
    body = json_object()
    row, created = locales.update_profile(db.session, locale, body)
    audit("locale.created" if created else "locale.updated", "locale", row.locale, detail={"fields": sorted(body)})
    db.session.commit()
    return jsonify(locales.effective_profile(db.session, row.locale).to_dict()), 201 if created else 200


@bp.delete("/locales/<locale>")
@require(Role.ADMIN)
def delete_locale(locale: str):
    locales.delete_profile(db.session, locale)
    audit("locale.deleted", "locale", check(locale))
    db.session.commit()
    return "", 204


# --- reply templates ------------------------------------------------------------------------------


@bp.get("/templates")
@require()
def list_templates():
    rows = db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.id))
    return jsonify({"templates": [macros.template_to_dict(t, translations=False) for t in rows]})


@bp.post("/templates")
@require(Role.ADMIN, Role.EDITOR)
def create_template():
    template = macros.create_template(db.session, json_object())
    audit("template.created", "template", template.id)
    db.session.commit()
    return jsonify(macros.template_to_dict(template)), 201


@bp.get("/templates/<template_id>")
@require()
def read_template(template_id: str):
    return jsonify(macros.template_to_dict(macros.get_template(db.session, template_id)))


@bp.put("/templates/<template_id>")
@require(Role.ADMIN, Role.EDITOR)
def update_template(template_id: str):
    template = macros.get_template(db.session, template_id)
    changed = macros.update_template(db.session, template, json_object())
    audit("template.updated", "template", template.id,
          detail={"version": template.version, "source_changed": changed})
    db.session.commit()
    return jsonify(macros.template_to_dict(template))


@bp.delete("/templates/<template_id>")
@require(Role.ADMIN, Role.EDITOR)
def delete_template(template_id: str):
    db.session.delete(macros.get_template(db.session, template_id))
    audit("template.deleted", "template", template_id)
    db.session.commit()
    return "", 204


@bp.put("/templates/<template_id>/translations/<locale>")
@require(Role.ADMIN, Role.EDITOR, Role.REVIEWER)
def put_translation(template_id: str, locale: str):
    """Save ``forms`` (or ``text``); a reviewer of the language saves it reviewed, others translated."""
    user = signed_in_user()
    tag = check(locale)
    require_language(user, tag)
    template = macros.get_template(db.session, template_id)
    body = json_object()
    forms = body.get("forms")
    if forms is None and "text" in body:
        forms = [body["text"]]
    if forms is None:
        raise ValidationError("'forms' (a list) or 'text' is required", details={"field": "forms"})
    asked = body.get("state")
    if user.role == Role.REVIEWER:
        state = TemplateState.FUZZY if asked == "fuzzy" else TemplateState.REVIEWED
    elif asked == TemplateState.REVIEWED:
        raise Forbidden(f"only a reviewer of {tag} can mark a translation reviewed")
    else:
        state = TemplateState(asked or TemplateState.TRANSLATED)
    comment = body.get("translator_comment", macros.KEEP)
    row = macros.save_translation(db.session, template, tag, forms, state=state,
                                  reviewed_by=user.name if state == TemplateState.REVIEWED else None,
                                  translator_comment=comment)
    audit("template.translation_saved", "template", template.id, detail={"locale": tag, "state": state.value})
    db.session.commit()
    return jsonify(macros.translation_to_dict(row, template))


@bp.delete("/templates/<template_id>/translations/<locale>")
@require(Role.ADMIN, Role.EDITOR)
def delete_translation(template_id: str, locale: str):
    tag = check(locale)
    template = macros.get_template(db.session, template_id)
    row = db.session.scalar(select(TemplateTranslation).where(TemplateTranslation.template_id == template.id,
                                                              TemplateTranslation.locale == tag))
    if row is None:
        raise NotFound(f"template {template.id} has no {tag} translation")
    db.session.delete(row)
    audit("template.translation_deleted", "template", template.id, detail={"locale": tag})
    db.session.commit()
    return "", 204


@bp.post("/templates/<template_id>/render")
@require()
def render_template(template_id: str):
    """``{"locale", "variables", "wrap"}``; ``use_unreviewed`` previews drafts (not for agents)."""
    body = json_object()
    locale, variables = body["locale"], optional(body, "variables", {})
    use_unreviewed = bool(body.get("use_unreviewed"))
    if use_unreviewed and signed_in_user().role == Role.AGENT:
        raise Forbidden("agents send reviewed translations only; use_unreviewed is for previews")
    rendered = macros.render(db.session, template_id, locale, variables, use_unreviewed=use_unreviewed,
                             wrap=optional(body, "wrap", True))
    return jsonify(rendered.to_dict())


# --- catalogs -------------------------------------------------------------------------------------


def _po_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype=PO_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/catalogs/messages.pot")
@require()
def export_pot():
    return _po_response(catalogs.export_catalog(db.session), catalogs.POT_NAME)


@bp.get("/catalogs/<locale>.po")
@require()
def export_po(locale: str):
    tag = check(locale)
    return _po_response(catalogs.export_catalog(db.session, tag), catalogs.catalog_filename(tag))


@bp.post("/catalogs/import")
@require(Role.ADMIN, Role.EDITOR, Role.REVIEWER)
def import_po():
    """Multipart ``file`` (or the raw body), optional ``locale``; a refused file stores nothing."""
    data, _filename = uploaded_file()
    locale = request.values.get("locale") or None
    try:
        report = catalogs.import_catalog(db.session, data, locale=locale, importer=current_user())
    except Exception:
        db.session.rollback()
        raise
    audit("catalog.imported", "catalog", report.locale,
          detail={k: len(v) for k, v in report.to_dict().items() if isinstance(v, list)})
    db.session.commit()
    return jsonify(report.to_dict())


@bp.post("/catalogs/<locale>/prefill")
@require(Role.ADMIN, Role.EDITOR)
def prefill_catalog(locale: str):
    """Machine pre-fill of a locale's untranslated templates (stored fuzzy); ``{"glossary": name}``."""
    body = optional_json_object()
    glossary = body.get("glossary")
    report = catalogs.prefill(db.session, check(locale), glossary=glossary)
    audit("catalog.prefilled", "catalog", report.locale, detail={"filled": report.filled, "error": report.error})
    db.session.commit()
    return jsonify(report.to_dict())
