"""The machine-translation pipeline every caller uses: TM first, then engines, then term verification.

For each segment: an exact translation-memory match is reused at no cost; the rest go, protected,
to the routed engines in one batch; results are written back to the TM as machine segments (so the
same sentence is never paid for twice) unless the caller says not to (replies: their translations reach
the memory only once a reviewer approved them), and checked against the glossary.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from machinery.base import Engine, EngineGlossary
from machinery.memory import TranslationMemory
from machinery.memory_machine import add_machine_many
from machinery.metering import CONTENT_TYPE, TM_ENGINE
from machinery.models import EngineCall
from machinery.pii import Customer
from machinery.pricing import PriceList
from machinery.routing import Attempt, Meter, Router
from tolk.db import defer_insert, defer_write

if TYPE_CHECKING:
    from glossaries.terms import Termbase

_ENGINE_CALL_INSERT = insert(EngineCall)


@dataclass
class SegmentResult:
    """One translated segment with its provenance and term findings."""

    source: str
    text: str
    engine: str  # the engine name, or "tm" for a translation-memory match
    source_lang: str
    target_lang: str
    tm_score: int | None = None
    tm_origin: str | None = None
    billed_characters: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    term_findings: list[dict[str, Any]] = field(default_factory=list)
    lost_tokens: list[dict[str, str]] = field(default_factory=list)
    suggestion: dict[str, Any] | None = None

    @property
    def origin(self) -> str:
        return "tm" if self.engine == "tm" else "machine"

    @property
    def failed_over(self) -> bool:
        return any(a.outcome == "error" for a in self.attempts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "engine": self.engine, "origin": self.origin, "tm_score": self.tm_score,
            "tm_origin": self.tm_origin, "billed_characters": self.billed_characters,
            "failed_over": self.failed_over, "attempts": [a.to_dict() for a in self.attempts],
            "term_findings": self.term_findings, "lost_tokens": self.lost_tokens,
            "suggestion": self.suggestion,
        }


def engine_glossary(termbase: Termbase, source: str, target: str) -> EngineGlossary | None:
    """The termbase reduced to one pair for engines, or None when it has no entries for the pair."""
    entries = termbase.pair_entries(source, target)
    if not entries:
        return None
    keep = tuple(sorted(k for k, v in entries.items() if k == v))
    forbidden = termbase.forbidden_terms(target)
    return EngineGlossary(name=termbase.name, source_lang=source, target_lang=target, entries=entries,
                          do_not_translate=keep, checksum=termbase.checksum(source, target), forbidden=forbidden)


class MachineTranslator:
    """TM lookup, routed engines, TM write-back and term verification for a batch of segments."""

    def __init__(self, router: Router, memory: TranslationMemory, *, fuzzy_threshold: int = 75,
                 meter: Meter | None = None):
        self.router, self.memory, self.fuzzy_threshold = router, memory, fuzzy_threshold
        #: Records translation-memory hits as the engine calls they saved (engine ``tm``).
        self.meter = meter

    def translate(self, session: Session, texts: Sequence[str], source: str, target: str, *, fmt: str = "text",
                  glossary: Termbase | None = None, formality: str | None = None, context: str | None = None,
                  tm_context: str | None = None, use_tm: bool = True, suggest: bool = False,
                  remember: bool = True, customer: Customer | None = None, tone: Sequence[str] = (),
                  content_type: str | None = None) -> list[SegmentResult]:
        """Translate ``texts``; raise routing.NoEngineAvailable when segments need an engine and none can.

        ``suggest`` adds the best fuzzy translation-memory match to each machine-translated segment;
        ``remember=False`` keeps machine output out of the memory; ``customer`` is masked like other data;
        ``tone`` holds the locale's writing rules for engines that take instructions; ``content_type``
        (reply, kb, template, api) is recorded with the cost of every engine call and TM hit.
        """
        results: list[SegmentResult | None] = [None] * len(texts)
        pending: list[int] = []
        asked = [i for i, text in enumerate(texts) if text.strip()]
        exact = dict(zip(asked, self.memory.lookup_exact_many(session, source, target, [texts[i] for i in asked],
                                                              customer=customer), strict=True)) if use_tm else {}
        for i, text in enumerate(texts):
            if not text.strip():
                results[i] = SegmentResult(text, text, "tm", source, target, tm_score=100)
                continue
            match = exact.get(i)
            if match is not None:
                results[i] = SegmentResult(text, match.target_text, "tm", source, target, tm_score=100,
                                           tm_origin=str(match.origin))
            else:
                pending.append(i)
        hits = [texts[i] for i, r in enumerate(results) if r is not None and r.tm_score == 100 and r.tm_origin]
        if hits and self.meter is not None:
            self.meter(engine=TM_ENGINE, source_lang=source, target_lang=target, segments=len(hits),
                       characters=sum(len(t) for t in hits), billed_characters=0, duration_ms=0.0, ok=True,
                       error_code=None, sent=[], content_type=content_type, saved_for=self._first_engine(target))
        if pending:
            eg = engine_glossary(glossary, source, target) if glossary else None
            token = CONTENT_TYPE.set(content_type)
            try:
                routed = self.router.translate([texts[i] for i in pending], source, target, glossary=eg,
                                               formality=formality, fmt=fmt, context=context, customer=customer,
                                               tone=tuple(tone))
            finally:
                CONTENT_TYPE.reset(token)
            remembered: list[tuple[str, str, str]] = []
            for i, tr in zip(pending, routed.translations, strict=True):
                result = SegmentResult(
                    texts[i], tr.text, tr.engine, source, target, billed_characters=tr.billed_characters,
                    attempts=list(routed.attempts),
                    lost_tokens=[{"kind": s.kind, "text": s.restore} for s in tr.lost_spans if not s.is_pii],
                )
                if tr.lost_spans:
                    result.lost_tokens.extend({"kind": s.kind, "text": "[customer data]"}
                                              for s in tr.lost_spans if s.is_pii)
                if use_tm and remember and not tr.lost_spans:
                    remembered.append((texts[i], tr.text, tr.engine))
                if use_tm and suggest:
                    result.suggestion = self._suggestion(source, target, texts[i], customer)
                results[i] = result
            if remembered:  # one write for the whole batch, when the session commits
                defer_write(session, functools.partial(add_machine_many, self.memory, session, source, target,
                                                       remembered, context=tm_context, customer=customer))
        done = [r for r in results if r is not None]
        if glossary is not None:
            from glossaries.verify import verify_terms  # lazy: simplemma takes 0.3 s to import

            for r in done:
                r.term_findings = [f.to_dict() for f in verify_terms(r.source, r.text, glossary, source, target)]
        return done

    def _first_engine(self, target: str) -> str | None:
        """The engine the route for ``target`` would try first (configured ones only; no network call)."""
        return next((name for name in self.router.route_for(target)
                     if name in self.router.engines and self.router.engines[name].is_configured()), None)

    def _suggestion(self, source: str, target: str, text: str, customer: Customer | None) -> dict[str, Any] | None:
        matches = self.memory.lookup_fuzzy(source, target, text, limit=1, threshold=self.fuzzy_threshold,
                                           customer=customer)
        if not matches:
            return None
        m = matches[0]
        return {"source": m.source_text, "text": m.target_text, "score": m.score, "origin": str(m.origin)}


#: The ticket (SHA-256 of its reference) the engine calls in this context translate for.
EGRESS_TICKET: ContextVar[str | None] = ContextVar("EGRESS_TICKET", default=None)


def ticket_key(ticket_ref: str) -> str:
    """How engine-call records name a ticket: SHA-256 of its reference, so erasure can find them."""
    return hashlib.sha256(ticket_ref.strip().encode()).hexdigest()


@contextlib.contextmanager
def egress_for_ticket(ticket_ref: str | None) -> Iterator[None]:
    """Engine calls made inside are recorded against ``ticket_ref``."""
    token = EGRESS_TICKET.set(ticket_key(ticket_ref) if ticket_ref else None)
    try:
        yield
    finally:
        EGRESS_TICKET.reset(token)


def egress_record(mode: str, payloads: Sequence[str]) -> str | None:
    """What the egress log keeps of payloads sent to an engine: nothing, hashes or the masked text."""
    if mode == "off" or not payloads:
        return None
    if mode == "full":
        return json.dumps(list(payloads), ensure_ascii=False)
    return json.dumps([hashlib.sha256(p.encode()).hexdigest() for p in payloads])


def database_meter(session_for: Callable[[], Session], egress_mode: str, prices: PriceList | None = None,
                   after_write: Callable[[Session, EngineCall], None] | None = None,
                   budgeted: Callable[[str], bool] = lambda _engine: True) -> Callable[..., None]:
    """A routing meter that records every engine call in ``engine_calls``, with its cost in money.

    ``saved_for`` (on ``tm`` rows) names the engine whose price values the characters a TM hit saved;
    ``after_write`` runs with each costing row of a ``budgeted`` engine once it is added (budget notices).
    The other rows are written with the commit (on PostgreSQL, in its round trip).
    """
    prices = prices or PriceList()

    def meter(*, sent: Sequence[str], saved_for: str | None = None, content_type: str | None = None,
              **call: Any) -> None:
        session = session_for()
        if saved_for is not None or call["engine"] == TM_ENGINE:
            cost = prices.saved(saved_for, call["characters"])
        else:
            tokens_in, tokens_out = call.get("input_tokens", 0), call.get("output_tokens", 0)
            # An engine that reports no billing (Apertium on its own server) is priced by characters sent.
            billed = call["billed_characters"] or (call["characters"] if call["ok"] and not (tokens_in or tokens_out)
                                                   else 0)
            cost = prices.cost(call["engine"], billed_characters=billed, input_tokens=tokens_in,
                               output_tokens=tokens_out)
        values = {"egress": egress_record(egress_mode, sent), "ticket_key": EGRESS_TICKET.get(), "cost": cost,
                  "content_type": content_type or CONTENT_TYPE.get(), **call}

        def write() -> None:
            if after_write is None or not cost or call["engine"] == TM_ENGINE or not budgeted(call["engine"]):
                # Nothing reads the row back in this transaction: it goes with the commit.
                defer_insert(session, _ENGINE_CALL_INSERT, values)
                return
            row = EngineCall(**values)
            session.add(row)
            after_write(session, row)  # budget thresholds: they sum the month's costs, this row's too

        defer_write(session, write)

    return meter


def describe_engines(engines: Mapping[str, Engine]) -> list[dict[str, Any]]:
    """Engines and the language pairs each can serve now (for `tolk engines` and the admin page)."""
    rows = []
    for name, engine in engines.items():
        configured = engine.is_configured()
        pairs = engine.language_pairs() if configured else []
        rows.append({"engine": name, "configured": configured,
                     "pairs": None if pairs is None else [f"{s}-{t}" for s, t in pairs]})
    return rows
