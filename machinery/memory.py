"""Translation memory: exact and fuzzy matches of source segments, stored in ``tm_segments``.

Segments are stored in memory form: customer data (e-mail addresses, names, card numbers...) is replaced
by numbered tokens (``[[email:1]]``) in source and target, so no lookup, suggestion or TMX export shows
one ticket's data to another. Lookups put the asker's own values back into the tokens.

Exact matches are one probe of the hash index in the database, so every worker sees every commit at
once. Fuzzy matches come from a ``FuzzyIndex`` per language pair: with an index directory, a snapshot on
disk that every process maps (``machinery.memory_index``) plus a small in-memory index of the segments added
since; without one, an in-memory index built from the database. Both are refreshed incrementally, so each
gunicorn worker keeps its view current.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from rapidfuzz import fuzz
from sqlalchemy import Engine, Row, bindparam, case, event, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from machinery.memory_bulk import store_batch
from machinery.memory_index import FuzzyIndexes
from machinery.models import TmOrigin, TmSegment
from machinery.pii import Customer
from machinery.protection import Protector, Span, memory_form, memory_translation, restore_memory_tokens
from tolk.db import utcnow, whole_transaction

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
    return _sha1(normalize(text))


def _sha1(normalized: str) -> str:
    return hashlib.sha1(normalized.encode("utf-8"), usedforsecurity=False).hexdigest()


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


#: Source hashes per query of :meth:`TranslationMemory.lookup_exact_many` (well under SQLite's variable limit).
EXACT_BATCH = 500


#: The segments' table: the lookups below are Core statements, which skip the ORM's compile and autoflush steps
#: (30 us of a reply's exact lookup; nothing writes segments through the unit of work).
_TM = TmSegment.__table__.c


def _origin_rank():
    return case({o: o.rank for o in TmOrigin}, value=_TM.origin, else_=0)


#: What a match needs of a stored segment: columns, not ORM objects (a reply's exact lookup is on its hot path).
_MATCHED = (_TM.id, _TM.source_text, _TM.target_text, _TM.origin, _TM.context, _TM.engine)

_Stored: TypeAlias = "Row[int, str, str, TmOrigin, str | None, str | None]"

_BEST_FIRST = (_origin_rank().desc(), _TM.updated_at.desc(), _TM.id.desc())
#: The query of :meth:`TranslationMemory.lookup_exact_many`, built once: best first.
_EXACT = (select(*_MATCHED)
          .where(_TM.source_lang == bindparam("source_lang"), _TM.target_lang == bindparam("target_lang"),
                 _TM.source_hash.in_(bindparam("hashes", expanding=True)))
          .order_by(*_BEST_FIRST))
# One text (a reply): the same query without the IN list, whose expansion costs CPU on every call.
_EXACT_ONE = (select(*_MATCHED)
              .where(_TM.source_lang == bindparam("source_lang"), _TM.target_lang == bindparam("target_lang"),
                     _TM.source_hash == bindparam("hash"))
              .order_by(*_BEST_FIRST))


def _as_match(segment: _Stored, score: float, spans: list[Span] | None = None) -> TmMatch:
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

    def __init__(self, bind: Engine | sessionmaker, *, refresh_interval: float = 5.0,
                 index_options: dict | None = None, protector: Protector | None = None,
                 index_dir: Path | None = None, on_stale: Callable[..., None] | None = None) -> None:
        self.protector = protector or Protector()
        self.sessionmaker = bind if isinstance(bind, sessionmaker) else sessionmaker(bind, expire_on_commit=False)
        self.indexes = FuzzyIndexes(self._rows_since, self._max_id, refresh_interval=refresh_interval,
                                    options=dict(index_options or {}), directory=index_dir, on_stale=on_stale)
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
        rows: dict[tuple[str, str, str], tuple[str, str, str | None, str | None]] = {}
        tags: dict[str, str] = {}
        taken = 0
        for source_lang, target_lang, source, target, context, approved_by in units:
            normalized = normalize(source)
            if not normalized or not target.strip():
                raise ValueError("a translation-memory segment needs a non-empty source and target")
            memory_source, spans = memory_form(self.protector, source, None)
            protected = memory_translation(self.protector, target, spans, None)
            if protected is None:
                continue
            taken += 1
            src = tags.get(source_lang) or tags.setdefault(source_lang, language_tag(source_lang))
            tgt = tags.get(target_lang) or tags.setdefault(target_lang, language_tag(target_lang))
            # Without customer data the memory form is the source: its normalized form is known already.
            digest = _sha1(normalized) if memory_source == source else source_hash(memory_source)
            rows[(src, tgt, digest)] = (memory_source, protected, context, approved_by)
        if rows:
            session.flush()  # what the session holds first, as an ORM query would
            updated = store_batch(session.connection(), origin, rows)
            # Written past the ORM: segments the session has loaded are read again when next used.
            for loaded in [o for o in session.identity_map.values() if isinstance(o, TmSegment) and o.id in updated]:
                session.expire(loaded)
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

    def forget(self, session: Session, pairs: Iterable[tuple[str, str]]) -> None:
        """Once ``session`` commits the deletion of segments of ``pairs`` (an erasure), their index snapshots
        are written again without them."""
        self.indexes.forget(session, {(language_tag(src), language_tag(tgt)) for src, tgt in pairs})

    def _on_commit(self, session: Session, pair: tuple[str, str], seg_id: int, text: str, rank: int) -> None:
        """Queue a new segment for the local index; it joins on commit and is dropped on rollback."""
        pending = session.info.get(self._pending_key)
        if pending is None:
            pending = session.info[self._pending_key] = []
            event.listen(session, "after_commit", self._apply_pending)
            event.listen(session, "after_rollback", self._drop_pending)
        pending.append((pair, seg_id, text, rank))

    def _apply_pending(self, session: Session) -> None:
        if not whole_transaction(session):
            return
        pending = session.info.get(self._pending_key) or []
        for pair, seg_id, text, rank in pending:
            self.indexes.added(pair, [(seg_id, text, rank)])
        pending.clear()

    def _drop_pending(self, session: Session) -> None:
        if not whole_transaction(session):
            return
        pending = session.info.get(self._pending_key)
        if pending:
            pending.clear()

    # -- reading --

    def lookup_exact(self, session: Session, source_lang: str, target_lang: str, text: str, *,
                     customer: Customer | None = None) -> TmMatch | None:
        """The best stored segment whose normalized source equals ``text``'s in memory form (human > imported
        > machine, then the newest), with ``text``'s own values in its tokens; or None."""
        return self.lookup_exact_many(session, source_lang, target_lang, [text], customer=customer)[0]

    def lookup_exact_many(self, session: Session, source_lang: str, target_lang: str, texts: Sequence[str], *,
                          customer: Customer | None = None) -> list[TmMatch | None]:
        """:meth:`lookup_exact` of each of ``texts``, in one query per :data:`EXACT_BATCH` texts (a KB article's
        200 segments were 200 queries)."""
        forms: list[tuple[str, list[Span]] | None] = []
        for text in texts:
            if not normalize(text):
                forms.append(None)
                continue
            protected, spans = memory_form(self.protector, text, customer)
            forms.append((normalize(protected), spans))
        hashes = sorted({source_hash(form[0]) for form in forms if form is not None})
        candidates: dict[str, list[_Stored]] = {}
        pair = {"source_lang": language_tag(source_lang), "target_lang": language_tag(target_lang)}
        for start in range(0, len(hashes), EXACT_BATCH):
            batch = hashes[start:start + EXACT_BATCH]
            rows = (session.execute(_EXACT_ONE, {**pair, "hash": batch[0]}) if len(batch) == 1
                    else session.execute(_EXACT, {**pair, "hashes": batch}))
            for segment in rows:
                candidates.setdefault(normalize(segment.source_text), []).append(segment)
        found: list[TmMatch | None] = []
        for form in forms:
            found.append(None if form is None else self._best_exact(candidates.get(form[0], []), form[1]))
        return found

    @staticmethod
    def _best_exact(segments: list[_Stored], spans: list[Span]) -> TmMatch | None:
        """The first of ``segments`` (best first) whose target takes the asker's values in all its tokens."""
        for segment in segments:
            if restore_memory_tokens(segment.target_text, spans)[1]:
                return _as_match(segment, 100.0, spans)
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
        # One source may be stored once per origin: ask for enough to fill ``limit`` distinct sources.
        hits = self.indexes.search(pair, norm, limit * len(TmOrigin) + 2, threshold)
        if not hits:
            return []
        own = session is None
        active: Session = self.sessionmaker() if session is None else session
        try:
            rows = {s.id: s for s in active.execute(select(*_MATCHED).where(
                _TM.id.in_([seg_id for seg_id, _ in hits])))}
            matches, sources = [], set()
            for seg_id, score in hits:
                segment = rows.get(seg_id)
                if segment is None:
                    continue  # deleted since it was indexed
                source = normalize(segment.source_text)
                if abs(fuzz.ratio(norm, source) - score) > 0.01:
                    continue  # changed since it was indexed (or a snapshot of another database)
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
        self.indexes.refresh((language_tag(source_lang), language_tag(target_lang))
                             if source_lang and target_lang else None)

    def rebuild(self, source_lang: str, target_lang: str, *, force: bool = False) -> str | None:
        """Write a new index snapshot of the pair (with an index directory); its generation."""
        return self.indexes.rebuild((language_tag(source_lang), language_tag(target_lang)), force=force)

    @property
    def index_dir(self) -> Path | None:
        return self.indexes.directory

    def _rows_since(self, pair: tuple[str, str], since: int, known: Collection[int] = ()
                    ) -> Iterator[tuple[int, str, int]]:
        in_pair = (TmSegment.source_lang == pair[0], TmSegment.target_lang == pair[1])
        columns = select(TmSegment.id, TmSegment.source_text, TmSegment.origin)
        with self.sessionmaker() as session:
            if known:
                # A refresh: the ids above ``since`` from the index alone, then the texts of the new ones only
                # (most of the window is ``known``, read again just to catch late commits).
                fresh = [i for i in session.scalars(select(TmSegment.id).where(*in_pair, TmSegment.id > since))
                         if i not in known]
                batches = [fresh[k:k + EXACT_BATCH] for k in range(0, len(fresh), EXACT_BATCH)]
            else:
                batches = [[]]
            for batch in batches:
                if batch:
                    stmt = columns.where(TmSegment.id.in_(batch)).order_by(TmSegment.id)
                else:
                    # Streamed: a whole pair (a million rows on a first build) is never held as row objects.
                    stmt = (columns.where(*in_pair, TmSegment.id > since).order_by(TmSegment.id)
                            .execution_options(yield_per=20_000))
                for seg_id, source, origin in session.execute(stmt):
                    yield seg_id, normalize(source), TmOrigin(origin).rank

    def _max_id(self, pair: tuple[str, str]) -> int:
        with self.sessionmaker() as session:
            return session.scalar(select(func.max(TmSegment.id)).where(
                TmSegment.source_lang == pair[0], TmSegment.target_lang == pair[1])) or 0
