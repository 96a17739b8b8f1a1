"""Rendering a reply template for a customer: the fallback chain (``de-CH`` -> ``de`` -> the source) walked
and reported, variables formatted for the locale, the right plural form, greeting and sign-off around it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.errors import ValidationError
from tolk.languages import check
from workflows.locales import effective_profile, format_value, locale_chain
from workflows.macros.forms import (
    VARIABLE,
    effective_state,
    is_outdated,
    plural_index,
    template_variables,
    variables_in,
)
from workflows.macros.templates import get_template
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation


@dataclass
class Rendered:
    """A rendered reply and how it was found: the locale used, the fallback walked, the state."""

    template_id: str
    requested_locale: str
    locale_used: str
    text: str
    body: str
    greeting: str
    sign_off: str
    state: str  # reviewed | translated | fuzzy | source
    chain: list[str]  # locales tried, in order, ending with the one used
    fallback: list[dict[str, str]] = field(default_factory=list)  # why each earlier locale was skipped
    used_source: bool = False
    plural_form: int | None = None
    unused_variables: list[str] = field(default_factory=list)
    template_version: int = 1
    critical: bool = False
    text_direction: str = "ltr"

    @property
    def fell_back(self) -> bool:
        return bool(self.fallback)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {**dataclasses.asdict(self), "fell_back": self.fell_back}


def _unusable(row: TemplateTranslation | None, template: ReplyTemplate, use_unreviewed: bool) -> str | None:
    if row is None:
        return "no translation"
    if not any(row.forms or []):
        return "empty translation"
    if use_unreviewed:
        return None
    if is_outdated(row, template):
        return f"outdated: translated from version {row.source_version}, the source is version {template.version}"
    if row.state == TemplateState.FUZZY:
        return "fuzzy: not reviewed"
    if row.state != TemplateState.REVIEWED:
        return "translated but not reviewed"
    return None


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise ValidationError(f"variable {name!r} is the plural count and must be a whole number, not {value!r}",
                              details={"variable": name})
    return int(value)


def _money_name(name: str) -> bool:
    return name in {"amount", "price", "total"} or name.endswith(("_amount", "_price", "_total"))


def pin_currency(variables: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """``variables`` with each bare amount in ``currency``: a template keeps the currency the agent gave."""
    return {name: {"amount": value, "currency": currency}
            if _money_name(name) and isinstance(value, int | float | str) and not isinstance(value, bool) else value
            for name, value in variables.items()}


def format_variable(name: str, value: Any, locale: str, currency: str) -> str:
    """One variable formatted for ``locale``: money (``{"amount", "currency"}``, or a number named
    ``*_amount``/``price``/``total`` in the profile's currency), dates (ISO strings named ``*_date``
    or ``{"date": ...}``), numbers; strings as given."""
    try:
        if isinstance(value, Mapping):
            if "amount" in value:
                return format_value("money", value, locale, currency)
            if "date" in value:
                return format_value("date", value["date"], locale)
            raise ValidationError("an object must be money {amount, currency} or {date}")
        if isinstance(value, bool) or value is None:
            raise ValidationError("must be text, a number, money or a date")
        if _money_name(name) and isinstance(value, int | float | str):
            return format_value("money", value, locale, currency)
        if (name == "date" or name.endswith("_date")) and isinstance(value, str):
            return format_value("date", value, locale)
        if isinstance(value, int | float):
            return format_value("number", value, locale)
        if isinstance(value, str):
            return value
        raise ValidationError("must be text, a number, money or a date")
    except ValidationError as exc:
        raise ValidationError(f"variable {name!r}: {exc.message}", details={"variable": name}) from exc


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{variables}`` in ``text``; unknown ones stay as written."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render(session: Session, template_id: str, locale: str, variables: Mapping[str, Any], *,
           use_unreviewed: bool = False, wrap: bool = True) -> Rendered:
    """Render a template for a customer in ``locale``: the first reviewed, current translation along
    the fallback chain (else the source), variables formatted for the locale, the right plural form,
    and the locale profile's greeting and sign-off around it (``wrap``)."""
    if not isinstance(variables, Mapping):
        raise ValidationError("'variables' must be an object")
    tag = check(locale)
    template = get_template(session, template_id)
    chain = locale_chain(tag)
    rows = {r.locale: r for r in session.scalars(select(TemplateTranslation).where(
        TemplateTranslation.template_id == template.id, TemplateTranslation.locale.in_(chain)))}
    walked: list[str] = []
    skipped: list[dict[str, str]] = []
    chosen: TemplateTranslation | None = None
    in_chain = False
    for loc in chain:
        walked.append(loc)
        if loc == template.source_locale:
            in_chain = True
            break
        reason = _unusable(rows.get(loc), template, use_unreviewed)
        if reason is None:
            chosen, in_chain = rows[loc], True
            break
        skipped.append({"locale": loc, "reason": reason})
    if not in_chain:
        walked.append("source")
    locale_used = chosen.locale if chosen is not None else template.source_locale
    # Format and greet in the language the body is in: the requested locale (de-CH keeps Swiss
    # formats over a de body), or the source locale when nothing in the chain could be used.
    shown_locale = tag if in_chain else template.source_locale
    profile = effective_profile(session, shown_locale)

    greeting = profile.greeting if wrap else ""
    sign_off = profile.sign_off if wrap else ""
    wanted = template_variables(template) | variables_in(greeting) | variables_in(sign_off)
    missing = sorted(wanted - set(variables))
    if missing:
        raise ValidationError(f"missing variable(s) for template {template.id}: {', '.join(missing)}",
                              code="missing_variables", details={"missing": missing})
    index = None
    count_name = template.plural_variable
    if template.source_plural is not None and count_name is not None:
        n = _count(count_name, variables[count_name])
        if chosen is not None:
            index = plural_index(chosen, n)
            body = chosen.forms[index]
        else:
            # Untranslated gettext semantics: msgid for one, msgid_plural otherwise.
            index = 0 if n == 1 else 1
            body = template.source_text if n == 1 else template.source_plural
    else:
        body = chosen.forms[0] if chosen is not None else template.source_text
    values = {name: format_variable(name, variables[name], shown_locale, profile.currency)
              for name in wanted}
    body, greeting, sign_off = fill(body, values), fill(greeting, values), fill(sign_off, values)
    state = effective_state(chosen, template).value if chosen is not None else "source"
    return Rendered(
        template_id=template.id, requested_locale=tag, locale_used=locale_used,
        text="\n\n".join(part for part in (greeting, body, sign_off) if part), body=body,
        greeting=greeting, sign_off=sign_off, state=state, chain=walked, fallback=skipped,
        used_source=chosen is None, plural_form=index, unused_variables=sorted(set(variables) - wanted),
        template_version=template.version, critical=template.critical, text_direction=profile.text_direction)
