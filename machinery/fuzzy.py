"""The fuzzy index of the translation memory: top-k ``rapidfuzz`` matches over many short texts.

A trigram prefilter (Dice coefficient over hashed character trigrams) picks candidates, which are then
scored exactly; only recall is a heuristic, measured in ``bench/bench_memory.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process


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


_BUCKET_BITS = 30
_CHUNK_TEXTS = 20_000  # trigram temporaries of a chunk: about 3 KB a text
_CHUNK_KEYS = 1 << 22
_SAMPLE_TEXTS = 50_000
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


def _bucket_heads(keys: np.ndarray) -> np.ndarray:
    """Where each bucket's run starts in sorted ``bucket << 32 | document`` keys, found slice by slice."""
    heads = [np.zeros(1 if len(keys) else 0, dtype=np.int64)]
    for start in range(0, max(len(keys) - 1, 0), _CHUNK_KEYS):
        buckets = keys[start:start + _CHUNK_KEYS + 1] >> np.int64(32)
        heads.append(np.flatnonzero(buckets[1:] != buckets[:-1]) + start + 1)
    return np.concatenate(heads)


class _Column:
    """Per-document numpy values (one row per document, ``width`` columns) that grow by doubling."""

    def __init__(self, dtype: type, width: int = 0) -> None:
        self.width = width
        self.data: np.ndarray = np.zeros((width, 1024) if width else 1024, dtype=dtype)
        self.size = 0

    @classmethod
    def of(cls, values: np.ndarray) -> _Column:
        """A column over existing values (a memory-mapped snapshot's array), full to its last row."""
        column = cls.__new__(cls)
        column.width = values.shape[0] if values.ndim == 2 else 0
        column.data = values
        column.size = values.shape[-1]
        return column

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
        self._texts: Sequence[str] = []
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
        self.read_only = False

    def __len__(self) -> int:
        return len(self._texts)

    def add(self, doc_id: int, text: str, priority: int = 0) -> None:
        """Index ``text`` under ``doc_id``; ``priority`` breaks ties of equal score (higher first)."""
        self.add_many([doc_id], [text], [priority])

    def add_many(self, doc_ids: Iterable[int], texts: Sequence[str],
                 priorities: Iterable[int] | None = None) -> None:
        """Index many texts at once (a vectorised build: use this to load a whole memory)."""
        if self.read_only or not isinstance(self._texts, list):
            raise RuntimeError("a fuzzy index opened from a snapshot is read-only")
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
        """Rebuild signatures and postings over every text (document numbers do not change).

        Memory is the build's limit: a million support sentences hold about 90 million trigram keys, three
        in four of them in the frequent buckets. So the frequent buckets are chosen first, from a sample of
        the texts; their keys become signature bits chunk by chunk and only the rarer keys are kept, in one
        array sized for the worst case (untouched pages are never allocated), then sorted in place."""
        n = len(self._texts)
        self._frequent, self._frequent_bit = self._choose_frequent()
        planes = self._planes.data
        planes[:, :n] = 0
        keys = np.empty(max(1, sum(map(len, self._texts))), dtype=np.int64)
        used = 0
        for start in range(0, n, _CHUNK_TEXTS):
            part = _posting_keys(self._texts[start:start + _CHUNK_TEXTS], start)
            where, frequent = self._frequent_of(part >> np.int64(32))
            bits = self._frequent_bit[where[frequent]]
            np.bitwise_or.at(planes, (bits >> 6, part[frequent] & _DOC_MASK),
                             np.left_shift(np.uint64(1), (bits & 63).astype(np.uint64)))
            rare = part[~frequent]
            keys[used:used + len(rare)] = rare
            used += len(rare)
        keys = keys[:used]
        keys.sort()
        heads = _bucket_heads(keys)
        self._keys = keys[heads] >> np.int64(32)
        self._starts = np.append(heads, used).astype(np.int64)
        postings = np.empty(used, dtype=np.int32)
        for start in range(0, used, _CHUNK_KEYS):
            postings[start:start + _CHUNK_KEYS] = keys[start:start + _CHUNK_KEYS] & _DOC_MASK
        self._postings = postings
        self._merged = n
        self._recent = {}

    def _choose_frequent(self) -> tuple[np.ndarray, np.ndarray]:
        """The buckets in most texts (of an even sample of at most ``_SAMPLE_TEXTS``), sorted, and their bits."""
        n = len(self._texts)
        sample = self._texts[:: max(1, -(-n // _SAMPLE_TEXTS))]
        keys = np.concatenate([np.empty(0, dtype=np.int64)] + [
            _posting_keys(sample[s:s + _CHUNK_TEXTS], s) for s in range(0, len(sample), _CHUNK_TEXTS)])
        buckets = np.sort(keys >> np.int64(32))
        heads = np.flatnonzero(np.diff(buckets, prepend=-1))
        counts = np.diff(np.append(heads, len(buckets)))
        top = np.argsort(-counts, kind="stable")[: self._words * 64]
        chosen = buckets[heads][top]
        order = np.argsort(chosen)
        return chosen[order], np.arange(len(top), dtype=np.int64)[order]

    # Arrays a snapshot stores (``machinery.memory_index``), by name; planes are (words, documents).
    SNAPSHOT_ARRAYS = ("ids", "priority", "lengths", "planes", "frequent", "frequent_bit", "keys", "starts",
                       "postings")

    def snapshot(self) -> tuple[dict[str, np.ndarray], Sequence[str]]:
        """The index as arrays and texts, every addition folded in: what ``from_snapshot`` opens again."""
        if self._merged < len(self._texts) or self._recent:
            self._merge()
        columns = {"ids": self._ids, "priority": self._priority, "lengths": self._lengths, "planes": self._planes}
        arrays = {name: column.view() for name, column in columns.items()}
        arrays.update(frequent=self._frequent, frequent_bit=self._frequent_bit, keys=self._keys,
                      starts=self._starts, postings=self._postings)
        return arrays, self._texts

    @classmethod
    def from_snapshot(cls, arrays: dict[str, np.ndarray], texts: Sequence[str], **options: int) -> FuzzyIndex:
        """A read-only index over stored arrays (memory-mapped: every process shares their pages)."""
        index = cls(**options)
        index._texts = texts
        index._ids, index._priority = _Column.of(arrays["ids"]), _Column.of(arrays["priority"])
        index._lengths, index._planes = _Column.of(arrays["lengths"]), _Column.of(arrays["planes"])
        index._words = arrays["planes"].shape[0]
        # Float lengths are the one array derived rather than stored: 4 bytes a document, per process.
        index._lengths_f = _Column.of(arrays["lengths"].astype(np.float32))
        index._frequent, index._frequent_bit = arrays["frequent"], arrays["frequent_bit"]
        index._keys, index._starts, index._postings = arrays["keys"], arrays["starts"], arrays["postings"]
        index._merged = len(texts)
        index.read_only = True
        return index

    def memory_bytes(self) -> int:
        """Bytes held by postings, signatures and per-document arrays (the texts not counted)."""
        arrays = (self._keys, self._starts, self._postings, self._frequent, self._frequent_bit,
                  self._ids.data, self._priority.data, self._lengths.data, self._planes.data)
        return sum(a.nbytes for a in arrays)

    def search(self, text: str, limit: int = 5, threshold: float = 75.0) -> list[tuple[int, float]]:
        """Up to ``limit`` ``(doc_id, score)`` with ``fuzz.ratio(text, indexed) >= threshold``, best first.

        Equal scores are ordered by priority, then by the higher id.
        """
        return [(doc_id, score) for doc_id, score, _ in self.ranked(text, limit, threshold)]

    def ranked(self, text: str, limit: int = 5, threshold: float = 75.0) -> list[tuple[int, float, int]]:
        """As :meth:`search`, with each hit's priority: ``(doc_id, score, priority)`` (to merge indexes)."""
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
        priorities = self._priority.view()[numbers].astype(np.int64)
        order = np.lexsort((-ids, -priorities, -scores))[:limit]
        return [(int(ids[k]), float(scores[k]), int(priorities[k])) for k in order]

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
