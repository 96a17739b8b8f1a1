"""Post-edit distance: corpus TER and chrF of machine output against the final text, with sacrebleu.

Only machine output is post-edited: a text a person translated from scratch (no engine served the pair,
engine "human", no machine text) is counted apart as a human translation, never as a 100% edit.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from sacrebleu.metrics import CHRF, TER

from lqa.models import QualityRecord
from tolk.languages import base

# Written without spaces: TER needs character-level tokens (sacrebleu's asian_support) for these.
_CJK_LANGUAGES = frozenset({"zh", "ja", "yue"})


def ter_metric(lang: str) -> TER:
    """TER as used for ``lang``: CJK targets are split into characters (normalised, asian_support)."""
    if base(lang) in _CJK_LANGUAGES:
        return TER(normalized=True, asian_support=True)
    return TER()


def is_human_translation(record: QualityRecord) -> bool:
    """Whether a person wrote the text with no machine output to edit."""
    return record.engine == "human" or not (record.mt_text or "").strip()


class PostEdit:
    """Segment TER statistics computed once per record and summed per group, as sacrebleu's corpus TER does."""

    def __init__(self, lang: str) -> None:
        self.ter, self.chrf = ter_metric(lang), CHRF()
        self._stats: dict[int, tuple[float, float, float]] = {}

    def _segment(self, record: QualityRecord, final_text: str) -> tuple[float, float, float]:
        key = id(record)
        if key not in self._stats:
            score = self.ter.sentence_score(record.mt_text, [final_text])
            self._stats[key] = (score.num_edits, score.ref_length, score.score)
        return self._stats[key]

    def figures(self, records: Sequence[QualityRecord]) -> dict[str, Any]:
        """Corpus TER and chrF of the edited machine translations, their mean segment edit rate, and how many
        human translations were left out."""
        human = sum(1 for r in records if r.final_text is not None and is_human_translation(r))
        edited = [(r, r.final_text) for r in records if r.final_text is not None and not is_human_translation(r)]
        if not edited:
            return {"segments": 0, "ter": None, "chrf": None, "edit_rate_mean": None, "human_translations": human}
        stats = [self._segment(r, final) for r, final in edited]
        edits, ref_length = sum(s[0] for s in stats), sum(s[1] for s in stats)
        ter = 100.0 * (edits / ref_length if ref_length > 0 else float(edits > 0))
        chrf = self.chrf.corpus_score([r.mt_text for r, _ in edited], [[final for _, final in edited]]).score
        return {"segments": len(edited), "ter": ter, "chrf": chrf,
                "edit_rate_mean": statistics.fmean(s[2] for s in stats), "human_translations": human,
                "ter_signature": str(self.ter.get_signature()), "chrf_signature": str(self.chrf.get_signature())}


def post_edit_distance(records: Sequence[QualityRecord], lang: str) -> dict[str, Any]:
    """Corpus TER and chrF of MT output against the final text, and the mean segment edit rate (HTER)."""
    return PostEdit(lang).figures(records)
