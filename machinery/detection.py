"""Offline language detection of customer text (lingua), with Chinese told apart by script."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tolk.languages import base

if TYPE_CHECKING:
    import lingua


@dataclass(frozen=True)
class Detection:
    """The likeliest language, its confidence and whether the margin over the runner-up is enough."""

    lang: str | None
    confidence: float
    margin: float
    reliable: bool
    candidates: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict:
        return {"lang": self.lang, "confidence": round(self.confidence, 3), "margin": round(self.margin, 3),
                "reliable": self.reliable, "candidates": [{"lang": c, "confidence": round(v, 3)}
                                                          for c, v in self.candidates]}


class LanguageDetector:
    """Detector for the configured languages only: loading all of lingua's models costs seconds."""

    def __init__(self, languages: Iterable[str], *, min_margin: float = 0.2, min_confidence: float = 0.4):
        self.languages = sorted({base(tag) for tag in languages})
        self.min_margin, self.min_confidence = min_margin, min_confidence
        self._detector: lingua.LanguageDetector | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Build the detector now (call at start-up, outside the request path)."""
        self._get()

    def _get(self) -> lingua.LanguageDetector:
        with self._lock:
            if self._detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder  # lazy: seconds to load

                langs = []
                for code in self.languages:
                    try:
                        langs.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
                    except (AttributeError, ValueError):
                        continue  # a language lingua does not know cannot be detected, only chosen
                if len(langs) < 2:
                    raise ValueError("language detection needs at least two known languages")
                self._detector = (LanguageDetectorBuilder.from_languages(*langs)
                                  .with_preloaded_language_models().build())
            return self._detector

    def detect(self, text: str) -> Detection:
        """Detect the language of ``text``; ``reliable`` is False when the agent should confirm."""
        if not text.strip():
            return Detection(None, 0.0, 0.0, False)
        values = self._get().compute_language_confidence_values(text)
        ranked = [(v.language.iso_code_639_1.name.lower(), v.value) for v in values[:3]]
        if not ranked or ranked[0][1] <= 0:
            return Detection(None, 0.0, 0.0, False)
        top, conf = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        margin = (conf - runner) / conf if conf else 0.0
        if top == "zh":
            top = f"zh-{chinese_script_of(text)}"
        # Both: a clear lead over the runner-up, and enough confidence ("ok" leans Polish at 0.32).
        reliable = margin >= self.min_margin and conf >= self.min_confidence
        return Detection(top, conf, margin, reliable, tuple(ranked))


@functools.cache
def shared_detector(languages: tuple[str, ...], min_margin: float) -> LanguageDetector:
    """The one detector of this process for a language set: its models are large and immutable, so `tolk serve`
    builds it before forking its web workers (``tolk.web_preload``), which then share its memory."""
    return LanguageDetector(languages, min_margin=min_margin)


def chinese_script_of(text: str) -> str:
    """``Hant`` or ``Hans`` by the characters used (shared characters say nothing)."""
    import hanzidentifier  # lazy: only Chinese text needs its character tables

    kind = hanzidentifier.identify(text)
    if kind == hanzidentifier.TRADITIONAL:
        return "Hant"
    if kind == hanzidentifier.MIXED:
        trad = sum(hanzidentifier.is_traditional(c) and not hanzidentifier.is_simplified(c) for c in text)
        simp = sum(hanzidentifier.is_simplified(c) and not hanzidentifier.is_traditional(c) for c in text)
        return "Hant" if trad > simp else "Hans"
    return "Hans"
