"""Catalogs written from the stored templates: one POT, one PO per locale, plural rules as stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polib
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tolk.db import utcnow
from tolk.languages import check, underscored
from workflows.catalogs.po import POT_NAME, catalog_filename, write_po
from workflows.locales import PluralRule, plural_rule
from workflows.macros import effective_state, plural_index, stored_rule, template_variables
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation


def _stamp(when: dt.datetime | None) -> str:
    return (when or utcnow()).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M+0000")


def _extracted(template: ReplyTemplate) -> str:
    lines = [template.title] if template.title else []
    if template.comment:
        lines.extend(template.comment.splitlines())
    names = sorted(template_variables(template))
    if names:
        lines.append("Variables: " + ", ".join("{" + n + "}" for n in names))
    if template.plural_variable:
        lines.append("Plural forms follow {" + template.plural_variable + "}.")
    if template.critical:
        lines.append("Critical: customers see this only after native review.")
    return "\n".join(lines)


def all_templates(session: Session) -> list[ReplyTemplate]:
    return list(session.scalars(select(ReplyTemplate).options(selectinload(ReplyTemplate.translations))
                                .order_by(ReplyTemplate.id)))


def catalog_rule(translations: Sequence[TemplateTranslation], locale: str) -> PluralRule:
    """The Plural-Forms of a locale's catalog: the rule its plural ``translations`` are stored with when
    they all share one, else the locale's current rule."""
    rules = [stored_rule(row) for row in translations]
    first = rules[0] if rules else None
    if first is not None and all(rule is not None and rule.same_as(first) for rule in rules):
        return first
    return plural_rule(locale)


def follows(translation: TemplateTranslation, rule: PluralRule) -> bool:
    """Whether ``translation`` is stored with ``rule`` (however its expression is spelled)."""
    stored = stored_rule(translation)
    return stored is not None and stored.same_as(rule)


def forms_for(translation: TemplateTranslation, rule: PluralRule) -> list[str]:
    """A translation's plural forms set out for another ``rule``: form i is the one its own rule shows
    for the smallest count that takes form i under ``rule``. A translator checks the result."""
    out = []
    for i in range(rule.nplurals):
        n = rule.example(i)
        out.append(translation.forms[plural_index(translation, n)] if n is not None else translation.forms[-1])
    return out


def build_catalog(templates: Sequence[ReplyTemplate], locale: str | None, *,
                  current_rules: bool = False) -> polib.POFile:
    """A polib catalog of ``templates``: the POT when ``locale`` is None, else the locale's PO.

    A PO's Plural-Forms is the rule its plural translations are stored with (see :func:`catalog_rule`);
    with ``current_rules``, or when they differ, it is the locale's current rule, and translations stored
    with another rule are set out for it (:func:`forms_for`) and marked fuzzy, for a translator to check.
    """
    po = polib.POFile(wrapwidth=78, encoding="utf-8")
    stamps = [t.updated_at for t in templates if t.updated_at]
    po.metadata = {
        "Project-Id-Version": "Tolk reply templates",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": _stamp(max(stamps) if stamps else None),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": "Tolk",
    }
    rule = None
    if locale is not None:
        rows = [r for t in templates for r in t.translations if r.locale == locale]
        plural_rows = [r for t in templates if t.source_plural is not None for r in t.translations if r.locale == locale]
        rule = plural_rule(locale) if current_rules else catalog_rule(plural_rows, locale)
        revised = [r.updated_at for r in rows if r.updated_at]
        po.metadata.update({"PO-Revision-Date": _stamp(max(revised) if revised else None),
                            "Language-Team": "", "Language": underscored(locale), "Plural-Forms": rule.header})
    for template in templates:
        row = None
        if locale is not None:
            row = next((r for r in template.translations if r.locale == locale), None)
        flags = ["python-brace-format"] if template_variables(template) else []
        comment = _extracted(template)
        forms = list(row.forms) if row is not None else []
        if row is not None and forms and rule is not None and template.source_plural is not None \
                and not follows(row, rule):
            written = stored_rule(row)
            forms = forms_for(row, rule)
            flags.insert(0, "fuzzy")
            comment += (f"\nPlural forms written for {written.header if written else 'an unknown rule'} "
                        "and set out for this file's Plural-Forms: check each form.")
        elif row is not None and effective_state(row, template) == TemplateState.FUZZY:
            flags.insert(0, "fuzzy")
        entry = polib.POEntry(msgctxt=template.id, msgid=template.source_text, comment=comment,
                              tcomment=(row.translator_comment or "") if row is not None else "", flags=flags)
        if template.source_plural is not None:
            entry.msgid_plural = template.source_plural
            count = rule.nplurals if rule is not None else 2
            entry.msgstr_plural = {i: forms[i] if i < len(forms) else "" for i in range(count)}
        else:
            entry.msgstr = forms[0] if forms else ""
        po.append(entry)
    return po


def export_catalog(session: Session, locale: str | None = None, *, current_rules: bool = False) -> bytes:
    """One catalog as bytes: the POT (``locale`` None) or a locale's PO (see :func:`build_catalog`)."""
    tag = check(locale) if locale is not None else None
    return write_po(build_catalog(all_templates(session), tag, current_rules=current_rules))


def export_catalogs(session: Session, locales: Iterable[str], *,
                    current_rules: bool = False) -> dict[str, bytes]:
    """The POT and one PO per locale: ``{"messages.pot": ..., "pl.po": ..., "zh_Hant.po": ...}``."""
    templates = all_templates(session)
    files = {POT_NAME: write_po(build_catalog(templates, None))}
    for locale in locales:
        tag = check(locale)
        files[catalog_filename(tag)] = write_po(build_catalog(templates, tag, current_rules=current_rules))
    return files


# --- plural rules that changed --------------------------------------------------------------------


@dataclass(frozen=True)
class RuleChange:
    """A stored translation whose plural rule differs from its locale's current one (installed Babel)."""

    template_id: str
    locale: str
    stored: PluralRule | None  # None: a row from before the rule was stored, not derivable
    current: PluralRule

    @property
    def advice(self) -> str:
        """What to do about it."""
        n = self.current.nplurals
        return (f"re-translate with {n} form(s) (PUT /api/v1/templates/{self.template_id}/translations/"
                f"{self.locale}), or re-import {catalog_filename(self.locale)} with {n} form(s) "
                f"(tolk catalogs export --locale {self.locale} --current-plural-rules, translate, import)")


def plural_rule_changes(session: Session) -> list[RuleChange]:
    """Translations of plural templates stored with a rule that differs from their locale's current one,
    by template and locale. They still render as written; new forms need the current rule."""
    rows = session.scalars(select(TemplateTranslation).join(ReplyTemplate)
                           .where(ReplyTemplate.source_plural.is_not(None))
                           .order_by(TemplateTranslation.template_id, TemplateTranslation.locale))
    changes = []
    for row in rows:
        current = plural_rule(row.locale)
        if not follows(row, current):
            changes.append(RuleChange(row.template_id, row.locale, stored_rule(row), current))
    return changes
