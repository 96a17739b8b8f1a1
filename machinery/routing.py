"""Engine routing: an ordered engine list per target language, retries with backoff, failover.

``TOLK_ENGINE_ROUTES`` reads ``es=apertium,deepl;*=deepl,google``: for Spanish try Apertium, then
DeepL; for everything else DeepL, then Google. A route for ``es-MX`` wins over ``es``, which wins over
``*``. Engines that are not configured or do not serve the pair are skipped (with the reason kept);
retryable errors (rate limits, 5xx, timeouts) are retried with exponential backoff, then the next
engine is tried. Every attempt is metered.

Two limits keep one slow vendor from holding every thread: ``deadline(seconds)`` bounds all the engine
work of a request (each request's timeout and backoff is cut to what is left, and once it is spent no
engine is tried), and a ``CircuitBreaker`` per engine skips an engine that failed ``threshold`` times
in a row for ``cooldown`` seconds, then lets one request through to probe it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from machinery.base import DEADLINE, SENT_PAYLOADS, Engine, EngineError, Translation, remaining_time
from tolk.languages import fallbacks


class RouteError(ValueError):
    """A malformed TOLK_ENGINE_ROUTES value."""


def parse_routes(spec: str, known: Sequence[str]) -> dict[str, list[str]]:
    """Parse a routes string into {target language or '*': [engine, ...]}."""
    routes: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        target, sep, engines = part.partition("=")
        names = [n.strip() for n in engines.split(",") if n.strip()]
        if not sep or not target.strip() or not names:
            raise RouteError(f"route {part!r} is not lang=engine,engine")
        unknown = [n for n in names if n not in known]
        if unknown:
            raise RouteError(f"route {part!r} names unknown engine(s): {', '.join(unknown)}")
        routes[target.strip()] = names
    routes.setdefault("*", list(known))
    return routes


@dataclass
class Attempt:
    """One try (or skip) of one engine."""

    engine: str
    outcome: str  # ok | skipped | error
    code: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "outcome": self.outcome, "code": self.code, "message": self.message}


@dataclass
class Routed:
    """Translations and how they were obtained."""

    translations: list[Translation]
    engine: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def failed_over(self) -> bool:
        return any(a.outcome == "error" for a in self.attempts)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Bound the engine work run inside the block to ``seconds`` (None or 0: no bound); nests to the earlier."""
    if not seconds:
        yield
        return
    ends = time.monotonic() + seconds
    outer = DEADLINE.get()
    token = DEADLINE.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        DEADLINE.reset(token)


#: Errors that say nothing about the engine's health: the request or the pair was at fault.
_NOT_HEALTH = frozenset({"unsupported_pair", "not_configured", "bad_request"})


