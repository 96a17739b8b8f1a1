"""Reply templates ("macros"): named variables, plural variants, translations per locale, rendering.

A translation is tracked against the template's source ``version``: editing the source makes older
translations outdated, and an outdated or fuzzy translation never reaches a customer. Rendering
walks the locale's fallback chain (``de-CH`` -> ``de`` -> the source) and says how far it went.

Modules: ``forms`` (variables, placeholders, plural forms), ``templates`` (sources and translations),
``rendering`` (a template for a customer) and ``demo`` (the shipped templates).
"""

from __future__ import annotations

from workflows.macros.demo import (
    DEMO_TEMPLATES,
    ONE_FORM,
    ONE_MANY_OTHER,
    ONE_OTHER,
    POLISH,
    seed_demo_templates,
)
from workflows.macros.forms import (
    PLACEHOLDER,
    VARIABLE,
    effective_state,
    expected_forms,
    form_problems,
    is_outdated,
    placeholders,
    plural_index,
    stored_rule,
    template_variables,
    variables_in,
)
from workflows.macros.rendering import (
    Rendered,
    fill,
    format_variable,
    pin_currency,
    render,
)
from workflows.macros.templates import (
    KEEP,
    TEMPLATE_FIELDS,
    TEMPLATE_ID,
    check_translation,
    create_template,
    get_template,
    save_translation,
    template_to_dict,
    translation_to_dict,
    update_template,
    validate_template,
)

__all__ = [
    "DEMO_TEMPLATES",
    "KEEP",
    "ONE_FORM",
    "ONE_MANY_OTHER",
    "ONE_OTHER",
    "PLACEHOLDER",
    "POLISH",
    "Rendered",
    "TEMPLATE_FIELDS",
    "TEMPLATE_ID",
    "VARIABLE",
    "check_translation",
    "create_template",
    "effective_state",
    "expected_forms",
    "fill",
    "form_problems",
    "format_variable",
    "get_template",
    "is_outdated",
    "pin_currency",
    "placeholders",
    "plural_index",
    "render",
    "save_translation",
    "seed_demo_templates",
    "stored_rule",
    "template_to_dict",
    "template_variables",
    "translation_to_dict",
    "update_template",
    "validate_template",
    "variables_in",
]
