"""Variables, placeholders and plural forms of reply templates and their translations."""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflows.locales import PluralRule, plural_rule
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation

VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Placeholders whose spelling a translation must keep: {name} and Python's %(name)s.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifgexXr]")

def variables_in(text: str | None) -> set[str]:
    """Names of the ``{variables}`` in ``text``."""
    return set(VARIABLE.findall(text or ""))


def placeholders(text: str | None) -> set[str]:
    """The placeholders of ``text`` as written (``{order_id}``, ``%(sign)s``)."""
    return set(PLACEHOLDER.findall(text or ""))


def form_problems(msgid: str, msgid_plural: str | None, forms: Sequence[str], *,
                  plural_variable: str | None = None) -> list[str]:
    """What is wrong with the placeholders of translated ``forms``; empty forms (untranslated) pass.

    A singular message's translation keeps exactly msgid's placeholders. A plural form may drop a
    placeholder only when one of msgid/msgid_plural lacks it too, or when it is the count itself
    (``plural_variable``), which languages often spell out ("one item", "jeden produkt").
    """
    problems = []
    if msgid_plural is None:
        wanted, optional = placeholders(msgid), set()
    else:
        one, other = placeholders(msgid), placeholders(msgid_plural)
        wanted, optional = one | other, one ^ other
        if plural_variable:
            optional.add("{" + plural_variable + "}")
    for i, form in enumerate(forms):
        if not form:
            continue
        got = placeholders(form)
        label = "msgstr" if msgid_plural is None else f"msgstr[{i}]"
        extra, missing = sorted(got - wanted), sorted(wanted - optional - got)
        if extra:
            problems.append(f"{label} uses {', '.join(extra)}, which the source does not have")
        if missing:
            problems.append(f"{label} lacks {', '.join(missing)} from the source")
    return problems


def template_variables(template: ReplyTemplate) -> set[str]:
    """Every variable a template's source uses, the plural count included."""
    found = variables_in(template.source_text) | variables_in(template.source_plural)
    if template.plural_variable:
        found.add(template.plural_variable)
    return found


def is_outdated(translation: TemplateTranslation, template: ReplyTemplate) -> bool:
    """Whether ``translation`` was made for an older version of the template's source."""
    return translation.source_version < template.version


def effective_state(translation: TemplateTranslation, template: ReplyTemplate) -> TemplateState:
    """The translation's state, with an outdated one counted as fuzzy."""
    return TemplateState.FUZZY if is_outdated(translation, template) else TemplateState(translation.state)


def expected_forms(template: ReplyTemplate, locale: str, rule: PluralRule | None = None) -> int:
    """How many msgstr forms a translation of ``template`` into ``locale`` has under ``rule`` (default:
    the locale's current rule)."""
    if template.source_plural is None:
        return 1
    return (rule or plural_rule(locale)).nplurals


def stored_rule(translation: TemplateTranslation) -> PluralRule | None:
    """The plural rule a translation's forms were written and checked with (None: no plural, or unknown)."""
    if translation.nplurals is None or translation.plural_expr is None:
        return None
    return PluralRule(translation.nplurals, translation.plural_expr)


def plural_index(translation: TemplateTranslation, n: int) -> int:
    """The form of ``translation`` to show for the count ``n``, by the rule stored with it (never the
    installed Babel's): a row with no known rule shows its first form for 1 and its second otherwise."""
    rule = stored_rule(translation)
    index = rule.index(n) if rule is not None else (0 if n == 1 else 1)
    return max(0, min(index, len(translation.forms) - 1))