class CircuitBreaker:
    """Per-engine consecutive-failure counts: an engine that failed ``threshold`` times in a row is skipped
    for ``cooldown`` seconds, then one request probes it (half open) and its outcome closes or reopens it."""

    def __init__(self, threshold: int = 5, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.threshold, self.cooldown, self.clock = threshold, cooldown, clock
        self._failures: dict[str, int] = {}
        self._open_until: dict[str, float] = {}
        self._probing: set[str] = set()
        self._lock = threading.Lock()

    def allow(self, engine: str) -> bool:
        """Whether ``engine`` may be tried now (claims the single probe when the cool-down is over)."""
        if self.threshold <= 0:
            return True
        with self._lock:
            until = self._open_until.get(engine)
            if until is None:
                return True
            if self.clock() < until or engine in self._probing:
                return False
            self._probing.add(engine)
            return True

    def record(self, engine: str, ok: bool | None) -> None:
        """Count an attempt's outcome (None: says nothing of the engine's health); opens the circuit at the
        threshold or when a probe fails."""
        if self.threshold <= 0:
            return
        with self._lock:
            probing = engine in self._probing
            self._probing.discard(engine)
            if ok is None:
                return
            if ok:
                self._failures.pop(engine, None)
                self._open_until.pop(engine, None)
                return
            count = self._failures[engine] = self._failures.get(engine, 0) + 1
            if probing or count >= self.threshold:
                self._open_until[engine] = self.clock() + self.cooldown

    def state(self, engine: str) -> dict[str, Any]:
        """``closed``, ``open`` (with seconds left) or ``half_open``, and the consecutive failures."""
        with self._lock:
            failures = self._failures.get(engine, 0)
            until = self._open_until.get(engine)
            if until is None:
                return {"state": "closed", "consecutive_failures": failures}
            left = until - self.clock()
            if left > 0:
                return {"state": "open", "consecutive_failures": failures, "retry_in_seconds": round(left, 1)}
            return {"state": "half_open", "consecutive_failures": failures}


class NoEngineAvailable(Exception):
    """No engine could translate the pair; ``attempts`` says why for each."""

    def __init__(self, source: str, target: str, attempts: list[Attempt]):
        self.source, self.target, self.attempts = source, target, attempts
        # Engines skipped for their health (open circuit, spent deadline) count as failed, not as unserved.
        tried = [a for a in attempts if a.outcome == "error" or a.code in ("circuit_open", "deadline")]
        self.unserved = not tried
        reasons = "; ".join(f"{a.engine}: {a.message}" for a in attempts) or "no engine is routed"
        what = "no engine serves" if self.unserved else "every engine failed for"
        super().__init__(f"{what} {source} -> {target} ({reasons})")


Meter = Callable[..., None]
#: Asked for each routed engine before it is tried: (code, reason) to skip it now, or None.
Withhold = Callable[[str], tuple[str, str] | None]


class Router:
    """Chooses engines for a pair and runs the retry/failover policy."""

    def __init__(self, engines: Mapping[str, Engine], routes: Mapping[str, list[str]], *, retries: int = 2,
                 backoff: float = 0.5, max_wait: float = 5.0, meter: Meter | None = None,
                 sleep: Callable[[float], None] = time.sleep, withhold: Withhold | None = None,
                 breaker: CircuitBreaker | None = None):
        self.engines, self.routes = engines, routes
        self.withhold = withhold
        self.breaker = breaker or CircuitBreaker(threshold=0)
        self.retries, self.backoff, self.meter, self.sleep = retries, backoff, meter, sleep
        #: A vendor asking to wait longer than this (Retry-After) is skipped: the next engine is faster.
        self.max_wait = max_wait

    def route_for(self, target: str) -> list[str]:
        """The ordered engine names for ``target``."""
        for tag in fallbacks(target):
            if tag in self.routes:
                return self.routes[tag]
        return self.routes["*"]

    def candidates(self, source: str, target: str) -> tuple[list[Engine], list[Attempt]]:
        """Engines that can be tried for the pair, and the skipped ones with their reasons."""
        usable, skipped = [], []
        for name in self.route_for(target):
            engine = self.engines[name]
            if not engine.is_configured():
                skipped.append(Attempt(name, "skipped", "not_configured", f"{name} is not configured"))
            elif not engine.supports(source, target):
                skipped.append(Attempt(name, "skipped", "unsupported_pair",
                                       f"{name} does not translate {source} to {target}"))
            elif self.withhold is not None and (held := self.withhold(name)) is not None:
                skipped.append(Attempt(name, "skipped", held[0], held[1]))
            else:
                usable.append(engine)
        return usable, skipped

    def translate(self, texts: Sequence[str], source: str, target: str, **options: Any) -> Routed:
        """Translate with the first engine that succeeds; raise NoEngineAvailable otherwise."""
        usable, attempts = self.candidates(source, target)
        for engine in usable:
            delay = self.backoff
            for attempt in range(self.retries + 1):
                if remaining_time() == 0.0:
                    attempts.append(Attempt(engine.name, "skipped", "deadline",
                                            "the request's time for engine work is spent"))
                    break
                if not self.breaker.allow(engine.name):
                    state = self.breaker.state(engine.name)
                    attempts.append(Attempt(engine.name, "skipped", "circuit_open",
                                            f"{engine.name} failed {state['consecutive_failures']} times in a row; "
                                            "skipped while its circuit is open"))
                    break
                started = time.perf_counter()
                sent = SENT_PAYLOADS.set([])
                try:
                    result = engine.translate_batch(list(texts), source, target, **options)
                except EngineError as exc:
                    self.breaker.record(engine.name, ok=None if exc.code in _NOT_HEALTH else False)
                    self._meter(engine, source, target, texts, started, None, exc)
                    attempts.append(Attempt(engine.name, "error", exc.code, str(exc)))
                    wait = max(delay, exc.retry_after or 0.0)
                    left = remaining_time()
                    if not exc.retryable or attempt == self.retries or wait > self.max_wait \
                            or (left is not None and wait >= left):
                        break
                    self.sleep(wait)
                    delay *= 2
                    continue
                else:
                    self.breaker.record(engine.name, ok=True)
                    self._meter(engine, source, target, texts, started, result, None)
                    attempts.append(Attempt(engine.name, "ok"))
                    return Routed(result, engine.name, attempts)
                finally:
                    SENT_PAYLOADS.reset(sent)
        raise NoEngineAvailable(source, target, attempts)

    def _meter(self, engine: Engine, source: str, target: str, texts: Sequence[str], started: float,
               result: list[Translation] | None, error: EngineError | None) -> None:
        if self.meter is None:
            return
        self.meter(engine=engine.name, source_lang=source, target_lang=target, segments=len(texts),
                   characters=sum(len(t) for t in texts),
                   billed_characters=sum(t.billed_characters for t in result or []),
                   input_tokens=sum(t.input_tokens for t in result or []),
                   output_tokens=sum(t.output_tokens for t in result or []),
                   duration_ms=(time.perf_counter() - started) * 1000, ok=error is None,
                   error_code=error.code if error else None, sent=list(SENT_PAYLOADS.get() or []))
