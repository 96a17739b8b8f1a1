"""Locale profiles: tone, greetings, upselling, SLAs and calendar per locale, resolved along fallbacks.

A profile row stores only what that locale decides; the rest is inherited along the fallback chain
(``de-CH`` -> ``de`` -> built-in defaults), so a regional profile names only what differs. The table has
no nullable columns, so "not set here" is spelled with an empty value: ``""`` for text, ``{}``/``[]``
for JSON, :data:`INHERIT` (-1) for the two rates. Booleans have no third value, so they combine by the
safer answer along the chain: upselling is allowed only when every locale of the chain allows it, and
``always_review`` holds when any of them asks for it (a regional profile can tighten, never loosen).

The package's modules: ``profiles`` (resolution along the chain), ``changes`` (validated updates),
``plurals`` (gettext plural rules), ``formatting`` (Babel dates, money, numbers) and ``demo`` (the shipped
profiles). Whether a reply offers an upgrade where the profile forbids it is a check: ``lqa.checks.upsell``.
"""

from __future__ import annotations

from tolk.languages import babel_locale, locale_chain
from tolk.languages import check as check_locale
from workflows.locales.changes import (
    PROFILE_FIELDS,
    check_currency,
    check_frame,
    delete_profile,
    update_profile,
    validate_changes,
)
from workflows.locales.demo import (
    DEMO_PROFILES,
    seed_demo_locales,
)
from workflows.locales.formatting import (
    FORMAT_KINDS,
    format_value,
)
from workflows.locales.plurals import (
    SAMPLE_COUNTS,
    PluralRule,
    parse_plural_header,
    plural_rule,
)
from workflows.locales.profiles import (
    CHANNELS,
    DEFAULTS,
    DIRECTIONS,
    FORMALITIES,
    FRAME_VARIABLES,
    INHERIT,
    WEEKDAYS,
    ProfileView,
    display_name,
    effective_profile,
    list_profiles,
)

__all__ = [
    "CHANNELS",
    "DEFAULTS",
    "DEMO_PROFILES",
    "DIRECTIONS",
    "FORMALITIES",
    "FORMAT_KINDS",
    "FRAME_VARIABLES",
    "INHERIT",
    "PROFILE_FIELDS",
    "PluralRule",
    "ProfileView",
    "SAMPLE_COUNTS",
    "WEEKDAYS",
    "babel_locale",
    "check_currency",
    "check_frame",
    "check_locale",
    "delete_profile",
    "display_name",
    "effective_profile",
    "format_value",
    "list_profiles",
    "locale_chain",
    "parse_plural_header",
    "plural_rule",
    "seed_demo_locales",
    "update_profile",
    "validate_changes",
]
