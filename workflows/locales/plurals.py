"""Plural rules of locales: gettext ``Plural-Forms`` headers read, compared and taken from CLDR."""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass

from babel.messages.plurals import get_plural

from tolk.languages import babel_locale

# Counts on which two plural rules are compared and a header's rule is tried: every count below 1000
# (gettext rules look at n % 10, n % 100 and small numbers) and large round ones with small remainders
# (CLDR's "many" of es/fr/it/pt/ca is 10^6, 2*10^6 ...; Cornish looks at n % 100000).
SAMPLE_COUNTS: tuple[int, ...] = tuple(sorted({*range(1000), *(
    m * 10**e + r for e in range(3, 10) for m in range(1, 21) for r in (0, 1, 2, 3, 5, 11, 21, 100000))}))


@dataclass(frozen=True)
class PluralRule:
    """A gettext plural rule: the number of forms (``nplurals``) and the C expression giving the form of ``n``."""

    nplurals: int
    expression: str

    @property
    def header(self) -> str:
        """The ``Plural-Forms`` header value."""
        return f"nplurals={self.nplurals}; plural={self.expression};"

    def index(self, n: int) -> int:
        """The msgstr index to use for the count ``n``."""
        return _compiled(self.expression)(abs(int(n)))

    def same_as(self, other: PluralRule) -> bool:
        """Whether ``other`` picks the same form for every count, however its expression is spelled."""
        return self.nplurals == other.nplurals and _forms_of(self.expression) == _forms_of(other.expression)

    def example(self, index: int) -> int | None:
        """The smallest count that takes form ``index`` (None when no count does)."""
        return next((n for n, i in zip(SAMPLE_COUNTS, _forms_of(self.expression), strict=True) if i == index),
                    None)


@functools.cache
def _compiled(expression: str) -> Callable[[int], int]:
    # gettext.c2py reads only the C operators of plural expressions and the variable n: it is safe to use
    # on an uploaded Plural-Forms header (anything else raises ValueError).
    return gettext.c2py(expression)


@functools.cache
def _forms_of(expression: str) -> tuple[int, ...]:
    evaluate = _compiled(expression)
    return tuple(evaluate(n) for n in SAMPLE_COUNTS)


def plural_rule(tag: str) -> PluralRule:
    """The current plural rule of a locale, from the installed Babel's CLDR data (Polish has 3 forms,
    Chinese 1). New translations are checked with it and store it; stored ones keep their own."""
    found = get_plural(babel_locale(tag))
    return PluralRule(found.num_plurals, found.plural_expr)


def parse_plural_header(header: str) -> PluralRule:
    """A PluralRule from a ``Plural-Forms`` header; ValueError when it is malformed or picks a form
    beyond ``nplurals``."""
    m = re.fullmatch(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*", header or "", re.S)
    if not m:
        raise ValueError(f"malformed Plural-Forms header {header!r}: expected 'nplurals=N; plural=EXPRESSION;'")
    rule = PluralRule(int(m.group(1)), m.group(2).strip())
    if not 1 <= rule.nplurals <= 6:
        raise ValueError(f"Plural-Forms: nplurals={rule.nplurals} is out of range (1-6)")
    try:
        forms = _forms_of(rule.expression)
    except (ValueError, SyntaxError, ArithmeticError, RecursionError) as exc:
        raise ValueError(f"Plural-Forms: cannot read plural expression {rule.expression!r}") from exc
    wrong = next((n for n, i in zip(SAMPLE_COUNTS, forms, strict=True) if not 0 <= i < rule.nplurals), None)
    if wrong is not None:
        raise ValueError(f"Plural-Forms: plural={rule.expression} gives form {rule.index(wrong)} for n={wrong}, "
                         f"but nplurals={rule.nplurals}")
    return rule

