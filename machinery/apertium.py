"""Apertium: the offline rule-based engine, run as one persistent null-flushing pipeline per mode.

Spawning ``apertium -u eng-spa`` per segment costs the start-up of a dozen programs (about 170 ms
here); instead the commands of the mode file are started once, with ``-z`` added to every program,
and each segment is written followed by a NUL byte and read back up to the NUL that comes back.

The base class hands ``_send`` payloads already in Apertium's stream format (escaped text, protected
tokens and HTML tags as superblanks). This module only adds the framing that ``apertium-destxt`` /
``apertium-deshtml`` would add, so sentence ends are analysed as the ``apertium`` command would:
a ``.[]`` (a period marked by an empty superblank) at paragraph breaks, before block-level tags and at
the end of the segment, all removed again from the output.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import functools
import os
import re
import select
import shlex
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from machinery.base import Engine, EngineTimeout, EngineUnavailable, Sent, bounded_timeout
from machinery.protection import Protector

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

# Tags that deshtml treats as inline: no sentence end is implied before them.
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time",
    "tt", "u", "var", "wbr",
})
TAG_NAME = re.compile(r"^</?\s*([A-Za-z][A-Za-z0-9-]*)")

SEGMENT_END = ".[][\n]"


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
    return [s for s in tag.replace("_", "-").lower().split("-") if s]


def apertium_code(tag: str) -> str | None:
    """Apertium's three-letter code for a BCP 47 tag (region and variant subtags ignored)."""
    parts = _subtags(tag)
    if not parts:
        return None
    return APERTIUM_CODES.get(parts[0], parts[0] if len(parts[0]) == 3 else None)


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


def build_pipeline(mode_text: str, *, unknown_marks: bool = False) -> str:
    """The shell pipeline of a mode file with ``-z`` on every program and options substituted.

    ``$1`` is the generator's option: ``apertium -u`` puts ``-n`` there (no ``*``/``#``/``@`` marks),
    otherwise ``-g``; ``$2`` is the tagger's ambiguity option (``-m`` with ``apertium -a``), empty here.
    """
    lexer = shlex.shlex(mode_text, posix=True, punctuation_chars="|")
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if set(token) == {"|"}:
            commands.append([])
            continue
        token = token.replace("$1", "-g" if unknown_marks else "-n").replace("$2", "")
        if token:
            commands[-1].append(token)
    if not all(commands):
        raise ValueError("mode file has an empty command in its pipeline")
    return " | ".join(shlex.join([cmd[0], "-z", *cmd[1:]]) for cmd in commands)


# --- stream framing ------------------------------------------------------------------------------

def _stream_tokens(stream: str) -> Iterator[tuple[str, str]]:
    """Split stream text into ``("blank", content)``, ``("escape", raw)`` and ``("char", c)`` tokens."""
    i, n = 0, len(stream)
    while i < n:
        c = stream[i]
        if c == "\\" and i + 1 < n:
            yield "escape", stream[i:i + 2]
            i += 2
        elif c == "[":
            j = i + 1
            while j < n and stream[j] != "]":
                j += 2 if stream[j] == "\\" else 1
            yield "blank", stream[i:j + 1]
            i = j + 1
        else:
            yield "char", c
            i += 1


def _is_block_tag(blank: str) -> bool:
    m = TAG_NAME.match(blank[1:-1].replace("\\", ""))
    return m is not None and m.group(1).lower() not in INLINE_TAGS


def frame(payload: str, fmt: str) -> str:
    """Add the sentence-end marks that destxt/deshtml would, so the pipeline sees sentence ends."""
    out: list[str] = []
    words = False  # whether text has come since the last sentence end we marked
    whitespace: list[str] = []

    def end_whitespace() -> None:
        nonlocal words
        run = "".join(whitespace)
        whitespace.clear()
        if "\n" not in run:
            out.append(run)
        elif run.count("\n") >= 2 and words:
            out.append(f".[][{run}]")  # a paragraph break ends a sentence, as destxt marks it
            words = False
        else:
            out.append(f"[{run}]")  # newlines travel as superblanks so transfer cannot move them

    for kind, raw in _stream_tokens(payload.replace("\0", "")):  # NUL is our segment delimiter
        if kind == "char" and raw.isspace():
            whitespace.append(raw)
            continue
        if whitespace:
            end_whitespace()
        if kind == "blank" and fmt == "html" and words and _is_block_tag(raw):
            out.append(".[]")
            words = False
        out.append(raw)
        words = words or kind != "blank"
    if whitespace:
        end_whitespace()
    return "".join(out) + SEGMENT_END


def unframe(output: str) -> str | None:
    """Remove the framing from a pipeline answer; None if the answer is not a framed segment."""
    tokens = list(_stream_tokens(output.rstrip(" \t")))
    if not tokens or tokens[-1] != ("blank", "[\n]"):
        return None
    tokens.pop()
    kept: list[str] = []
    for kind, raw in tokens:
        if kind == "blank" and raw == "[]":
            # The empty superblank marks a period we inserted; the pipeline may have dropped it.
            if kept and kept[-1] == ".":
                kept.pop()
            continue
        kept.append(raw)
    return "".join(kept)


