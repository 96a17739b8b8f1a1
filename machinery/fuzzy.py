"""The fuzzy index of the translation memory: top-k ``rapidfuzz`` matches over many short texts.

A trigram prefilter (Dice coefficient over hashed character trigrams) picks candidates, which are then
scored exactly; only recall is a heuristic, measured in ``bench/bench_memory.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from rapidfuzz import fuzz, process

from machinery.dice import BLOCK, FLOOR_PER_POINT, Query, best_in_blocks, block_planes, count_rare
from machinery.trigrams import CHUNK_KEYS, bucket_heads, posting_keys, query_buckets


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


_CHUNK_TEXTS = 20_000  # trigram temporaries of a chunk: about 3 KB a text
_SAMPLE_TEXTS = 50_000
_DOC_MASK = np.int64(0xFFFFFFFF)
_SCAN_CHUNK = 1 << 17  # documents scored per pass: a chunk's temporaries stay in the CPU cache


@runtime_checkable
class TextStore(Protocol):
    """Texts that fetch many at once faster than one by one (a snapshot's mapped texts)."""

    def many(self, numbers: list[int]) -> list[str]: ...


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
    texts whose length cannot reach the threshold are skipped, and the ``max_candidates`` best (above a
    floor, ``machinery.dice``) are scored with ``fuzz.ratio``. Scores are therefore exact and only
    recall is a heuristic (a true match can rank below the cap), measured in ``bench/``.

    Counting shared trigrams through posting lists costs a memory access per posting, and the
    trigrams of common words ("the", "you", "ord") sit in most texts. So the ``frequent_grams``
    commonest buckets are not posted at all: each text carries a bit signature of which of them it
    has (one uint64 plane per 64 buckets), counted with AND + popcount; only the rarer buckets go
    through posting lists (one int32 array, CSR). A bulk load (``add_many`` into an empty index, as a
    snapshot is built) orders the documents by length, then text, so a query reads only the slice of
    lengths that can reach its threshold, and of it only the blocks of neighbours whose bound can reach
    the best (``machinery.dice``). Additions go to a small dict of postings, folded into the arrays
    once it outgrows a quarter of the index; they follow the ordered documents and are always read.
    Below ``exhaustive_below`` texts, every length-compatible text is scored instead.
    Not thread-safe: ``TranslationMemory`` serialises access.
    """

    def __init__(self, *, max_candidates: int = 2500, frequent_grams: int = 512,
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
        # The OR of the planes of each block of documents [0, _blocked) (``machinery.dice``).
        self._blocks_or = np.zeros((self._words, 0), dtype=np.uint64)
        self._blocked = 0
        # Documents [0, _ordered) are in order of length (a bulk load sorts them), so a query scans only the
        # lengths that can reach its threshold; later additions follow, in any order.
        self._ordered = 0
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
        if not first and len(texts) > 1:
            # By length, then by text: a block of neighbours then mostly shares a template (``machinery.dice``).
            by_text = np.array(sorted(range(len(texts)), key=texts.__getitem__), dtype=np.int64)
            sizes = np.fromiter(map(len, texts), dtype=np.int32, count=len(texts))
            order = by_text[np.argsort(sizes[by_text], kind="stable")]
            texts, ids, prio = [texts[i] for i in order.tolist()], ids[order], prio[order]
            self._ordered = len(texts)
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
            buckets = query_buckets(text)
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
            part = posting_keys(self._texts[start:start + _CHUNK_TEXTS], start)
            where, frequent = self._frequent_of(part >> np.int64(32))
            bits = self._frequent_bit[where[frequent]]
            np.bitwise_or.at(planes, (bits >> 6, part[frequent] & _DOC_MASK),
                             np.left_shift(np.uint64(1), (bits & 63).astype(np.uint64)))
            rare = part[~frequent]
            keys[used:used + len(rare)] = rare
            used += len(rare)
        keys = keys[:used]
        keys.sort()
        heads = bucket_heads(keys)
        self._keys = keys[heads] >> np.int64(32)
        self._starts = np.append(heads, used).astype(np.int64)
        postings = np.empty(used, dtype=np.int32)
        for start in range(0, used, CHUNK_KEYS):
            postings[start:start + CHUNK_KEYS] = keys[start:start + CHUNK_KEYS] & _DOC_MASK
        self._postings = postings
        self._merged = n
        self._recent = {}
        self._blocks_or = block_planes(planes, min(n, self._ordered))
        self._blocked = self._blocks_or.shape[1] * BLOCK

    def _choose_frequent(self) -> tuple[np.ndarray, np.ndarray]:
        """The buckets in most texts (of an even sample of at most ``_SAMPLE_TEXTS``), sorted, and their bits."""
        n = len(self._texts)
        sample = self._texts[:: max(1, -(-n // _SAMPLE_TEXTS))]
        keys = np.concatenate([np.empty(0, dtype=np.int64)] + [
            posting_keys(sample[s:s + _CHUNK_TEXTS], s) for s in range(0, len(sample), _CHUNK_TEXTS)])
        buckets = np.sort(keys >> np.int64(32))
        heads = np.flatnonzero(np.diff(buckets, prepend=-1))
        counts = np.diff(np.append(heads, len(buckets)))
        top = np.argsort(-counts, kind="stable")[: self._words * 64]
        chosen = buckets[heads][top]
        order = np.argsort(chosen)
        return chosen[order], np.arange(len(top), dtype=np.int64)[order]

    # Arrays a snapshot stores (``machinery.memory_index``), by name; planes are (words, documents).
    SNAPSHOT_ARRAYS = ("ids", "priority", "lengths", "planes", "frequent", "frequent_bit", "keys", "starts",
                       "postings", "blocks_or")

    def snapshot(self) -> tuple[dict[str, np.ndarray], Sequence[str]]:
        """The index as arrays and texts, every addition folded in: what ``from_snapshot`` opens again."""
        if self._merged < len(self._texts) or self._recent:
            self._merge()
        columns = {"ids": self._ids, "priority": self._priority, "lengths": self._lengths, "planes": self._planes}
        arrays = {name: column.view() for name, column in columns.items()}
        arrays.update(frequent=self._frequent, frequent_bit=self._frequent_bit, keys=self._keys,
                      starts=self._starts, postings=self._postings, blocks_or=self._blocks_or)
        return arrays, self._texts

    @classmethod
    def from_snapshot(cls, arrays: dict[str, np.ndarray], texts: Sequence[str], **options: int) -> FuzzyIndex:
        """A read-only index over stored arrays (memory-mapped: every process shares their pages)."""
        index = cls(**options)
        index._texts = texts
        # Plain arrays over the same mapped pages: numpy's memmap subclass adds microseconds to every slice.
        arrays = {name: array.view(np.ndarray) for name, array in arrays.items()}
        index._ids, index._priority = _Column.of(arrays["ids"]), _Column.of(arrays["priority"])
        index._lengths, index._planes = _Column.of(arrays["lengths"]), _Column.of(arrays["planes"])
        index._words = arrays["planes"].shape[0]
        # Float lengths are the one array derived rather than stored: 4 bytes a document, per process.
        index._lengths_f = _Column.of(arrays["lengths"].astype(np.float32))
        index._frequent, index._frequent_bit = arrays["frequent"], arrays["frequent_bit"]
        index._keys, index._starts, index._postings = arrays["keys"], arrays["starts"], arrays["postings"]
        index._merged = len(texts)
        lengths = arrays["lengths"]
        drops = np.flatnonzero(lengths[1:] < lengths[:-1])  # documents added one by one: not ordered
        index._ordered = int(drops[0]) + 1 if len(drops) else len(lengths)
        index._blocks_or = arrays["blocks_or"]
        index._blocked = index._blocks_or.shape[1] * BLOCK
        index.read_only = True
        return index

    def memory_bytes(self) -> int:
        """Bytes held by postings, signatures and per-document arrays (the texts not counted)."""
        arrays = (self._keys, self._starts, self._postings, self._frequent, self._frequent_bit,
                  self._ids.data, self._priority.data, self._lengths.data, self._planes.data, self._blocks_or)
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
        lo, hi = length_bounds(len(text), threshold)
        start, end = self._window(lo, hi)
        if n <= self.exhaustive_below:
            lengths = self._lengths.view()[start:end]
            candidates = np.flatnonzero((lengths >= lo) & (lengths <= hi)) + start
        else:
            candidates = self._candidates(text, lo, hi, (start, end), threshold * FLOOR_PER_POINT)
        if not len(candidates):
            return []
        texts, picked = self._texts, candidates.tolist()
        chosen = texts.many(picked) if isinstance(texts, TextStore) else [texts[i] for i in picked]
        found = process.extract(text, chosen, scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
        if not found:
            return []
        numbers = candidates[[k for _, _, k in found]]
        scores = np.array([s for _, s, _ in found])
        ids = self._ids.view()[numbers]
        priorities = self._priority.view()[numbers].astype(np.int64)
        order = np.lexsort((-ids, -priorities, -scores))[:limit]
        return [(int(ids[k]), float(scores[k]), int(priorities[k])) for k in order]

    def _window(self, lo: int, hi: int) -> tuple[int, int]:
        """The documents ``[start, end)`` that may have a length in ``[lo, hi]``: the ordered ones of those
        lengths, and every document added after them."""
        ordered = self._lengths.view()[: self._ordered]
        # Bounds of the array's own type (a Python int would convert the whole array first), within its range.
        lo, hi = (ordered.dtype.type(min(bound, np.iinfo(ordered.dtype).max)) for bound in (lo, hi))
        start, n = int(np.searchsorted(ordered, lo, side="left")), len(self._texts)
        return start, (int(np.searchsorted(ordered, hi, side="right")) if self._ordered == n else n)

    def _buffer(self, name: str, dtype: type, size: int | None = None) -> np.ndarray:
        """A reusable work array, one value per document (or ``size``): fresh ones would page-fault on every
        query."""
        n = len(self._texts) if size is None else size
        buf = self._scratch.get(name)
        if buf is None or len(buf) < n:
            buf = self._scratch[name] = np.empty(self._lengths.data.shape[-1] if size is None else size, dtype=dtype)
        return buf[:n]

    def _rare_lists(self, rare: np.ndarray, start: int, end: int) -> list[np.ndarray]:
        """The documents of ``[start, end)`` that have each of the ``rare`` buckets (one ascending array each)."""
        lists: list[np.ndarray] = []
        if len(rare) and len(self._keys):
            at = np.minimum(np.searchsorted(self._keys, rare), len(self._keys) - 1)
            at = at[self._keys[at] == rare]
            for s, e in zip(self._starts[at].tolist(), self._starts[at + 1].tolist(), strict=True):
                docs = self._postings[s:e]  # in ascending order: cut to the window
                a, b = np.searchsorted(docs, np.array((start, end), dtype=docs.dtype)).tolist()
                if b > a:
                    lists.append(docs[a:b])
        if self._recent:
            for posted in map(self._recent.get, rare.tolist()):
                if posted:
                    docs = np.array(posted, dtype=np.int32)
                    lists.append(docs[(docs >= start) & (docs < end)])
        return lists

    def _rare_counts(self, lists: list[np.ndarray], start: int, end: int) -> np.ndarray:
        """How many of the ``lists`` each document of ``[start, end)`` is in, in a reused array of bytes."""
        dtype = np.uint8 if len(lists) <= np.iinfo(np.uint8).max else np.uint16
        return count_rare(lists, self._buffer(f"rare_{np.dtype(dtype).name}", dtype)[start:end], start)

    def _dice(self, query: Query, start: int, end: int) -> np.ndarray:
        """The Dice coefficient of trigram buckets shared with the query, per document of ``[start, end)``,
        every document read (chunk by chunk, so the temporaries are read back from the CPU cache).

        Dice = 2 * shared / (grams of both); a padded text of length L has L trigrams (the 2 left out)."""
        shared, dice = self._buffer("shared", np.uint16)[:end - start], self._buffer("dice", np.float32)[:end - start]
        scratch, popcount = self._buffer("and", np.uint64, _SCAN_CHUNK), self._buffer("popcount", np.uint8, _SCAN_CHUNK)
        planes, lengths, length = self._planes.view(), self._lengths_f.view(), np.float32(query.length)
        for s in range(start, end, _SCAN_CHUNK):
            e = min(end, s + _SCAN_CHUNK)
            out, k = shared[s - start:e - start], e - s
            np.copyto(out, query.counts[s - query.base:e - query.base], casting="unsafe")
            for word, bits in query.words:
                np.bitwise_and(planes[word, s:e], bits, out=scratch[:k])
                np.bitwise_count(scratch[:k], out=popcount[:k])
                np.add(out, popcount[:k], out=out)
            part = dice[s - start:e - start]
            np.add(lengths[s:e], length, out=part)
            np.divide(out, part, out=part)
        return dice

    def _candidates(self, text: str, lo: int, hi: int, span: tuple[int, int], floor: float) -> np.ndarray:
        """Document numbers worth scoring: the ``max_candidates`` best Dice coefficients (at least ``floor``)
        of shared trigrams among the documents of ``span`` whose length is within ``[lo, hi]``.

        Whole blocks of the length-ordered documents are read by their bound (``machinery.dice``); the
        documents after them (added since the last merge) are all read."""
        (start, end), buckets = span, query_buckets(text)
        where, frequent = self._frequent_of(buckets)
        mask = [0] * self._words
        for bit in self._frequent_bit[where[frequent]].tolist():
            mask[bit >> 6] |= 1 << (bit & 63)
        words = [(word, np.uint64(bits)) for word, bits in enumerate(mask) if bits]
        first, last = start // BLOCK, min(end, self._blocked) // BLOCK
        base = first * BLOCK if last > first else start
        lists = self._rare_lists(buckets[~frequent], base, end)
        if not lists and not words:
            return np.empty(0, dtype=np.int64)
        query = Query(float(len(text)), words, self._rare_counts(lists, base, end), base, lo, hi, floor)
        cap, docs, dice = self.max_candidates, [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.float32)]
        if last > first:
            found = best_in_blocks(query, self._planes.view(), self._blocks_or, self._lengths_f.view(), first, last, cap)
            docs, dice = [*docs, found[0]], [*dice, found[1]]
        if (rest := max(start, last * BLOCK)) < end:
            scores, lengths = self._dice(query, rest, end), self._lengths.view()[rest:end]
            keep = np.flatnonzero((lengths >= lo) & (lengths <= hi) & (scores > 0) & (scores >= floor))
            docs.append(keep + rest)
            dice.append(scores[keep])
        chosen, values = np.concatenate(docs), np.concatenate(dice)
        return chosen[np.argpartition(-values, cap)[:cap]] if len(chosen) > cap else chosen
