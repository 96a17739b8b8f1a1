"""Reply templates as gettext catalogs: POT/PO export, validated PO import, machine pre-fill.

One entry per template: ``msgctxt`` is the template id, ``msgid``/``msgid_plural`` its source, ``#.``
its comment for translators, ``#`` the translator's own comment, and ``fuzzy`` marks machine
pre-fills and translations made for an older version of the source.

Import is all or nothing: a file with any error (syntax, unknown template, placeholders renamed or
dropped, a wrong number of plural forms, a Language header that contradicts the locale) is refused
with the line of each problem and nothing is stored. Entries without ``fuzzy`` become ``translated``;
they become ``reviewed`` only when the importer is a reviewer of that language (an editor's import is
a translation, not a review), and an unchanged entry keeps the state it had (re-importing an
exported catalog does not demote reviewed translations). Entries whose msgid no longer matches the
template's current source are skipped and reported as outdated: export again to pick up the change.

Plural forms keep the gettext rule they were written with (``Plural-Forms``): an import stores the
file's rule with each translation, an export writes the rule its translations are stored with, and
rendering uses it, so a new Babel (CLDR) rule for a locale never changes what stored forms mean.
:func:`plural_rule_changes` (``tolk catalogs check``) lists translations whose rule is not the current one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import polib
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from glossaries.store import load_termbase
from glossaries.terms import Termbase
from machinery.routing import NoEngineAvailable
from machinery.service import services
from tolk.auth import require_language
from tolk.db import utcnow
from tolk.errors import ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import Role, User
from workflows.locales import PluralRule, effective_profile, parse_plural_header, plural_rule
from workflows.macros import (
    VARIABLE,
    effective_state,
    form_problems,
    plural_index,
    save_translation,
    stored_rule,
    template_variables,
)
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation

POT_NAME = "messages.pot"
_STATE_RANK = {TemplateState.FUZZY: 0, TemplateState.TRANSLATED: 1, TemplateState.REVIEWED: 2}
_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(rf"^\s*(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+{_STRING}\s*$")
_CONTINUATION = re.compile(rf"^\s*{_STRING}\s*$")
_POLIB_LINE = re.compile(r"\(line (\d+)\)")
_MAX_REPORTED = 20


class CatalogError(ValidationError):
    """A refused catalog: every problem found, each with its line number."""

    code = "invalid_catalog"

    def __init__(self, errors: Sequence[tuple[int | None, str]]):
        self.errors = list(errors)[:_MAX_REPORTED]
        self.line = self.errors[0][0] if self.errors else None
        shown = [f"line {line}: {msg}" if line else msg for line, msg in self.errors[:3]]
        more = len(errors) - len(shown)
        message = "; ".join(shown) + (f" (and {more} more problem(s))" if more > 0 else "")
        super().__init__(message, details={"line": self.line,
                                           "errors": [{"line": ln, "message": m} for ln, m in self.errors]})


def po_language(tag: str) -> str:
    """The gettext spelling of a BCP 47 tag: ``zh-Hant`` -> ``zh_Hant``, ``de-CH`` -> ``de_CH``."""
    return tag.replace("-", "_")


def catalog_filename(locale: str) -> str:
    """The file name of a locale's catalog, e.g. ``pl.po`` or ``zh_Hant.po``."""
    return f"{po_language(canonical(locale))}.po"


# --- reading --------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = re.search(rb"charset=([A-Za-z0-9_.:-]+)", data[:8192])
    charset = m.group(1).decode("ascii") if m else "utf-8"
    if charset.upper() == "CHARSET":  # the POT placeholder
        charset = "utf-8"
    try:
        return data.decode(charset)
    except LookupError:
        raise CatalogError([(_line_of(data, m.start()) if m else None, f"unknown charset {charset!r}")]) from None
    except UnicodeDecodeError as exc:
        raise CatalogError([(_line_of(data, exc.start), f"the file is not valid {charset}")]) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _lexical_errors(text: str) -> list[tuple[int, str]]:
    # polib silently skips some malformed lines (``msgid foo`` without quotes); catch them first.
    errors = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not (_KEYWORD_LINE.match(line) or _CONTINUATION.match(line)):
            shown = line.strip()[:40]
            errors.append((number, f"cannot read {shown!r}: expected msgctxt, msgid, msgstr, a quoted string "
                                   "or a comment"))
    return errors


