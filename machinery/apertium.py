"""Apertium: the offline rule-based engine, run as one persistent null-flushing pipeline per mode.

Spawning ``apertium -u eng-spa`` per segment costs the start-up of a dozen programs (about 170 ms
here); instead each mode runs as a ``machinery.apertium_pipeline.Pipeline``, started once.

The base class hands ``_send`` payloads already in Apertium's stream format (escaped text, protected
tokens and HTML tags as superblanks); ``frame`` adds the sentence-end marks ``apertium-destxt`` /
``apertium-deshtml`` would add, and ``unframe`` removes them from the output.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from machinery.apertium_pipeline import (
    Pipeline,
    PipelineDied,
    PipelineTimedOut,
    build_pipeline,
    frame,
    unframe,
)
from machinery.base import Engine, EngineError, EngineTimeout, EngineUnavailable, Sent, bounded_timeout
from machinery.protection import Protector
from tolk.languages import base

DEFAULT_MODES_DIR = "/usr/share/apertium/modes"
DEFAULT_BINARY = "apertium"

#: BCP 47 primary language subtag -> Apertium's ISO 639-3 code. Codes not listed are used as they
#: are, since a three-letter ISO 639-3 code is itself a valid BCP 47 language subtag (``ast``).
APERTIUM_CODES: dict[str, str] = {
    "af": "afr", "an": "arg", "ar": "ara", "be": "bel", "bg": "bul", "br": "bre", "ca": "cat",
    "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "eo": "epo",
    "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin", "fo": "fao", "fr": "fra",
    "ga": "gle", "gd": "gla", "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun",
    "id": "ind", "is": "isl", "it": "ita", "kk": "kaz", "ky": "kir", "lt": "lit", "lv": "lav",
    "mk": "mkd", "ms": "msa", "mt": "mlt", "nb": "nob", "nl": "nld", "nn": "nno", "no": "nob",
    "oc": "oci", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sc": "srd", "se": "sme",
    "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe", "tr": "tur", "tt": "tat",
    "uk": "ukr", "ur": "urd", "uz": "uzb",
}
BCP47_CODES: dict[str, str] = {three: two for two, three in APERTIUM_CODES.items() if two != "no"}

#: Mode-name suffixes that are registered BCP 47 variant subtags; two-letter suffixes are regions.
VARIANT_SUBTAGS = frozenset({"valencia"})

MODE_NAME = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})(?:_([A-Za-z0-9_]+))?$")


@dataclass(frozen=True)
class Mode:
    """An installed translation direction: ``eng-cat_valencia`` is eng -> cat, variant ``valencia``."""

    name: str
    source: str
    target: str
    variant: str | None
    path: Path


def discover_modes(modes_dir: str | os.PathLike[str]) -> dict[str, Mode]:
    """The translation modes installed in ``modes_dir``, by name (debug modes are skipped)."""
    folder = Path(modes_dir)
    if not folder.is_dir():
        return {}
    modes = {}
    for path in sorted(folder.glob("*.mode")):
        m = MODE_NAME.match(path.stem)
        if m:
            modes[path.stem] = Mode(path.stem, m.group(1), m.group(2), m.group(3), path)
    return modes


def _subtags(tag: str) -> list[str]:
    # Every subtag, variants included: tolk.languages.subtags() stops at the region, mode_for() needs the rest.
    return [s for s in tag.replace("_", "-").lower().split("-") if s]


def apertium_code(tag: str) -> str | None:
    """Apertium's three-letter code for a BCP 47 tag (region and variant subtags ignored)."""
    language = base(tag)
    if not language:
        return None
    return APERTIUM_CODES.get(language, language if len(language) == 3 else None)


def bcp47_code(code: str) -> str:
    """The BCP 47 language subtag for an Apertium three-letter code."""
    return BCP47_CODES.get(code, code)


