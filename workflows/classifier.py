"""The critical-content classifier at run time: TF-IDF word and character n-grams, logistic regression.

The weights are learned by ``scripts/train_routing_classifier.py`` (scikit-learn, the ``train`` extra)
from tests/fixtures/routing/train.jsonl and shipped as JSON; scoring here is pure Python and gives
the same score as scikit-learn's ``predict_proba`` for the same text.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("data") / "critical_classifier.json"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class Block:
    """One vectorizer's learned table: n-gram -> (idf, coefficient)."""

    analyzer: str  # word | char_wb
    ngram_range: tuple[int, int]
    sublinear_tf: bool
    table: dict[str, tuple[float, float]]
    # Words whose n-grams may be kept between calls: the model's own word vocabulary, learned from the
    # training set. Other words (customers' names among them) are split afresh each time and kept nowhere.
    vocabulary: frozenset[str] = frozenset()
    _grams: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    def ngrams(self, text: str) -> list[str]:
        """The n-grams scikit-learn's analyzer produces for ``text`` (lower-cased)."""
        lo, hi = self.ngram_range
        text = text.lower()
        out: list[str] = []
        if self.analyzer == "word":
            tokens = _TOKEN.findall(text)
            for n in range(lo, hi + 1):
                out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
            return out
        known, grams = self.vocabulary, self._grams
        for word in text.split():
            cached = grams.get(word)
            if cached is None:
                cached = _word_grams(word, lo, hi)
                if word in known:
                    grams[word] = cached
            out += cached
        return out

    def contribution(self, text: str) -> float:
        """This block's share of the decision value: the L2-normalised TF-IDF vector times the weights."""
        table, sublinear = self.table, self.sublinear_tf
        dot = squares = 0.0
        # Only the n-grams the model knows count: the others are dropped before counting.
        for gram, count in Counter([g for g in self.ngrams(text) if g in table]).items():
            idf, coefficient = table[gram]
            weight = idf if count == 1 else (1.0 + math.log(count) if sublinear else float(count)) * idf
            dot += weight * coefficient
            squares += weight * weight
        return dot / math.sqrt(squares) if squares else 0.0


def _word_grams(word: str, lo: int, hi: int) -> list[str]:
    """The character n-grams of one (lower-cased) word padded with a space at each end, as scikit-learn's
    ``char_wb`` analyzer makes them. Not cached: replies carry customers' names, and a process-wide cache
    would keep them after the reply is erased."""
    padded = f" {word} "
    out: list[str] = []
    for n in range(lo, hi + 1):
        out += [padded[i:i + n] for i in range(max(1, len(padded) - n + 1))]
        if len(padded) <= n:  # a short word counts once, as in scikit-learn
            break
    return out


@dataclass(frozen=True)
class CriticalClassifier:
    """How likely a reply is critical, by the rubric in docs/routing.md, with its two thresholds."""

    blocks: tuple[Block, ...]
    intercept: float
    threshold: float  # at or above: native review
    grey_zone: float  # at or above (and below ``threshold``): the agent confirms
    version: str

    def score(self, text: str) -> float:
        """The probability that ``text`` is critical (0..1)."""
        z = self.intercept + sum(b.contribution(text) for b in self.blocks)
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CriticalClassifier:
        words = frozenset(g for b in data["blocks"] if b["analyzer"] == "word" for g in b["table"] if " " not in g)
        blocks = tuple(Block(b["analyzer"], (b["ngram_range"][0], b["ngram_range"][1]), b["sublinear_tf"],
                             {g: (v[0], v[1]) for g, v in b["table"].items()},
                             words if b["analyzer"] == "char_wb" else frozenset()) for b in data["blocks"])
        return cls(blocks, data["intercept"], data["threshold"], data["grey_zone"], data["version"])


@cache
def load_classifier(path: Path = MODEL_PATH) -> CriticalClassifier:
    """The shipped model, read once per process."""
    return CriticalClassifier.from_dict(json.loads(path.read_text(encoding="utf-8")))
