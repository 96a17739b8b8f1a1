"""Upselling in support replies: phrases that offer an upgrade or another product, per language."""

from __future__ import annotations

import functools
import re
from typing import Any

from tolk.languages import base
from workflows.locales.profiles import ProfileView

# Phrases that offer an upgrade or another product, per language. Loanwords ("Premium", "Upgrade")
# are listed in each language that uses them.
UPSELL_PATTERNS: dict[str, tuple[str, ...]] = {
    "en": (r"\bupgrad\w*", r"\bpremium\b", r"\bpro plan\b", r"\b(?:might|may|would) also (?:like|enjoy|love)\b",
           r"\balso be interested in\b", r"\bwhy not (?:try|add)\b", r"\bcheck out our\b",
           r"\bspecial offer\b", r"\badd-ons?\b", r"\bexclusive (?:offer|deal|discount)\b"),
    "de": (r"\bupgrad\w*", r"\bpremium\w*", r"auch interessieren", r"gefallen (?:Ihnen|dir) (?:vielleicht )?auch",
           r"gefällt (?:Ihnen|dir) (?:vielleicht )?auch", r"\bsonderangebot\w*", r"\bzusatzpaket\w*",
           r"\bempfehlen (?:wir )?Ihnen (?:gern |gerne )?unser\w*", r"\bjetzt (?:bestellen|zugreifen|sichern)\b"),
    "nl": (r"\bupgrad\w*", r"\bpremium\w*", r"\bvindt u (?:misschien )?ook\b", r"\bmisschien ook interessant\b",
           r"\b(?:speciale )?aanbieding\w*", r"\bextra pakket\w*", r"\bprofiteer\w* van\b"),
    "pl": (r"\bupgrade\w*", r"\bpremium\b", r"\bwarto rozważyć\b", r"\bmoże (?:Cię|Pana|Panią|Państwa) "
           r"(?:również|też|także) zainteresować\b", r"\bpromocj\w*", r"\bulepsz\w*", r"\brozszerzon\w* wersj\w*",
           r"\bpolecamy (?:również|także|też)\b", r"\bwyższy pakiet\b"),
    "et": (r"\bpremium\w*", r"\bvõiks (?:teid|sind) (?:ka )?huvitada\b", r"\bsoovitame (?:ka|lisaks)\b",
           r"\beripakkumi\w*", r"\blisapaket\w*", r"\bparemale paketile\b", r"\bkõrgemale paketile\b"),
    "es": (r"\bpremium\b", r"\bmejor[ae] (?:tu|su) plan\b", r"\bactualic\w* a\b", r"\bactualiza\w* a\b",
           r"\btambién (?:te|le|les) (?:puede|podría|podrían|pueden) (?:gustar|interesar)\b",
           r"\boferta especial\b", r"\baproveche?\w*\b", r"\bcomplementos?\b"),
    "ca": (r"\bprèmium\b", r"\bpremium\b", r"\boferta especial\b", r"\btambé (?:et|li|us) (?:pot|podria) "
           r"(?:agradar|interessar)\b"),
    "zh": (r"升級", r"升级", r"高級版", r"高级版", r"進階版", r"进阶版", r"加購", r"加购", r"也會喜歡", r"也会喜欢",
           r"優惠", r"优惠", r"限時", r"限时"),
    "ja": (r"アップグレード", r"プレミアム", r"こちらもおすすめ", r"おすすめ", r"特別オファー", r"上位プラン",
           r"あわせてご利用", r"合わせてご利用"),
}

_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")


@functools.cache
def _upsell_regex(lang: str) -> re.Pattern[str] | None:
    patterns = UPSELL_PATTERNS.get(lang)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


def upsell_findings(text: str, locale: str, profile: ProfileView | None = None) -> list[dict[str, Any]]:
    """Sentences that offer upgrades or other products (lqa-shaped findings); none when ``profile``
    allows upselling, every one when no profile is given."""
    if profile is not None and profile.upsell_allowed:
        return []
    regex = _upsell_regex(base(locale))
    if regex is None:
        return []
    findings = []
    for sentence in _SENTENCE.finditer(text):
        match = regex.search(sentence.group())
        if match is None:
            continue
        start = sentence.start() + len(sentence.group()) - len(sentence.group().lstrip())
        end = sentence.start() + len(sentence.group().rstrip())
        findings.append({
            "check": "upsell", "severity": "major",
            "message": f"offers an upgrade or another product ({match.group()!r}); the {locale} profile "
                       "does not allow upselling in support replies",
            "spans": [[start, end]],
        })
    return findings
