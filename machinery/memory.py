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
import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import Engine, case, event, select
from sqlalchemy.orm import Session, sessionmaker

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


def length_bounds(length: int, threshold: float) -> tuple[int, int]:
    """Lengths a text may have and still reach ``fuzz.ratio >= threshold`` against one of ``length``.

    ratio = 200 * LCS / (la + lb) <= 200 * min(la, lb) / (la + lb), which bounds lb on both sides.
    """
    if threshold <= 0:
        return 0, 2**31 - 1
    if threshold > 100:
        return 1, 0
    lo = math.ceil(length * threshold / (200 - threshold) - 1e-9)
    hi = math.floor(length * (200 - threshold) / threshold + 1e-9)
    return lo, hi


# -- the fuzzy index ---------------------------------------------------------------------------

_BUCKET_BITS = 30
_DOC_MASK = np.int64(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads trigram codes over the buckets


def _trigram_buckets(codepoints: np.ndarray) -> np.ndarray:
    """The bucket of each character trigram starting at every position but the last two."""
    c = codepoints.astype(np.uint64)
    code = (c[:-2] << np.uint64(42)) | (c[1:-1] << np.uint64(21)) | c[2:]
    return ((code * _MIX) >> np.uint64(64 - _BUCKET_BITS)).astype(np.int64)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    # np.unique hashes before sorting in numpy 2.3, which is several times slower on int64 keys.
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _query_buckets(text: str) -> np.ndarray:
    padded = f" {text} "
    if len(padded) < 3:
        return np.empty(0, dtype=np.int64)
    return _distinct_sorted(_trigram_buckets(_codepoints(padded)))


def _posting_keys(texts: Sequence[str], first: int) -> np.ndarray:
    """Sorted, distinct ``bucket << 32 | document`` keys for ``texts`` numbered from ``first``."""
    padded = [f" {t} " for t in texts]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    total = int(lengths.sum())
    if total < 3:
        return np.empty(0, dtype=np.int64)
    buckets = _trigram_buckets(_codepoints("".join(padded)))
    # A trigram starting in a text's last two characters would run into the next text.
    ends = np.cumsum(lengths)
    cut = np.concatenate([ends - 2, ends - 1])
    valid = np.ones(total - 2, dtype=bool)
    valid[cut[cut < total - 2]] = False
    docs = np.repeat(np.arange(first, first + len(padded), dtype=np.int64), lengths)[: total - 2]
    return _distinct_sorted((buckets[valid] << np.int64(32)) | docs[valid])


class _Column:
    """Per-document numpy values (one row per document, ``width`` columns) that grow by doubling."""

    def __init__(self, dtype: type, width: int = 0) -> None:
        self.width = width
        self.data: np.ndarray = np.zeros((width, 1024) if width else 1024, dtype=dtype)
        self.size = 0

    def grow(self, count: int) -> None:
        need = self.size + count
        capacity = self.data.shape[-1]
        if need > capacity:
            shape = (self.width, max(need, 2 * capacity)) if self.width else max(need, 2 * capacity)
            grown = np.zeros(shape, dtype=self.data.dtype)
            grown[..., : self.size] = self.data[..., : self.size]
            self.data = grown
        self.size = need

    def extend(self, values: np.ndarray) -> None:
        start = self.size
        self.grow(len(values))
        self.data[start:self.size] = values

    def view(self) -> np.ndarray:
        return self.data[..., : self.size]


class FuzzyIndex:
    """Top-k fuzzy matches (``rapidfuzz.fuzz.ratio``) over many short texts, without a full scan.

    Candidates are ranked by how many character trigrams (hashed into 2**30 buckets) they share with
    the query, relative to both lengths (a Dice coefficient, which tracks ``fuzz.ratio`` closely);
    texts whose length cannot reach the threshold are skipped, and the ``max_candidates`` best are
    scored with ``fuzz.ratio``. Scores are therefore exact and only recall is a heuristic (a true
    match can rank below the cap), measured in ``bench/bench_memory.py``.

    Counting shared trigrams through posting lists costs a memory access per posting, and the
    trigrams of common words ("the", "you", "ord") sit in most texts. So the ``frequent_grams``
    commonest buckets are not posted at all: each text carries a bit signature of which of them it
    has (one uint32 plane per 32 buckets), and a query counts them with AND + popcount over whole
    planes; only the rarer buckets go through posting lists (one int32 array, CSR). Additions go to
    a small dict of postings, folded into the arrays once it outgrows a quarter of the index.
    Below ``exhaustive_below`` texts, every length-compatible text is scored instead.
    Not thread-safe: ``TranslationMemory`` serialises access.
    """

    def __init__(self, *, max_candidates: int = 1500, frequent_grams: int = 512,
                 exhaustive_below: int = 5000) -> None:
        self.max_candidates = max_candidates
        self.exhaustive_below = exhaustive_below
        self._words = max(1, -(-frequent_grams // 64))
        self._texts: list[str] = []
        self._ids = _Column(np.int64)
        self._priority = _Column(np.int8)
        self._lengths = _Column(np.int32)
        self._planes = _Column(np.uint64, self._words)
        self._lengths_f = _Column(np.float32)
        self._scratch: dict[str, np.ndarray] = {}
        # Frequent buckets (sorted) and their bit in the signature.
        self._frequent = np.empty(0, dtype=np.int64)
        self._frequent_bit = np.empty(0, dtype=np.int64)
        # CSR of the rarer buckets over documents [0, _merged): keys, start offsets, document numbers.
        self._keys = np.empty(0, dtype=np.int64)
        self._starts = np.zeros(1, dtype=np.int64)
        self._postings = np.empty(0, dtype=np.int32)
        self._merged = 0
        self._recent: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def add(self, doc_id: int, text: str, priority: int = 0) -> None:
        """Index ``text`` under ``doc_id``; ``priority`` breaks ties of equal score (higher first)."""
        self.add_many([doc_id], [text], [priority])

    def add_many(self, doc_ids: Iterable[int], texts: Sequence[str],
                 priorities: Iterable[int] | None = None) -> None:
        """Index many texts at once (a vectorised build: use this to load a whole memory)."""
        ids = np.fromiter(doc_ids, dtype=np.int64)
        if len(ids) != len(texts):
            raise ValueError("doc_ids and texts differ in length")
        prio = (np.zeros(len(ids), dtype=np.int8) if priorities is None
                else np.fromiter(priorities, dtype=np.int8, count=len(ids)))
        first = len(self._texts)
        self._texts.extend(texts)
        self._ids.extend(ids)
        self._priority.extend(prio)
        self._lengths.extend(np.fromiter(map(len, texts), dtype=np.int32, count=len(texts)))
        self._lengths_f.extend(self._lengths.view()[first:])
        self._planes.grow(len(texts))
        if len(self._texts) - self._merged > max(2000, self._merged // 4):
            self._merge()
            return
        planes = self._planes.data
        for number, text in enumerate(texts, start=first):
            buckets = _query_buckets(text)
            where, frequent = self._frequent_of(buckets)
            for bit in self._frequent_bit[where[frequent]].tolist():
                planes[bit >> 6, number] |= np.uint64(1 << (bit & 63))
            for bucket in buckets[~frequent].tolist():
                self._recent.setdefault(bucket, []).append(number)

    def _frequent_of(self, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``_frequent`` and whether each bucket is a frequent one."""
        if not len(self._frequent):
            return np.zeros(len(buckets), dtype=np.int64), np.zeros(len(buckets), dtype=bool)
        where = np.minimum(np.searchsorted(self._frequent, buckets), len(self._frequent) - 1)
        return where, self._frequent[where] == buckets

    def _merge(self) -> None:
        """Rebuild signatures and postings over every text (document numbers do not change)."""
        n = len(self._texts)
        chunk = 100_000
        parts = [_posting_keys(self._texts[s:s + chunk], s) for s in range(0, n, chunk)]
        keys = np.concatenate(parts) if len(parts) > 1 else parts[0]
        del parts
        # Each part is sorted, so a stable sort (timsort) only merges the runs; in place saves a copy.
        keys.sort(kind="stable")
        buckets = keys >> np.int64(32)
        heads = np.flatnonzero(np.diff(buckets)) + 1
        heads = np.concatenate([np.zeros(1 if len(keys) else 0, dtype=np.int64), heads])
        unique = buckets[heads]
        del buckets
        bounds = np.append(heads, len(keys))
        counts = np.diff(bounds)
        top = np.argsort(-counts, kind="stable")[: self._words * 64]
        order = np.argsort(unique[top])
        self._frequent, self._frequent_bit = unique[top][order], np.arange(len(top))[order]
        planes = self._planes.data
        planes[:, :n] = 0
        for bit, k in enumerate(top.tolist()):
            docs = keys[bounds[k]:bounds[k + 1]] & _DOC_MASK
            planes[bit >> 6, docs] |= np.uint64(1 << (bit & 63))
        rare = np.ones(len(unique), dtype=bool)
        rare[top] = False
        self._keys = unique[rare]
        self._starts = np.concatenate([[0], np.cumsum(counts[rare])]).astype(np.int64)
        kept = np.repeat(rare, counts)
        keys = keys[kept]
        del kept
        keys &= _DOC_MASK
        self._postings = keys.astype(np.int32)
        self._merged = n
        self._recent = {}

    def memory_bytes(self) -> int:
        """Bytes held by postings, signatures and per-document arrays (the texts not counted)."""
        arrays = (self._keys, self._starts, self._postings, self._frequent, self._frequent_bit,
                  self._ids.data, self._priority.data, self._lengths.data, self._planes.data)
        return sum(a.nbytes for a in arrays)

    def search(self, text: str, limit: int = 5, threshold: float = 75.0) -> list[tuple[int, float]]:
        """Up to ``limit`` ``(doc_id, score)`` with ``fuzz.ratio(text, indexed) >= threshold``, best first.

        Equal scores are ordered by priority, then by the higher id.
        """
        n = len(self._texts)
        if not n or not text or limit <= 0:
            return []
        lengths = self._lengths.view()
        lo, hi = length_bounds(len(text), threshold)
        if n <= self.exhaustive_below:
            candidates = np.flatnonzero((lengths >= lo) & (lengths <= hi))
        else:
            candidates = self._candidates(text, lengths, lo, hi)
        if not len(candidates):
            return []
        texts = self._texts
        found = process.extract(text, [texts[i] for i in candidates.tolist()], scorer=fuzz.ratio,
                                score_cutoff=threshold, limit=None)
        if not found:
            return []
        numbers = candidates[[k for _, _, k in found]]
        scores = np.array([s for _, s, _ in found])
        ids = self._ids.view()[numbers]
        order = np.lexsort((-ids, -self._priority.view()[numbers].astype(np.int64), -scores))[:limit]
        return [(int(ids[k]), float(scores[k])) for k in order]

    def _buffer(self, name: str, dtype: type) -> np.ndarray:
        """A reusable per-document work array: fresh ones would page-fault on every query."""
        n = len(self._texts)
        buf = self._scratch.get(name)
        if buf is None or len(buf) < n:
            buf = self._scratch[name] = np.empty(self._lengths.data.shape[-1], dtype=dtype)
        return buf[:n]

    def _shared(self, text: str) -> np.ndarray | None:
        """How many trigram buckets each document shares with ``text`` (None: no document shares any)."""
        n = len(self._texts)
        buckets = _query_buckets(text)
        if not len(buckets):
            return None
        where, frequent = self._frequent_of(buckets)
        rare = buckets[~frequent]
        lists: list[np.ndarray] = []
        if len(rare) and len(self._keys):
            at = np.minimum(np.searchsorted(self._keys, rare), len(self._keys) - 1)
            at = at[self._keys[at] == rare]
            lists.extend(self._postings[s:e] for s, e in zip(self._starts[at].tolist(),
                                                              self._starts[at + 1].tolist(), strict=True))
        if self._recent:
            lists.extend(np.array(p, dtype=np.int32) for p in map(self._recent.get, rare.tolist()) if p)
        shared = self._buffer("shared", np.uint16)
        if lists:
            np.copyto(shared, np.bincount(np.concatenate(lists), minlength=n), casting="unsafe")
        else:
            shared.fill(0)
        mask = [0] * self._words
        for bit in self._frequent_bit[where[frequent]].tolist():
            mask[bit >> 6] |= 1 << (bit & 63)
        planes = self._planes.view()
        scratch, popcount = self._buffer("and", np.uint64), self._buffer("popcount", np.uint8)
        for word, bits in enumerate(mask):
            if bits:
                np.bitwise_and(planes[word], np.uint64(bits), out=scratch)
                np.bitwise_count(scratch, out=popcount)
                shared += popcount
        return shared

    def _candidates(self, text: str, lengths: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Document numbers worth scoring: the best Dice coefficients of shared trigrams."""
        shared = self._shared(text)
        if shared is None:
            return np.empty(0, dtype=np.int64)
        # Dice = 2 * shared / (grams of both); a padded text of length L has L trigrams. Dice already
        # penalises lengths far from the query's, so the exact length bound is applied after ranking.
        dice = self._buffer("dice", np.float32)
        np.add(self._lengths_f.view(), np.float32(len(text)), out=dice)
        np.divide(shared, dice, out=dice)
        rank = self._buffer("rank", np.int16)
        np.multiply(dice, np.float32(4096), out=dice)
        np.copyto(rank, dice, casting="unsafe")
        tally = np.bincount(rank)
        cap, floor, pool = self.max_candidates, len(tally), 0
        while floor > 1 and pool + tally[floor - 1] <= cap:
            floor -= 1
            pool += int(tally[floor])
        # The rank just below may overflow the cap: take it whole, then keep the best ``cap``.
        chosen = np.flatnonzero(rank >= max(1, floor - 1))
        chosen = chosen[(lengths[chosen] >= lo) & (lengths[chosen] <= hi)]
        if len(chosen) > cap:
            chosen = chosen[np.argpartition(-dice[chosen], cap)[:cap]]
        return chosen


# -- the translation memory ------------------------------------------------------------------------


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
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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
