"""Apertium's persistent null-flushing pipeline and the stream framing around each segment.

The commands of a mode file are started once, with ``-z`` added to every program, and each segment is
written followed by a NUL byte and read back up to the NUL that comes back. ``frame`` adds the marks
that ``apertium-destxt`` / ``apertium-deshtml`` would add, so sentence ends are analysed as the
``apertium`` command would; ``unframe`` removes them from the answer.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import os
import re
import select
import shlex
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any

# Tags that deshtml treats as inline: no sentence end is implied before them.
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time",
    "tt", "u", "var", "wbr",
})
TAG_NAME = re.compile(r"^</?\s*([A-Za-z][A-Za-z0-9-]*)")

SEGMENT_END = ".[][\n]"


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

#: One token of stream text: an escaped character, a superblank (``[...]``, escapes inside; unterminated: to the
#: end), a run of whitespace, a run of other characters, or a lone backslash at the very end.
_STREAM_TOKEN = re.compile(r"\\.|\[(?:\\.|[^\]\\])*(?:\]|\\?\Z)|\s+|[^\\\[\s]+|\\", re.DOTALL)


def _stream_tokens(stream: str) -> list[str]:
    """Split stream text into tokens (:data:`_STREAM_TOKEN`), a run of characters at a time: a loop over the
    characters cost a reply more CPU than the rest of its Apertium call."""
    return _STREAM_TOKEN.findall(stream)


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

    for raw in _stream_tokens(payload.replace("\0", "")):  # NUL is our segment delimiter
        if raw.isspace():
            whitespace.append(raw)
            continue
        if whitespace:
            end_whitespace()
        blank = raw[0] == "["
        if blank and fmt == "html" and words and _is_block_tag(raw):
            out.append(".[]")
            words = False
        out.append(raw)
        words = words or not blank
    if whitespace:
        end_whitespace()
    return "".join(out) + SEGMENT_END


def unframe(output: str) -> str | None:
    """Remove the framing from a pipeline answer; None if the answer is not a framed segment."""
    tokens = _stream_tokens(output.rstrip(" \t"))
    if not tokens or tokens[-1] != "[\n]":
        return None
    tokens.pop()
    kept: list[str] = []
    for raw in tokens:
        if raw == "[]":
            # The empty superblank marks a period we inserted; the pipeline may have dropped it. Only a period
            # of the text counts: not an escaped one, nor one inside a superblank.
            if kept and kept[-1][-1] == "." and kept[-1][0] not in "\\[":
                if len(kept[-1]) > 1:
                    kept[-1] = kept[-1][:-1]
                else:
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
