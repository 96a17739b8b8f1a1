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

Modules: ``po`` (reading and writing files), ``export``, ``importing`` and ``prefill``.
"""

from __future__ import annotations

from workflows.catalogs.export import (
    RuleChange,
    all_templates,
    build_catalog,
    catalog_rule,
    export_catalog,
    export_catalogs,
    follows,
    forms_for,
    plural_rule_changes,
)
from workflows.catalogs.importing import (
    ImportReport,
    import_catalog,
)
from workflows.catalogs.po import (
    POT_NAME,
    CatalogError,
    catalog_filename,
    decode_po,
    header_line,
    read_po,
    write_po,
)
from workflows.catalogs.prefill import (
    PrefillReport,
    prefill,
)

__all__ = [
    "CatalogError",
    "ImportReport",
    "POT_NAME",
    "PrefillReport",
    "RuleChange",
    "all_templates",
    "build_catalog",
    "catalog_filename",
    "catalog_rule",
    "decode_po",
    "export_catalog",
    "export_catalogs",
    "follows",
    "forms_for",
    "header_line",
    "import_catalog",
    "plural_rule_changes",
    "prefill",
    "read_po",
    "write_po",
]
