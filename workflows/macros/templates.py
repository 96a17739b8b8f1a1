"""Reply templates ("macros"): validated sources with named variables and plural variants, and their
translations per locale.

A translation is tracked against the template's source ``version``: editing the source makes older
translations outdated, and an outdated or fuzzy translation never reaches a customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.errors import Conflict, NotFound, ValidationError
from tolk.languages import UnknownLanguage, canonical, check
from workflows.locales import PluralRule, plural_rule
from workflows.macros.forms import (
    VARIABLE,
    effective_state,
    expected_forms,
    form_problems,
    is_outdated,
    template_variables,
    variables_in,
)
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation

TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
TEMPLATE_FIELDS = ("id", "title", "source_locale", "source_text", "source_plural", "plural_variable",
                   "comment", "critical")
_SOURCE_FIELDS = ("source_text", "source_plural", "plural_variable")


def _check_braces(name: str, text: str) -> None:
    stray = VARIABLE.sub("", text)
    if "{" in stray or "}" in stray:
        raise ValidationError(f"'{name}' has a brace that is not part of a {{variable}}", details={"field": name})





def get_template(session: Session, template_id: str) -> ReplyTemplate:
    """The template ``template_id``; NotFound when there is none."""
    found = session.get(ReplyTemplate, template_id)
    if found is None:
        raise NotFound(f"no reply template {template_id!r}")
    return found


def _optional_text(body: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = body[name]
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"'{name}' must be a string", details={"field": name})
    if len(value) > limit:
        raise ValidationError(f"'{name}' is longer than {limit} characters", details={"field": name})
    return value


def validate_template(body: Mapping[str, Any], *, existing: ReplyTemplate | None = None) -> dict[str, Any]:
    """Validated column values of a template from ``body`` (all of it on create, a patch on update)."""
    unknown = sorted(set(body) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(unknown)}", details={"fields": unknown})
    out: dict[str, Any] = {}
    if existing is None:
        tid = body.get("id")
        if not isinstance(tid, str) or not TEMPLATE_ID.match(tid):
            raise ValidationError("'id' is required: 1-80 lowercase letters, digits, '_', '.' or '-'",
                                  details={"field": "id"})
        out["id"] = tid
        if not body.get("source_text"):
            raise ValidationError("'source_text' is required", details={"field": "source_text"})
    elif "id" in body and body["id"] != existing.id:
        raise ValidationError("'id' cannot be changed", details={"field": "id"})
    if "source_locale" in body:
        if existing is not None and body["source_locale"] != existing.source_locale:
            raise ValidationError("'source_locale' cannot be changed", details={"field": "source_locale"})
        try:
            out["source_locale"] = canonical(str(body["source_locale"]))
        except UnknownLanguage as exc:
            raise ValidationError(f"'source_locale': {exc}", code="unknown_language") from exc
    if "title" in body:
        out["title"] = _optional_text(body, "title", 200) or ""
    for name in ("source_text", "source_plural", "comment"):
        if name in body:
            out[name] = _optional_text(body, name, 10000)
            if name != "comment" and out[name] is not None:
                _check_braces(name, out[name])
    if "source_text" in out and not (out["source_text"] or "").strip():
        raise ValidationError("'source_text' must not be empty", details={"field": "source_text"})
    if "plural_variable" in body:
        value = body["plural_variable"]
        if value is not None and (not isinstance(value, str) or not VARIABLE.fullmatch("{" + value + "}")):
            raise ValidationError("'plural_variable' must be a variable name such as 'count'",
                                  details={"field": "plural_variable"})
        out["plural_variable"] = value
    if "critical" in body:
        if not isinstance(body["critical"], bool):
            raise ValidationError("'critical' must be true or false", details={"field": "critical"})
        out["critical"] = body["critical"]
    merged = {name: out.get(name, getattr(existing, name, None)) for name in _SOURCE_FIELDS}
    plural, count = merged["source_plural"], merged["plural_variable"]
    if (plural is None) != (count is None):
        raise ValidationError("'source_plural' and 'plural_variable' go together: give both or neither",
                              details={"field": "plural_variable"})
    if count is not None and count not in variables_in(merged["source_text"]) | variables_in(plural):
        raise ValidationError(f"'plural_variable' {count!r} does not appear in the source as {{{count}}}",
                              details={"field": "plural_variable"})
    return out


def create_template(session: Session, body: Mapping[str, Any]) -> ReplyTemplate:
    """Create a template; Conflict when the id is taken."""
    values = validate_template(body)
    if session.get(ReplyTemplate, values["id"]) is not None:
        raise Conflict(f"reply template {values['id']!r} exists")
    template = ReplyTemplate(version=1, **values)
    session.add(template)
    session.flush()
    return template


def update_template(session: Session, template: ReplyTemplate, body: Mapping[str, Any]) -> bool:
    """Apply a patch; a changed source bumps the version (older translations become outdated)."""
    values = validate_template(body, existing=template)
    source_changed = any(name in values and values[name] != getattr(template, name) for name in _SOURCE_FIELDS)
    for name, value in values.items():
        setattr(template, name, value)
    if source_changed:
        template.version += 1
    session.flush()
    return source_changed


def check_translation(template: ReplyTemplate, locale: str, forms: Any,
                      rule: PluralRule | None = None) -> list[str]:
    """Validate translated forms for ``locale`` under ``rule`` (default: the locale's current rule):
    count, strings, braces and placeholders."""
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
        raise ValidationError("'forms' must be a non-empty list of strings", details={"field": "forms"})
    want = expected_forms(template, locale, rule)
    if len(forms) != want:
        if template.source_plural is None:
            what = "it has no plural"
        elif rule is None:
            what = f"{locale} has {want} plural form(s)"
        else:
            what = f"its plural rule is {rule.header}"
        raise ValidationError(f"template {template.id} needs {want} form(s) in {locale} ({what}), got {len(forms)}",
                              details={"field": "forms"})
    if not all(f.strip() for f in forms):
        raise ValidationError("every form must be translated (no empty forms)", details={"field": "forms"})
    for i, form in enumerate(forms):
        _check_braces(f"forms[{i}]", form)
    problems = form_problems(template.source_text, template.source_plural, forms,
                             plural_variable=template.plural_variable)
    if problems:
        raise ValidationError("; ".join(problems), details={"field": "forms", "problems": problems})
    return list(forms)


KEEP: Any = object()  # save_translation: leave the translator comment as it is


def save_translation(session: Session, template: ReplyTemplate, locale: str, forms: Sequence[str], *,
                     state: TemplateState, reviewed_by: str | None = None,
                     translator_comment: str | None = KEEP, source_version: int | None = None,
                     rule: PluralRule | None = None) -> TemplateTranslation:
    """Create or replace the translation of ``template`` into ``locale`` (validated), storing the plural
    rule its forms follow: ``rule`` (e.g. a PO file's Plural-Forms), else the locale's current rule."""
    tag = check(locale)
    if tag == template.source_locale:
        raise ValidationError(f"{tag} is the source locale of template {template.id}")
    if template.source_plural is None:
        rule = None
    elif rule is None:
        rule = plural_rule(tag)
    checked = check_translation(template, tag, list(forms) if isinstance(forms, (list, tuple)) else forms, rule)
    row = session.scalar(select(TemplateTranslation).where(TemplateTranslation.template_id == template.id,
                                                           TemplateTranslation.locale == tag))
    if row is None:
        row = TemplateTranslation(template=template, locale=tag)
        session.add(row)
    row.forms = checked
    row.nplurals, row.plural_expr = (rule.nplurals, rule.expression) if rule is not None else (None, None)
    row.state = state
    row.source_version = template.version if source_version is None else source_version
    row.reviewed_by = reviewed_by if state == TemplateState.REVIEWED else None
    if translator_comment is not KEEP:
        row.translator_comment = translator_comment
    session.flush()
    return row


def translation_to_dict(row: TemplateTranslation, template: ReplyTemplate) -> dict[str, Any]:
    """A JSON-ready translation."""
    return {"locale": row.locale, "forms": list(row.forms), "state": row.state.value,
            "effective_state": effective_state(row, template).value, "outdated": is_outdated(row, template),
            "source_version": row.source_version, "translator_comment": row.translator_comment,
            "reviewed_by": row.reviewed_by, "updated_at": row.updated_at.isoformat() if row.updated_at else None}


def template_to_dict(template: ReplyTemplate, *, translations: bool = True) -> dict[str, Any]:
    """A JSON-ready template, with its translations (full, or a state per locale)."""
    out: dict[str, Any] = {"id": template.id, "title": template.title, "source_locale": template.source_locale,
                           "source_text": template.source_text, "source_plural": template.source_plural,
                           "plural_variable": template.plural_variable, "comment": template.comment,
                           "critical": template.critical, "version": template.version,
                           "variables": sorted(template_variables(template))}
    rows = sorted(template.translations, key=lambda r: r.locale)
    if translations:
        out["translations"] = [translation_to_dict(r, template) for r in rows]
    else:
        out["locales"] = {r.locale: effective_state(r, template).value for r in rows}
    return out
