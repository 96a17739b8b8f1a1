"""Translation memory: exact and fuzzy matches of source segments, stored in ``tm_segments``.

Segments are stored in memory form: customer data (e-mail addresses, names, card numbers...) is replaced
by numbered tokens (``[[email:1]]``) in source and target, so no lookup, suggestion or TMX export shows
one ticket's data to another. Lookups put the asker's own values back into the tokens.

Exact matches are one probe of the hash index in the database, so every worker sees every commit at
once. Fuzzy matches come from an in-memory ``FuzzyIndex`` per language pair, built lazily from the
database and refreshed incrementally, so each gunicorn worker keeps its own copy current.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, case, event, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from machinery.fuzzy import FuzzyIndex
from machinery.models import TmOrigin, TmSegment
from machinery.pii import Customer
from machinery.protection import Protector, Span, memory_form, memory_translation, restore_memory_tokens
from tolk.db import utcnow

_SPACE = re.compile(r"\s+")
# Invisible characters that editors and copy-paste leave behind; ZWJ/ZWNJ are not here: they change
# how Persian, Indic scripts and emoji render, so they are part of the text.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")


def normalize(text: str) -> str:
    """The form of a source segment that matching compares: NFC, invisible characters dropped,
    every run of whitespace (including no-break and thin spaces) made one space, ends trimmed.

    Case and punctuation are kept on purpose: "Sign in." and "sign in?" may need different
    translations, and a capital can mark a product name.
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return _SPACE.sub(" ", text).strip()


def source_hash(text: str) -> str:
    """SHA-1 (hex) of the normalized source: the key of exact lookups."""
    return hashlib.sha1(normalize(text).encode("utf-8"), usedforsecurity=False).hexdigest()


def language_tag(tag: str) -> str:
    """A BCP 47 tag in its usual casing (``en_us`` -> ``en-US``, ``zh-hant`` -> ``zh-Hant``)."""
    parts = [p for p in re.split(r"[-_]", tag.strip()) if p]
    if not parts:
        raise ValueError("empty language tag")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


# -- the translation memory ------------------------------------------------------------------------

#: A segment to import: (source lang, target lang, source, target, context, approved by).
ImportedUnit = tuple[str, str, str, str, "str | None", "str | None"]


@dataclass(frozen=True, slots=True)
class TmMatch:
    """A translation-memory hit: the stored segment and how close its source is (0-100)."""

    segment_id: int
    source_text: str
    target_text: str
    score: float
    origin: TmOrigin
    context: str | None
    engine: str | None


@dataclass
class _PairIndex:
    index: FuzzyIndex
    seen_max: int = 0
    recent_ids: set[int] = field(default_factory=set)
    loaded_at: float = 0.0


def _origin_rank():
    return case({o: o.rank for o in TmOrigin}, value=TmSegment.origin, else_=0)


def _as_match(segment: TmSegment, score: float, spans: list[Span] | None = None) -> TmMatch:
    """A match with the asker's values (``spans``) in the segment's tokens, where they fit."""
    source, target = segment.source_text, segment.target_text
    if spans is not None:
        source, target = restore_memory_tokens(source, spans)[0], restore_memory_tokens(target, spans)[0]
    return TmMatch(segment.id, source, target, score, TmOrigin(segment.origin), segment.context, segment.engine)


