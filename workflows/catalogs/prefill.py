"""Machine pre-fill of untranslated templates: engine output stored as fuzzy, for a translator to review."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from glossaries.store import load_termbase
from glossaries.terms import Termbase
from machinery.routing import NoEngineAvailable
from machinery.service import services
from tolk.errors import ValidationError
from tolk.languages import check
from workflows.catalogs.export import all_templates
from workflows.locales import effective_profile, plural_rule
from workflows.macros import form_problems, save_translation
from workflows.models import ReplyTemplate, TemplateState


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
    tag = check(locale)
    report = PrefillReport(locale=tag)
    termbase = load_termbase(session, glossary) if isinstance(glossary, str) else glossary
    profile = effective_profile(session, tag)
    formality = profile.formality if profile.formality != "default" else None
    rule = plural_rule(tag)
    groups: dict[str, list[ReplyTemplate]] = {}
    for template in all_templates(session):
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
