"""The content rules searched fast, finding exactly what ``re.IGNORECASE`` finds.

Python's ``re`` cannot skip ahead in a case-insensitive alternation: it tries every alternative at every
position, and the rules in ``workflows.content_rules`` are long alternations (~0.3 ms a text in all).
So each rule is also compiled lower-cased and case-sensitive and searched in the lower-cased text. The
spans are the same: for every character but those in ``UNSAFE``, lower-casing keeps the length, the
word, space and digit classes, and exactly the case-insensitive equivalences of the rules' characters
(tests/workflows/test_routing_search.py checks every code point). A text with an ``UNSAFE`` character
is searched with the original patterns. The words quoted are always cut from the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from workflows.content_rules import COMPILED_RULES, CONTENT_RULES

#: Characters whose lower case is not what ``re.IGNORECASE`` equates them with: 'İ' lower-cases to two
#: characters; 'ı' and 'ſ' match 'i' and 's' case-insensitively but lower-case to themselves.
UNSAFE = re.compile("[\u0130\u0131\u017f]")


def lower_pattern(pattern: str) -> str:
    """``pattern`` with its literal characters lower-cased and its escapes (``\\W``, ``\\d``) as written."""
    return re.sub(r"\\.|[^\\]+", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(),
                  pattern, flags=re.DOTALL)


#: Each rule lower-cased, searched case-sensitively in the lower-cased text.
FOLDED_RULES = {name: re.compile(lower_pattern(rule.pattern)) for name, rule in CONTENT_RULES.items()}


def first_matches(text: str, names: Iterable[str]) -> dict[str, str]:
    """The words each named rule fires on in ``text`` (its first match), as ``COMPILED_RULES`` finds them."""
    found: dict[str, str] = {}
    if UNSAFE.search(text):
        for name in names:
            m = COMPILED_RULES[name].search(text)
            if m:
                found[name] = m.group(0)
        return found
    folded = text.lower()
    for name in names:
        m = FOLDED_RULES[name].search(folded)
        if m:
            found[name] = text[m.start():m.end()]
    return found
