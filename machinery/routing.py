"""Engine routing: an ordered engine list per target language, retries with backoff, failover.

``TOLK_ENGINE_ROUTES`` reads ``es=apertium,deepl;*=deepl,google``: for Spanish try Apertium, then
DeepL; for everything else DeepL, then Google. A route for ``es-MX`` wins over ``es``, which wins over
``*``. Engines that are not configured or do not serve the pair are skipped (with the reason kept);
retryable errors (rate limits, 5xx, timeouts) are retried with exponential backoff, then the next
engine is tried. Every attempt is metered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from machinery.base import SENT_PAYLOADS, Engine, EngineError, Translation
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


class NoEngineAvailable(Exception):
    """No engine could translate the pair; ``attempts`` says why for each."""

    def __init__(self, source: str, target: str, attempts: list[Attempt]):
        self.source, self.target, self.attempts = source, target, attempts
        tried = [a for a in attempts if a.outcome == "error"]
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
                 sleep: Callable[[float], None] = time.sleep, withhold: Withhold | None = None):
        self.engines, self.routes = engines, routes
        self.withhold = withhold
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
                started = time.perf_counter()
                sent = SENT_PAYLOADS.set([])
                try:
                    result = engine.translate_batch(list(texts), source, target, **options)
                except EngineError as exc:
                    self._meter(engine, source, target, texts, started, None, exc)
                    attempts.append(Attempt(engine.name, "error", exc.code, str(exc)))
                    wait = max(delay, exc.retry_after or 0.0)
                    if not exc.retryable or attempt == self.retries or wait > self.max_wait:
                        break
                    self.sleep(wait)
                    delay *= 2
                    continue
                else:
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