def _insert_unless_present(session: Session, values: dict) -> int | None:
    """Insert a segment in one statement; None when the (pair, source, origin) key is already taken.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` on SQLite and PostgreSQL: one round trip, and a
    lost race between two workers cannot fail the caller's transaction.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    statement = (insert(TmSegment).values(**values, created_at=now, updated_at=now)
                 .on_conflict_do_nothing(index_elements=["source_lang", "target_lang", "source_hash", "origin"])
                 .returning(TmSegment.id))
    return session.execute(statement).scalar()


class TranslationMemory:
    """Segments per language pair with exact lookups (database) and fuzzy lookups (in-memory index).

    Built with an ``Engine`` or a ``sessionmaker``; never reads Flask's ``current_app``. ``add`` takes
    the caller's session and leaves the commit to the caller; the local fuzzy index learns of the new
    segments when that session commits. Other processes see them at their next refresh (at most
    ``refresh_interval`` seconds later, or at once after ``refresh()``).
    """

    # Rows are read again from this many ids below the highest seen: with concurrent writers a lower
    # id can commit after a higher one (PostgreSQL sequences), and would otherwise never be indexed.
    REFRESH_OVERLAP = 1000

    def __init__(self, bind: Engine | sessionmaker, *, refresh_interval: float = 5.0,
                 index_options: dict | None = None, protector: Protector | None = None) -> None:
        self.protector = protector or Protector()
        self.sessionmaker = bind if isinstance(bind, sessionmaker) else sessionmaker(bind, expire_on_commit=False)
        self.refresh_interval = refresh_interval
        self.index_options = dict(index_options or {})
        self._pairs: dict[tuple[str, str], _PairIndex] = {}
        self._lock = threading.RLock()
        self._pending_key = ("tolk.tm.pending", id(self))

    # -- writing --

    def add(self, session: Session, source_lang: str, target_lang: str, source: str, target: str,
            origin: TmOrigin | str, *, context: str | None = None, engine: str | None = None,
            approved_by: str | None = None, customer: Customer | None = None) -> int | None:
        """Store a segment in memory form, or update the one with the same pair, normalized source and origin;
        its id. None (nothing stored) when the translation holds customer data its source does not."""
        if not normalize(source):
            raise ValueError("a translation-memory segment needs a non-empty source")
        if not target.strip():
            raise ValueError("a translation-memory segment needs a non-empty target")
        source, spans = memory_form(self.protector, source, customer)
        protected = memory_translation(self.protector, target, spans, customer)
        if protected is None:
            return None
        return self._add(session, source_lang, target_lang, source, protected, origin, context=context,
                         engine=engine, approved_by=approved_by)

    def add_many(self, session: Session, units: Iterable[ImportedUnit], origin: TmOrigin | str) -> int:
        """Store many segments as ``add`` would one by one (a later duplicate wins), in a few statements;
        how many were taken (units whose translation holds customer data their source lacks are not).
        The local fuzzy index learns of them at its next refresh; the caller commits."""
        origin = TmOrigin(origin)
        rows: dict[tuple[str, str, str], dict] = {}
        taken = 0
        for source_lang, target_lang, source, target, context, approved_by in units:
            if not normalize(source) or not target.strip():
                raise ValueError("a translation-memory segment needs a non-empty source and target")
            memory_source, spans = memory_form(self.protector, source, None)
            protected = memory_translation(self.protector, target, spans, None)
            if protected is None:
                continue
            taken += 1
            key = (language_tag(source_lang), language_tag(target_lang), source_hash(memory_source))
            rows[key] = dict(source_lang=key[0], target_lang=key[1], source_text=memory_source,
                             target_text=protected, source_hash=key[2], origin=origin, engine=None,
                             context=context, approved_by=approved_by)
        if not rows:
            return taken
        existing: dict[tuple[str, str, str], int] = {}
        for seg_id, src, tgt, digest in session.execute(
                select(TmSegment.id, TmSegment.source_lang, TmSegment.target_lang, TmSegment.source_hash)
                .where(TmSegment.source_hash.in_({k[2] for k in rows}), TmSegment.origin == origin)
                .order_by(TmSegment.id)):
            existing.setdefault((src, tgt, digest), seg_id)
        now = utcnow()
        fresh = [{**row, "created_at": now, "updated_at": now} for key, row in rows.items() if key not in existing]
        if fresh:
            insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            session.execute(insert(TmSegment).on_conflict_do_nothing(
                index_elements=["source_lang", "target_lang", "source_hash", "origin"]), fresh)
        changed = [{"id": existing[key], "source_text": row["source_text"], "target_text": row["target_text"],
                    "context": row["context"], "engine": None, "approved_by": row["approved_by"], "updated_at": now}
                   for key, row in rows.items() if key in existing]
        if changed:
            session.execute(update(TmSegment), changed)
        return taken

    def _add(self, session: Session, source_lang: str, target_lang: str, source: str, target: str,
             origin: TmOrigin | str, *, context: str | None, engine: str | None, approved_by: str | None) -> int:
        src, tgt, origin = language_tag(source_lang), language_tag(target_lang), TmOrigin(origin)
        key = source_hash(source)
        segment = session.scalars(
            select(TmSegment)
            .where(TmSegment.source_lang == src, TmSegment.target_lang == tgt,
                   TmSegment.source_hash == key, TmSegment.origin == origin)
            .order_by(TmSegment.id)
        ).first()
        if segment is None:
            new_id = _insert_unless_present(session, dict(
                source_lang=src, target_lang=tgt, source_text=source, target_text=target, source_hash=key,
                origin=origin, engine=engine, context=context, approved_by=approved_by))
            if new_id is None:
                # Another worker stored the same segment meanwhile: update theirs instead.
                return self._add(session, source_lang, target_lang, source, target, origin, context=context,
                                 engine=engine, approved_by=approved_by)
            self._on_commit(session, (src, tgt), new_id, normalize(source), origin.rank)
            return new_id
        elif (segment.target_text, segment.source_text, segment.context, segment.engine,
              segment.approved_by) != (target, source, context, engine, approved_by):
            segment.source_text, segment.target_text = source, target
            segment.context, segment.engine, segment.approved_by = context, engine, approved_by
            segment.updated_at = utcnow()
            session.flush()
        return segment.id

    def _on_commit(self, session: Session, pair: tuple[str, str], seg_id: int, text: str, rank: int) -> None:
        """Queue a new segment for the local index; it joins on commit and is dropped on rollback."""
        pending = session.info.get(self._pending_key)
        if pending is None:
            pending = session.info[self._pending_key] = []
            event.listen(session, "after_commit", self._apply_pending)
            event.listen(session, "after_rollback", self._drop_pending)
        pending.append((pair, seg_id, text, rank))

    def _apply_pending(self, session: Session) -> None:
        pending = session.info.get(self._pending_key) or []
        with self._lock:
            for pair, seg_id, text, rank in pending:
                state = self._pairs.get(pair)
                if state is not None:
                    self._ingest(state, [(seg_id, text, rank)])
        pending.clear()

    def _drop_pending(self, session: Session) -> None:
        pending = session.info.get(self._pending_key)
        if pending:
            pending.clear()

    # -- reading --

    def lookup_exact(self, session: Session, source_lang: str, target_lang: str, text: str, *,
                     customer: Customer | None = None) -> TmMatch | None:
        """The best stored segment whose normalized source equals ``text``'s in memory form (human > imported
        > machine, then the newest), with ``text``'s own values in its tokens; or None."""
        if not normalize(text):
            return None
        protected, spans = memory_form(self.protector, text, customer)
        norm = normalize(protected)
        stmt = (
            select(TmSegment)
            .where(TmSegment.source_lang == language_tag(source_lang),
                   TmSegment.target_lang == language_tag(target_lang),
                   TmSegment.source_hash == source_hash(norm))
            .order_by(_origin_rank().desc(), TmSegment.updated_at.desc(), TmSegment.id.desc())
        )
        for segment in session.scalars(stmt):
            if normalize(segment.source_text) == norm:
                match = _as_match(segment, 100.0, spans)
                if restore_memory_tokens(segment.target_text, spans)[1]:
                    return match
        return None

    def lookup_fuzzy(self, source_lang: str, target_lang: str, text: str, *, limit: int = 5,
                     threshold: float = 75.0, session: Session | None = None,
                     customer: Customer | None = None) -> list[TmMatch]:
        """Up to ``limit`` segments whose source scores ``fuzz.ratio >= threshold`` against ``text``
        (both normalized, in memory form), best first; at equal score human beats imported beats machine.
        Tokens get ``text``'s own values where it has them; the others stay tokens."""
        if not normalize(text) or limit <= 0:
            return []
        protected, spans = memory_form(self.protector, text, customer)
        norm = normalize(protected)
        pair = (language_tag(source_lang), language_tag(target_lang))
        with self._lock:
            state = self._current(pair)
            # One source may be stored once per origin: ask for enough to fill ``limit`` distinct sources.
            hits = state.index.search(norm, limit=limit * len(TmOrigin) + 2, threshold=threshold)
        if not hits:
            return []
        own = session is None
        active: Session = self.sessionmaker() if session is None else session
        try:
            rows = {s.id: s for s in active.scalars(select(TmSegment).where(
                TmSegment.id.in_([seg_id for seg_id, _ in hits])))}
            matches, sources = [], set()
            for seg_id, score in hits:
                segment = rows.get(seg_id)
                if segment is None:
                    continue  # deleted since it was indexed
                source = normalize(segment.source_text)
                if source in sources:
                    continue  # a better-ranked origin of the same source is already in
                sources.add(source)
                matches.append(_as_match(segment, score, spans))
                if len(matches) == limit:
                    break
            return matches
        finally:
            if own:
                active.close()

    def refresh(self, source_lang: str | None = None, target_lang: str | None = None) -> None:
        """Load segments committed elsewhere into the loaded indexes now (every pair, or the one given)."""
        wanted = (language_tag(source_lang), language_tag(target_lang)) if source_lang and target_lang else None
        with self._lock:
            for pair, state in self._pairs.items():
                if wanted is None or pair == wanted:
                    self._load(pair, state)

    def _current(self, pair: tuple[str, str]) -> _PairIndex:
        state = self._pairs.get(pair)
        if state is None:
            state = _PairIndex(FuzzyIndex(**self.index_options))
            self._load(pair, state)
            self._pairs[pair] = state
        elif time.monotonic() - state.loaded_at >= self.refresh_interval:
            self._load(pair, state)
        return state

    def _load(self, pair: tuple[str, str], state: _PairIndex) -> None:
        since = state.seen_max - self.REFRESH_OVERLAP if state.seen_max else 0
        with self.sessionmaker() as session:
            rows = session.execute(
                select(TmSegment.id, TmSegment.source_text, TmSegment.origin)
                .where(TmSegment.source_lang == pair[0], TmSegment.target_lang == pair[1],
                       TmSegment.id > since)
                .order_by(TmSegment.id)
            ).all()
        self._ingest(state, [(seg_id, normalize(source), TmOrigin(origin).rank) for seg_id, source, origin in rows])
        state.loaded_at = time.monotonic()

    def _ingest(self, state: _PairIndex, rows: list[tuple[int, str, int]]) -> None:
        floor = state.seen_max - self.REFRESH_OVERLAP
        fresh = [r for r in rows if r[0] not in state.recent_ids and (not state.seen_max or r[0] > floor)]
        if not fresh:
            return
        state.index.add_many([r[0] for r in fresh], [r[1] for r in fresh], [r[2] for r in fresh])
        state.seen_max = max(state.seen_max, max(r[0] for r in fresh))
        floor = state.seen_max - self.REFRESH_OVERLAP
        state.recent_ids.update(r[0] for r in fresh if r[0] > floor)
        if len(state.recent_ids) > 2 * self.REFRESH_OVERLAP:
            state.recent_ids = {i for i in state.recent_ids if i > floor}