def _variant_locale(mode: Mode) -> str | None:
    """The BCP 47 locale a variant mode serves (``ca-valencia``, ``en-US``), if it has one."""
    if mode.variant is None:
        return bcp47_code(mode.target)
    if re.fullmatch(r"[A-Za-z]{2}", mode.variant):
        return f"{bcp47_code(mode.target)}-{mode.variant.upper()}"
    if mode.variant.lower() in VARIANT_SUBTAGS:
        return f"{bcp47_code(mode.target)}-{mode.variant.lower()}"
    return None


# --- the engine ----------------------------------------------------------------------------------

class ApertiumEngine(Engine):
    """Offline rule-based translation through the installed Apertium pairs; free and always there."""

    name = "apertium"
    token_style = "apertium"
    max_batch = 1000
    native_glossaries = False

    def __init__(self, *, modes_dir: str = DEFAULT_MODES_DIR, binary: str = DEFAULT_BINARY,
                 protector: Protector | None = None, timeout: float = 10.0):
        super().__init__(protector=protector, timeout=timeout)
        self.modes_dir = Path(modes_dir)
        self.binary = binary
        self.characters_sent = 0
        self._pipelines: dict[str, Pipeline] = {}
        self._pipelines_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, protector: Protector | None = None) -> ApertiumEngine:
        """Build from ``APERTIUM_MODES_DIR``, ``APERTIUM_BINARY`` and ``ENGINE_TIMEOUT`` (seconds)."""
        return cls(modes_dir=settings.get("APERTIUM_MODES_DIR") or DEFAULT_MODES_DIR,
                   binary=settings.get("APERTIUM_BINARY") or DEFAULT_BINARY,
                   timeout=float(settings.get("ENGINE_TIMEOUT") or 10.0), protector=protector)

    @functools.cached_property
    def modes(self) -> dict[str, Mode]:
        """Installed modes by name (read once: packages do not change under a running process)."""
        return discover_modes(self.modes_dir)

    def is_configured(self) -> bool:
        """Whether at least one Apertium mode is installed."""
        return bool(self.modes)

    def mode_for(self, source: str, target: str) -> str | None:
        """The mode translating ``source`` to ``target``: a variant (``ca-valencia``) if installed."""
        src, tgt = apertium_code(source), apertium_code(target)
        if not src or not tgt:
            return None
        variants = {(m.variant or "").lower(): name for name, m in self.modes.items()
                    if m.source == src and m.target == tgt}
        for subtag in _subtags(target)[1:]:
            if subtag in variants:
                return variants[subtag]
        return variants.get("")

    def supports(self, source: str, target: str) -> bool:
        """Whether an installed mode translates this BCP 47 pair (regions fall back to the language)."""
        return self.mode_for(source, target) is not None

    def language_pairs(self) -> list[tuple[str, str]]:
        """BCP 47 pairs served, including variant locales such as ``("en", "ca-valencia")``."""
        pairs = []
        for mode in self.modes.values():
            locale = _variant_locale(mode)
            if locale:
                pairs.append((bcp47_code(mode.source), locale))
        return sorted(set(pairs))

    def health(self) -> dict[str, Any]:
        """Installed pairs, running pipelines and characters translated so far."""
        return {"configured": self.is_configured(),
                "pairs": [f"{s}>{t}" for s, t in self.language_pairs()],
                "modes": sorted(self.modes),
                "pipelines": {mode: p.running for mode, p in sorted(self._pipelines.items())},
                "characters_sent": self.characters_sent}

    def pipeline(self, mode: str) -> Pipeline:
        """The persistent pipeline of ``mode`` (created on first use, started on first segment)."""
        with self._pipelines_lock:
            if mode not in self._pipelines:
                if mode not in self.modes:
                    raise EngineUnavailable(f"Apertium mode {mode} is not installed", engine=self.name)
                try:
                    command = build_pipeline(self.modes[mode].path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise EngineUnavailable(f"Apertium mode {mode}: {exc}", engine=self.name) from exc
                self._pipelines[mode] = Pipeline(mode, command, self._environment())
            return self._pipelines[mode]

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # lttoolbox reads and writes UTF-8 only under a UTF-8 locale (the apertium script sets one too).
        env["LC_ALL"] = "C.UTF-8"
        if os.path.isabs(self.binary):
            env["PATH"] = f"{os.path.dirname(self.binary)}{os.pathsep}{env.get('PATH', '')}"
        return env

    def translate_stream(self, frames: list[str], mode: str) -> list[str]:
        """Framed stream segments through the mode's pipeline, restarting a crashed one once."""
        pipeline = self.pipeline(mode)
        with pipeline.lock:
            for attempt in (1, 2):
                try:
                    answers = pipeline.translate(frames, bounded_timeout(self.timeout))
                    texts = [unframe(a) for a in answers]
                    if any(t is None for t in texts):
                        raise PipelineDied(f"{mode} pipeline answered an unframed segment")
                    return [t for t in texts if t is not None]
                except PipelineTimedOut as exc:
                    raise EngineTimeout(f"Apertium {mode}: {exc}", engine=self.name) from exc
                except (PipelineDied, OSError) as exc:
                    detail = pipeline.stderr_tail()
                    pipeline.stop(graceful=False)
                    if attempt == 2:
                        raise EngineUnavailable(
                            f"Apertium {mode} failed twice: {exc}" + (f" ({detail})" if detail else ""),
                            engine=self.name) from exc
        raise AssertionError("unreachable")

    def _send(self, payloads: list[str], source: str, target: str, *, payload_fmt: str, glossary: Any,
              formality: str | None, context: str | None, tone: Sequence[str] = ()) -> list[Sent]:
        """Stream-format payloads through the persistent pipeline; Apertium bills nothing."""
        mode = self.mode_for(source, target)
        if mode is None:
            raise EngineUnavailable(f"no Apertium mode for {source} to {target}", engine=self.name)
        fmt = "html" if payload_fmt == "html" else "text"
        texts = self.translate_stream([frame(p, fmt) for p in payloads], mode)
        self.characters_sent += sum(len(p) for p in payloads)
        return [Sent(text=t, billed_characters=0) for t in texts]

    def warm(self, modes: Sequence[str]) -> dict[str, str | None]:
        """Start the pipelines of ``modes`` and wait for each to answer a short segment, so the first job of a
        worker process does not wait for the dictionaries to load; per mode, None or why it failed (a failure is
        not raised: that pipeline starts again on first use)."""
        outcome: dict[str, str | None] = {}
        for mode in modes:
            try:
                self.translate_stream([frame("Hello.", "text")], mode)
                outcome[mode] = None
            except EngineError as exc:
                outcome[mode] = str(exc)
        return outcome

    def translate_one_shot(self, text: str, mode: str, fmt: str = "txt") -> str:
        """Reference path: one ``apertium -u -f txt|html MODE`` process for ``text`` (slow)."""
        stream_fmt = {"text": "txt", "txt": "txt", "html": "html"}.get(fmt)
        if stream_fmt is None:
            raise ValueError("fmt must be 'txt' or 'html'")
        command = [self.binary, "-d", str(self.modes_dir.parent), "-u", "-f", stream_fmt, mode]
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                  timeout=self.timeout, env=self._environment(), check=False)
        except subprocess.TimeoutExpired as exc:
            raise EngineTimeout(f"apertium {mode} took over {self.timeout:g} s", engine=self.name) from exc
        except OSError as exc:
            raise EngineUnavailable(f"cannot run {self.binary}: {exc}", engine=self.name) from exc
        if done.returncode != 0:
            raise EngineUnavailable(f"apertium {mode} exited {done.returncode}: "
                                    f"{done.stderr.decode('utf-8', 'replace').strip()}", engine=self.name)
        return done.stdout.decode("utf-8")

    def close(self) -> None:
        """Stop every pipeline this engine started."""
        with self._pipelines_lock:
            pipelines = list(self._pipelines.values())
        for pipeline in pipelines:
            with pipeline.lock:
                pipeline.stop()