def header_line(text: str, name: str) -> int | None:
    """The line of header field ``name`` (e.g. ``Language``) in a PO file's text."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(f'"{name}:'):
            return number
    return None


def _structure_errors(po: polib.POFile, text: str) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    nplurals: int | None = None
    if po.metadata.get("Plural-Forms"):
        header = po.metadata["Plural-Forms"]
        if "INTEGER" not in header:  # the untouched POT placeholder is not a claim
            try:
                nplurals = parse_plural_header(header).nplurals
            except ValueError as exc:
                errors.append((header_line(text, "Plural-Forms"), str(exc)))
    seen: dict[tuple[str, str], int | None] = {}
    for entry in po:
        if entry.obsolete:
            continue
        key = (entry.msgctxt or "", entry.msgid)
        if key in seen:
            errors.append((entry.linenum, f"duplicate of the entry on line {seen[key]}"))
            continue
        seen[key] = entry.linenum
        if entry.msgid_plural:
            keys = sorted(entry.msgstr_plural)
            if keys != list(range(len(keys))):
                errors.append((entry.linenum, f"msgstr[] indexes must be 0..n-1, got {keys}"))
            elif nplurals is not None and len(keys) != nplurals:
                errors.append((entry.linenum, f"has {len(keys)} plural form(s), the Plural-Forms header says "
                                              f"nplurals={nplurals}"))
            forms = [entry.msgstr_plural[k] for k in keys]
        else:
            forms = [entry.msgstr]
        errors.extend((entry.linenum, p) for p in form_problems(entry.msgid, entry.msgid_plural or None, forms))
    return errors


def read_po(data: bytes) -> polib.POFile:
    """Parse and check a PO or POT file; CatalogError names the line of every problem.

    Checks syntax, plural-form counts against the ``Plural-Forms`` header, duplicate entries and
    placeholders (``{name}``, ``%(name)s``) kept between msgid and msgstr.
    """
    if not data or not data.strip():
        raise CatalogError([(None, "the file is empty")])
    text = _decode(data)
    errors: list[tuple[int | None, str]] = list(_lexical_errors(text))
    if errors:
        raise CatalogError(errors)
    try:
        # The trailing newline keeps polib from taking a one-line upload for a path to open.
        po = polib.pofile(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except (OSError, ValueError) as exc:
        m = _POLIB_LINE.search(str(exc))
        raise CatalogError([(int(m.group(1)) if m else None, str(exc))]) from None
    errors = _structure_errors(po, text)
    if errors:
        raise CatalogError(errors)
    return po


def write_po(po: polib.POFile) -> bytes:
    """Serialize a catalog as UTF-8 bytes."""
    po.encoding = "utf-8"
    return str(po).encode("utf-8")


# --- export ---------------------------------------------------------------------------------------


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


def _templates(session: Session) -> list[ReplyTemplate]:
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
                            "Language-Team": "", "Language": po_language(locale), "Plural-Forms": rule.header})
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
    tag = _locale(locale) if locale is not None else None
    return write_po(build_catalog(_templates(session), tag, current_rules=current_rules))


def export_catalogs(session: Session, locales: Iterable[str], *,
                    current_rules: bool = False) -> dict[str, bytes]:
    """The POT and one PO per locale: ``{"messages.pot": ..., "pl.po": ..., "zh_Hant.po": ...}``."""
    templates = _templates(session)
    files = {POT_NAME: write_po(build_catalog(templates, None))}
    for locale in locales:
        tag = _locale(locale)
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


# --- import ---------------------------------------------------------------------------------------


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


def _locale(value: str) -> str:
    try:
        return canonical(value)
    except UnknownLanguage as exc:
        raise ValidationError(str(exc), code="unknown_language") from exc


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
    tag = _locale(locale)
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
    text = _decode(data)
    tag = _import_locale(po, text, locale)
    header = po.metadata.get("Plural-Forms")
    rule = parse_plural_header(header) if header and "INTEGER" not in header else plural_rule(tag)
    given = TemplateState.TRANSLATED
    if importer is not None and importer.role == Role.REVIEWER:
        require_language(importer, tag)
        given = TemplateState.REVIEWED
    report = ImportReport(locale=tag, state=given.value)

    templates = {t.id: t for t in _templates(session)}
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


# --- machine pre-fill -----------------------------------------------------------------------------


@dataclass
class PrefillReport:
    """What a pre-fill did for one locale; ``error`` says why nothing could be translated."""

    locale: str
    filled: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already translated
    engines: dict[str, str] = field(default_factory=dict)  # template id -> engine (or "tm")
    problems: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {**asdict(self), "ok": self.ok}


def prefill(session: Session, locale: str, glossary: str | Termbase | None = None) -> PrefillReport:
    """Machine-translate the templates with no translation in ``locale`` (TM first, the glossary
    enforced) and store the results as fuzzy. An unserved pair is reported, not raised."""
    tag = _locale(locale)
    report = PrefillReport(locale=tag)
    termbase = load_termbase(session, glossary) if isinstance(glossary, str) else glossary
    profile = effective_profile(session, tag)
    formality = profile.formality if profile.formality != "default" else None
    rule = plural_rule(tag)
    groups: dict[str, list[ReplyTemplate]] = {}
    for template in _templates(session):
        row = next((r for r in template.translations if r.locale == tag), None)
        if template.source_locale == tag:
            continue
        if row is not None and any(row.forms or []):
            report.skipped.append(template.id)
            continue
        groups.setdefault(template.source_locale, []).append(template)
    failures = []
    for source, todo in groups.items():
        texts = [text for t in todo for text in (t.source_text, t.source_plural) if text is not None]
        try:
            results = services().translator.translate(session, texts, source, tag, glossary=termbase,
                                                      formality=formality, tm_context="reply-template")
        except NoEngineAvailable as exc:
            failures.append(str(exc))
            continue
        it = iter(results)
        for template in todo:
            one = next(it)
            other = next(it) if template.source_plural is not None else None
            if other is None:
                forms = [one.text]
            elif rule.nplurals == 1:
                forms = [other.text]
            else:
                forms = [one.text if i == rule.index(1) else other.text for i in range(rule.nplurals)]
            problems = form_problems(template.source_text, template.source_plural, forms,
                                     plural_variable=template.plural_variable)
            if problems:
                report.problems.append({"template": template.id, "message": "; ".join(problems)})
                continue
            try:
                save_translation(session, template, tag, forms, state=TemplateState.FUZZY,
                                 translator_comment=f"Machine pre-fill ({one.engine}): review before use.")
            except ValidationError as exc:
                report.problems.append({"template": template.id, "message": exc.message})
                continue
            report.filled.append(template.id)
            report.engines[template.id] = one.engine
    if failures:
        report.error = "; ".join(failures)
    return report
