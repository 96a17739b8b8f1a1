"""Reply templates ("macros"): named variables, plural variants, translations per locale, rendering.

A translation is tracked against the template's source ``version``: editing the source makes older
translations outdated, and an outdated or fuzzy translation never reaches a customer. Rendering
walks the locale's fallback chain (``de-CH`` -> ``de`` -> the source) and says how far it went.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.errors import Conflict, NotFound, ValidationError
from tolk.languages import UnknownLanguage, canonical
from workflows.locales import PluralRule, effective_profile, format_value, locale_chain, plural_rule
from workflows.models import ReplyTemplate, TemplateState, TemplateTranslation

VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Placeholders whose spelling a translation must keep: {name} and Python's %(name)s.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifgexXr]")
TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
TEMPLATE_FIELDS = ("id", "title", "source_locale", "source_text", "source_plural", "plural_variable",
                   "comment", "critical")
_SOURCE_FIELDS = ("source_text", "source_plural", "plural_variable")


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


def _check_braces(name: str, text: str) -> None:
    stray = VARIABLE.sub("", text)
    if "{" in stray or "}" in stray:
        raise ValidationError(f"'{name}' has a brace that is not part of a {{variable}}", details={"field": name})


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


# --- templates ------------------------------------------------------------------------------------


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


def _check_locale(locale: str) -> str:
    try:
        return canonical(locale)
    except UnknownLanguage as exc:
        raise ValidationError(str(exc), code="unknown_language") from exc


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
    tag = _check_locale(locale)
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


# --- rendering ------------------------------------------------------------------------------------


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
    tag = _check_locale(locale)
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


# --- demo templates -------------------------------------------------------------------------------

_REFUND_ONE = ("We have processed your refund of {refund_amount} for order {order_id} ({count} item). The money "
               "should reach your account by {delivery_date}. If it has not arrived by then, simply reply to "
               "this message and we will look into it.")
_ES_REFUND_OTHER = ("Hemos tramitado el reembolso de {refund_amount} correspondiente a su pedido {order_id} "
                    "({count} artículos). El dinero debería llegar a su cuenta a más tardar el {delivery_date}. "
                    "Si para entonces no lo ha recibido, responda a este mensaje y lo revisaremos.")
_ES_RESET_OTHER = ("Hemos recibido una solicitud para restablecer la contraseña de su cuenta. Utilice este enlace en "
                   "un plazo de {expiry_hours} horas:\n{reset_link}\n\nSi no ha hecho esta solicitud, puede ignorar "
                   "este mensaje; su contraseña no cambiará.")
_RESET_ONE = ("We received a request to reset the password of your account. Please use this link within "
              "{expiry_hours} hour:\n{reset_link}\n\nIf you did not ask for this, you can ignore this message; "
              "your password stays the same.")

# The plural rules the demo translations were written for: plural forms are given per rule, and seeding
# stores the variant that matches the locale's current rule (else the first, with the rule it was written
# for, so it stays valid and `tolk catalogs check` lists it). Babel 2.18 gave Spanish two forms; CLDR,
# and Babel from 2.19, add "many" for round millions ("1.000.000 de artículos").
ONE_FORM = PluralRule(1, "0")
ONE_OTHER = PluralRule(2, "(n != 1)")
POLISH = PluralRule(3, "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)")
ONE_MANY_OTHER = PluralRule(3, "(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)")

DEMO_TEMPLATES: list[dict[str, Any]] = [
    {
        "id": "refund-confirmation", "title": "Refund confirmation", "critical": True,
        "source_text": _REFUND_ONE,
        "source_plural": _REFUND_ONE.replace("({count} item)", "({count} items)"),
        "plural_variable": "count",
        "comment": "Sent when a refund has been issued. {refund_amount} is formatted money; {delivery_date} is "
                   "the date the money reaches the customer's account (not a parcel delivery); {count} is the "
                   "number of refunded items.",
        "translations": {
            "de": ("reviewed", {ONE_OTHER: [
                "Wir haben Ihre Rückerstattung über {refund_amount} für die Bestellung {order_id} ({count} Artikel) "
                "veranlasst. Das Geld sollte bis zum {delivery_date} auf Ihrem Konto eingehen. Falls es bis "
                "dahin nicht angekommen ist, antworten Sie einfach auf diese Nachricht und wir kümmern uns darum.",
            ] * 2}),
            "nl": ("reviewed", {ONE_OTHER: [
                "We hebben uw terugbetaling van {refund_amount} voor bestelling {order_id} ({count} artikel) "
                "verwerkt. Het bedrag staat uiterlijk op {delivery_date} op uw rekening. Staat het er dan nog "
                "niet? Reageer dan op dit bericht, dan zoeken we het voor u uit.",
                "We hebben uw terugbetaling van {refund_amount} voor bestelling {order_id} ({count} artikelen) "
                "verwerkt. Het bedrag staat uiterlijk op {delivery_date} op uw rekening. Staat het er dan nog "
                "niet? Reageer dan op dit bericht, dan zoeken we het voor u uit.",
            ]}),
            # Polish: 1 produkt, 2-4 (22-24 ...) produkty, 5+ (and 12-14) produktów; "Państwa" keeps
            # the formal address without knowing the customer's gender.
            "pl": ("reviewed", {POLISH: [
                "Zwrot w wysokości {refund_amount} za zamówienie {order_id} ({count} produkt) został "
                "zrealizowany. Środki powinny wpłynąć na Państwa konto do {delivery_date}. Jeśli do tego dnia "
                "nie wpłyną, prosimy po prostu odpowiedzieć na tę wiadomość – sprawdzimy, co się stało.",
                "Zwrot w wysokości {refund_amount} za zamówienie {order_id} ({count} produkty) został "
                "zrealizowany. Środki powinny wpłynąć na Państwa konto do {delivery_date}. Jeśli do tego dnia "
                "nie wpłyną, prosimy po prostu odpowiedzieć na tę wiadomość – sprawdzimy, co się stało.",
                "Zwrot w wysokości {refund_amount} za zamówienie {order_id} ({count} produktów) został "
                "zrealizowany. Środki powinny wpłynąć na Państwa konto do {delivery_date}. Jeśli do tego dnia "
                "nie wpłyną, prosimy po prostu odpowiedzieć na tę wiadomość – sprawdzimy, co się stało.",
            ]}),
            # Estonian: "1 toode", then the partitive "2 toodet". The date follows "kuupäeval" so its
            # nominative month name ("5. märts 2026") reads correctly.
            "et": ("reviewed", {ONE_OTHER: [
                "Teie tellimuse {order_id} ({count} toode) tagasimakse summas {refund_amount} on tehtud. Raha "
                "laekub teie kontole hiljemalt kuupäeval {delivery_date}. Kui raha selleks ajaks kohale ei "
                "jõua, vastake lihtsalt sellele sõnumile ja me selgitame asja välja.",
                "Teie tellimuse {order_id} ({count} toodet) tagasimakse summas {refund_amount} on tehtud. Raha "
                "laekub teie kontole hiljemalt kuupäeval {delivery_date}. Kui raha selleks ajaks kohale ei "
                "jõua, vastake lihtsalt sellele sõnumile ja me selgitame asja välja.",
            ]}),
            "zh-Hant": ("reviewed", {ONE_FORM: [
                "我們已為您的訂單 {order_id}（共 {count} 件商品）辦理退款，金額為 {refund_amount}。款項預計於 "
                "{delivery_date} 前退回您的帳戶。若屆時仍未收到，請直接回覆此訊息，我們將為您查明原因。",
            ]}),
            "es": ("reviewed", {
                ONE_MANY_OTHER: [_ES_REFUND_OTHER.replace("artículos", "artículo"),
                                 _ES_REFUND_OTHER.replace("artículos", "de artículos"), _ES_REFUND_OTHER],
                ONE_OTHER: [_ES_REFUND_OTHER.replace("artículos", "artículo"), _ES_REFUND_OTHER],
            }),
        },
    },
    {
        "id": "shipping-delay", "title": "Shipping delay", "critical": False,
        "source_text": "We are sorry: your order {order_id} has been delayed. We now expect to deliver it on "
                       "{delivery_date}. You do not need to do anything; we will let you know if anything changes.",
        "comment": "{delivery_date} is the new expected delivery date of the parcel.",
        "translations": {
            "de": ("reviewed", [
                "Es tut uns leid: Ihre Bestellung {order_id} verzögert sich. Wir rechnen jetzt mit der Zustellung "
                "am {delivery_date}. Sie müssen nichts weiter tun; falls sich etwas ändert, informieren wir Sie.",
            ]),
            "es": ("reviewed", [
                "Lo sentimos: su pedido {order_id} se ha retrasado. Ahora prevemos entregarlo el {delivery_date}. "
                "No tiene que hacer nada; le avisaremos si hay algún cambio.",
            ]),
            "nl": ("translated", [
                "Het spijt ons: uw bestelling {order_id} is vertraagd. We verwachten deze nu op {delivery_date} te "
                "bezorgen. U hoeft niets te doen; we laten het u weten als er iets verandert.",
            ]),
            "pl": ("fuzzy", [
                "Przepraszamy: Twoje zamówienie {order_id} jest opóźnione. Przewidujemy dostawę w dniu "
                "{delivery_date}. Nie musisz nic robić; poinformujemy Cię, jeśli coś się zmieni.",
            ], "Machine pre-fill: uses the informal 'Ty'; switch to 'Państwo' when reviewing."),
        },
    },
    {
        "id": "password-reset", "title": "Password reset", "critical": True,
        "source_text": _RESET_ONE,
        "source_plural": _RESET_ONE.replace("{expiry_hours} hour:", "{expiry_hours} hours:"),
        "plural_variable": "expiry_hours",
        "comment": "Security wording: keep the link on its own line. {expiry_hours} is how long the link works.",
        "translations": {
            "de": ("reviewed", {ONE_OTHER: [
                "Wir haben eine Anfrage erhalten, das Passwort Ihres Kontos zurückzusetzen. Bitte verwenden Sie "
                "innerhalb von {expiry_hours} Stunde diesen Link:\n{reset_link}\n\nFalls Sie das nicht angefordert "
                "haben, können Sie diese Nachricht ignorieren; Ihr Passwort bleibt unverändert.",
                "Wir haben eine Anfrage erhalten, das Passwort Ihres Kontos zurückzusetzen. Bitte verwenden Sie "
                "innerhalb von {expiry_hours} Stunden diesen Link:\n{reset_link}\n\nFalls Sie das nicht "
                "angefordert haben, können Sie diese Nachricht ignorieren; Ihr Passwort bleibt unverändert.",
            ]}),
            "es": ("reviewed", {
                ONE_MANY_OTHER: [_ES_RESET_OTHER.replace("horas:", "hora:"),
                                 _ES_RESET_OTHER.replace("horas:", "de horas:"), _ES_RESET_OTHER],
                ONE_OTHER: [_ES_RESET_OTHER.replace("horas:", "hora:"), _ES_RESET_OTHER],
            }),
            # "w ciągu" takes the genitive: 1 godziny, 2/5/24 godzin.
            "pl": ("reviewed", {POLISH: [
                "Otrzymaliśmy prośbę o zresetowanie hasła do Państwa konta. Prosimy skorzystać z tego linku w "
                "ciągu {expiry_hours} godziny:\n{reset_link}\n\nJeśli prośba nie pochodzi od Państwa, prosimy "
                "zignorować tę wiadomość – hasło pozostanie bez zmian.",
                "Otrzymaliśmy prośbę o zresetowanie hasła do Państwa konta. Prosimy skorzystać z tego linku w "
                "ciągu {expiry_hours} godzin:\n{reset_link}\n\nJeśli prośba nie pochodzi od Państwa, prosimy "
                "zignorować tę wiadomość – hasło pozostanie bez zmian.",
                "Otrzymaliśmy prośbę o zresetowanie hasła do Państwa konta. Prosimy skorzystać z tego linku w "
                "ciągu {expiry_hours} godzin:\n{reset_link}\n\nJeśli prośba nie pochodzi od Państwa, prosimy "
                "zignorować tę wiadomość – hasło pozostanie bez zmian.",
            ]}),
        },
    },
]


def _demo_forms(given: list[str] | dict[PluralRule, list[str]],
                locale: str) -> tuple[list[str], PluralRule | None]:
    if isinstance(given, list):
        return given, None
    current = plural_rule(locale)
    for rule, forms in given.items():
        if rule.same_as(current):
            return forms, current
    return next(iter(given.values())), next(iter(given))


def seed_demo_templates(session: Session) -> None:
    """Create the demo templates and their human translations where missing (idempotent)."""
    for spec in DEMO_TEMPLATES:
        template = session.get(ReplyTemplate, spec["id"])
        if template is None:
            template = create_template(session, {k: v for k, v in spec.items() if k != "translations"})
        elif template.source_text != spec["source_text"]:
            continue  # edited since: demo translations of the old text would only be outdated
        have = {r.locale for r in template.translations}
        for locale, (state, given, *note) in spec["translations"].items():
            if locale not in have:
                forms, rule = _demo_forms(given, locale)
                save_translation(session, template, locale, forms, state=TemplateState(state),
                                 reviewed_by="demo" if state == "reviewed" else None,
                                 translator_comment=note[0] if note else None, rule=rule)
    session.flush()