# --- the persistent pipeline ---------------------------------------------------------------------

class PipelineDied(Exception):
    """The pipeline's process exited or answered garbage."""


class PipelineTimedOut(Exception):
    """A segment got no answer in time."""


_LIVE_PIPELINES: weakref.WeakSet[Pipeline] = weakref.WeakSet()
_INHERITED: list[subprocess.Popen[bytes]] = []


class Pipeline:
    """One long-lived ``bash -c 'prog -z ... | prog -z ...'`` process group for one mode."""

    def __init__(self, mode: str, command: str, env: Mapping[str, str]):
        self.mode = mode
        self.command = command
        self.env = dict(env)
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        #: The last started bash, which is also the process-group id of its programs.
        self.pid: int | None = None
        self._owner_pid = 0
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        _LIVE_PIPELINES.add(self)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None and self._owner_pid == os.getpid()

    def stderr_tail(self) -> str:
        return " | ".join(self._stderr)

    def start(self) -> None:
        """Start the process group (the caller holds ``lock``)."""
        self._stderr.clear()
        self.process = subprocess.Popen(
            ["bash", "-c", self.command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=self.env, start_new_session=True)
        self._owner_pid = os.getpid()
        self.pid = self.process.pid
        self.starts += 1
        assert self.process.stdin and self.process.stdout and self.process.stderr
        os.set_blocking(self.process.stdin.fileno(), False)
        os.set_blocking(self.process.stdout.fileno(), False)
        # Drained in the background so a chatty program cannot block on a full stderr pipe.
        threading.Thread(target=self._drain_stderr, args=(self.process.stderr,), daemon=True,
                         name=f"apertium-{self.mode}-stderr").start()

    def _drain_stderr(self, stream: Any) -> None:
        # The thread owns the stream and closes it at end of file, once the whole group has exited.
        with stream, contextlib.suppress(OSError, ValueError):
            for line in iter(stream.readline, b""):
                self._stderr.append(line.decode("utf-8", "replace").strip())

    def translate(self, frames: list[str], timeout: float) -> list[str]:
        """Stream ``frames`` through the pipeline; each answer must come within ``timeout`` of the last."""
        if self.process is not None and self._owner_pid != os.getpid():
            self._disown()
        if not self.running:
            self.stop()
            self.start()
        try:
            return self._exchange(frames, timeout)
        except BaseException:
            # Answers still in flight would be read as the next caller's: never reuse this process.
            self.stop(graceful=False)
            raise

    def _disown(self) -> None:
        """After a fork: close our copies of the parent's pipes, leave its processes alone."""
        process, self.process = self.process, None
        if process is not None:
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream:
                    with contextlib.suppress(OSError):
                        stream.close()
            _INHERITED.append(process)  # not ours to wait for; kept so it is not reported as leaked

    def _exchange(self, frames: list[str], timeout: float) -> list[str]:
        assert self.process and self.process.stdin and self.process.stdout
        pending = memoryview(b"".join(f.encode("utf-8") + b"\0" for f in frames))
        stdin, stdout = self.process.stdin.fileno(), self.process.stdout.fileno()
        received = bytearray()
        answers = 0
        deadline = time.monotonic() + timeout
        while answers < len(frames):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PipelineTimedOut(f"no answer from {self.mode} within {timeout:g} s")
            readable, writable, _ = select.select([stdout], [stdin] if pending else [], [], remaining)
            if writable:
                try:
                    written = os.write(stdin, pending[:65536])
                except (BrokenPipeError, ConnectionResetError) as exc:
                    raise PipelineDied(f"{self.mode} pipeline closed its input") from exc
                pending = pending[written:]
            if readable:
                chunk = os.read(stdout, 1 << 16)
                if not chunk:
                    raise PipelineDied(f"{self.mode} pipeline exited")
                received += chunk
                got = received.count(0)
                if got > answers:
                    answers = got
                    deadline = time.monotonic() + timeout
        parts = bytes(received).split(b"\0")
        if answers != len(frames) or parts[-1]:
            raise PipelineDied(f"{self.mode} pipeline answered {answers} segments for {len(frames)}")
        return [p.decode("utf-8", "replace") for p in parts[:-1]]

    def stop(self, *, graceful: bool = True) -> None:
        """End the process group: let it finish on end of input, then kill whatever still runs."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.stdin:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if self._owner_pid == os.getpid():
            if graceful:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=2)
            if process.returncode is None:
                # The whole group: a hung program outlives bash. Its group id is bash's pid.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout:
            process.stdout.close()


@atexit.register
def _stop_all_pipelines() -> None:
    for pipeline in list(_LIVE_PIPELINES):
        pipeline.stop()


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
