"""PO import: all or nothing, states kept or raised by who imports, rules stored with the forms."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import polib
from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.auth import require_language
from tolk.languages import UnknownLanguage, canonical, check
from tolk.models import Role, User
from workflows.catalogs.export import all_templates, follows
from workflows.catalogs.po import CatalogError, decode_po, header_line, read_po
from workflows.locales import PluralRule, parse_plural_header, plural_rule
from workflows.macros import VARIABLE, effective_state, form_problems, save_translation
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation

_STATE_RANK = {TemplateState.FUZZY: 0, TemplateState.TRANSLATED: 1, TemplateState.REVIEWED: 2}




@dataclass
class ImportReport:
    """What an import did, by template id."""

    locale: str
    state: str  # the state non-fuzzy entries were given: translated | reviewed
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)  # msgid no longer the source: skipped

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _import_locale(po: polib.POFile, text: str, locale: str | None) -> str:
    header = (po.metadata.get("Language") or "").strip()
    line = header_line(text, "Language")
    from_header = None
    if header:
        try:
            from_header = canonical(header)
        except UnknownLanguage as exc:
            raise CatalogError([(line, f"Language header: {exc}")]) from None
    if locale is None:
        if from_header is None:
            raise CatalogError([(None, "the file has no Language header: say which locale it is")])
        return from_header
    tag = check(locale)
    if from_header is not None and from_header != tag:
        raise CatalogError([(line, f"the Language header says {header!r}, but the catalog is imported as {tag}")])
    return tag


def _unchanged(row: TemplateTranslation, template: ReplyTemplate, forms: list[str], comment: str | None,
               state: TemplateState, rule: PluralRule) -> bool:
    # An unchanged entry keeps the state it had when that is better (re-importing an export does not
    # demote reviewed translations); forms written for another plural rule are a change.
    if template.source_plural is not None and not follows(row, rule):
        return False
    if list(row.forms) != forms or row.translator_comment != comment:
        return False
    now = effective_state(row, template)
    return now == state or (state != TemplateState.FUZZY and _STATE_RANK[now] >= _STATE_RANK[state])


def import_catalog(session: Session, data: bytes, *, locale: str | None = None,
                   importer: User | None = None) -> ImportReport:
    """Import a PO file of reply-template translations, all or nothing (see the module docstring).

    Plural forms are stored with the file's Plural-Forms rule, the one they were written with (read_po
    has checked it and every entry's number of forms); a file without one follows the locale's current rule.
    """
    po = read_po(data)
    text = decode_po(data)
    tag = _import_locale(po, text, locale)
    header = po.metadata.get("Plural-Forms")
    rule = parse_plural_header(header) if header and "INTEGER" not in header else plural_rule(tag)
    given = TemplateState.TRANSLATED
    if importer is not None and importer.role == Role.REVIEWER:
        require_language(importer, tag)
        given = TemplateState.REVIEWED
    report = ImportReport(locale=tag, state=given.value)

    templates = {t.id: t for t in all_templates(session)}
    errors: list[tuple[int | None, str]] = []
    pending: list[tuple[ReplyTemplate, list[str], bool, str | None]] = []
    for entry in po:
        if entry.obsolete:
            continue
        line = entry.linenum
        template = templates.get(entry.msgctxt or "")
        if not entry.msgctxt:
            errors.append((line, "entry has no msgctxt: it must name a reply template id"))
            continue
        if template is None:
            errors.append((line, f"unknown reply template {entry.msgctxt!r} (msgctxt)"))
            continue
        if template.source_locale == tag:
            errors.append((line, f"{tag} is the source locale of template {template.id}"))
            continue
        if bool(entry.msgid_plural) != (template.source_plural is not None):
            has = "has" if template.source_plural is not None else "has no"
            errors.append((line, f"template {template.id} {has} a plural form; the entry does not match"))
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
            if len(forms) != rule.nplurals:
                errors.append((line, f"has {len(forms)} plural form(s); {tag} needs {rule.nplurals} "
                                     f"(Plural-Forms: {rule.header})"))
                continue
        else:
            forms = [entry.msgstr]
        if entry.msgid != template.source_text or (entry.msgid_plural or None) != template.source_plural:
            report.outdated.append(template.id)
            continue
        if not any(forms):
            report.untranslated.append(template.id)
            continue
        if not all(f.strip() for f in forms):
            errors.append((line, "some plural forms are empty: translate every form or none"))
            continue
        problems = form_problems(template.source_text, template.source_plural, forms,
                                 plural_variable=template.plural_variable)
        for i, form in enumerate(forms):
            if "{" in VARIABLE.sub("", form) or "}" in VARIABLE.sub("", form):
                problems.append(f"form {i} has a brace that is not part of a {{variable}}")
        if problems:
            errors.extend((line, p) for p in problems)
            continue
        pending.append((template, forms, "fuzzy" in entry.flags, entry.tcomment or None))
    if errors:
        raise CatalogError(errors)

    existing = {r.template_id: r for r in session.scalars(
        select(TemplateTranslation).where(TemplateTranslation.locale == tag))}
    for template, forms, fuzzy, comment in pending:
        state = TemplateState.FUZZY if fuzzy else given
        row = existing.get(template.id)
        if row is not None and _unchanged(row, template, forms, comment, state, rule):
            report.unchanged.append(template.id)
            continue
        save_translation(session, template, tag, forms, state=state,
                         reviewed_by=importer.name if state == TemplateState.REVIEWED and importer else None,
                         translator_comment=comment, rule=rule)
        (report.updated if row is not None else report.created).append(template.id)
        if fuzzy:
            report.fuzzy.append(template.id)
    return report
