"""The translation memory's fuzzy indexes, one per language pair: a snapshot on disk, memory-mapped by every
process, and the segments added since in memory (``FuzzyIndexes``).

Building the fuzzy index of a large language pair takes seconds to minutes; kept only in memory it was
built again in every process and held in each one's own memory. A snapshot is built once (by a worker
job, ``tolk tm index``, or the first process that needs one) and mapped read-only by every process:
opening reads a few kilobytes, and the pages are the operating system's page cache, shared by all
processes. Segments added after a snapshot go to a small in-memory index beside it until the next
snapshot, which the worker writes once they outgrow it (``on_stale``).

Layout, one directory per language pair under ``TM_INDEX_DIR``::

    en~es/CURRENT              name of the generation in use (replaced atomically)
    en~es/lock                 held while a generation is built
    en~es/g<seen>-<n>-<rnd>/   meta.json, <array>.bin, texts.bin (UTF-8), text_offsets.bin (int64)

Each array is its raw bytes, its dtype and shape in ``meta.json``. Not ``.npy`` files: ``numpy.load`` reads
their header with ``ast.literal_eval``, and CPython 3.11's AST constructor keeps its recursion depth per
interpreter, so two threads opening snapshots at once could fail with "SystemError: AST constructor
recursion depth mismatch" (python/cpython#106905).

A new generation is written beside the old one, then ``CURRENT`` is switched with ``os.replace``.
Processes that mapped the old generation keep reading it: on Linux its files stay valid until unmapped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import mmap
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import numpy as np
from sqlalchemy.orm import Session

from machinery.fuzzy import FuzzyIndex
from tolk.db import after_commit

FORMAT = 4
_TEXT_CHUNK = 100_000


class MappedTexts(Sequence[str]):
    """The texts of a snapshot: one UTF-8 blob and the offset where each text starts, both mapped.

    Plain ``mmap`` and a ``memoryview`` of int64 offsets: a text costs two integer reads and one slice,
    where numpy's memmap would add microseconds of wrapping to each of a query's thousand candidates."""

    def __init__(self, blob: mmap.mmap | bytes, offsets: memoryview) -> None:
        self.blob, self.offsets = blob, offsets
        self._offsets = np.frombuffer(offsets, dtype=np.int64)  # the same memory, for fetching many at once

    def many(self, numbers: list[int]) -> list[str]:
        """The texts at ``numbers`` (a query's candidates): offsets read in one numpy call."""
        picked = np.array(numbers, dtype=np.int64)
        blob = self.blob
        return [blob[a:b].decode("utf-8") for a, b in zip(self._offsets[picked].tolist(),
                                                           self._offsets[picked + 1].tolist(), strict=True)]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.blob[self.offsets[i]:self.offsets[i + 1]].decode("utf-8")


def _mapped(path: Path) -> mmap.mmap | bytes:
    """A read-only map of the file (an empty file cannot be mapped: its bytes are none)."""
    with open(path, "rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


@dataclass(frozen=True)
class Snapshot:
    """An opened snapshot: the read-only index, the highest segment id in it and the ids near the top
    (segments with lower ids committed later are read again from the database and must not be doubled)."""

    index: FuzzyIndex
    generation: str
    seen_max: int
    recent_ids: frozenset[int]


def pair_directory(root: Path, pair: tuple[str, str]) -> Path:
    """The directory of a language pair (BCP 47 tags hold letters, digits and hyphens only)."""
    return root / f"{pair[0]}~{pair[1]}"


def current_generation(root: Path, pair: tuple[str, str]) -> str | None:
    """The name of the generation in use, or None when the pair has no snapshot."""
    try:
        return (pair_directory(root, pair) / "CURRENT").read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


def _current_meta(root: Path, pair: tuple[str, str]) -> tuple[str, dict] | None:
    """The current generation's name and ``meta.json``; None when there is none or it is of another format."""
    generation = current_generation(root, pair)
    if generation is None:
        return None
    try:
        meta = json.loads((pair_directory(root, pair) / generation / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return (generation, meta) if meta.get("format") == FORMAT else None


def has_snapshot(root: Path, pair: tuple[str, str]) -> bool:
    """Whether the pair has a current snapshot this version can open (not one of an older format)."""
    return _current_meta(root, pair) is not None


def open_snapshot(root: Path, pair: tuple[str, str], **options: int) -> Snapshot | None:
    """The pair's current snapshot, mapped; None when there is none (or it is of another format)."""
    current = _current_meta(root, pair)
    if current is None:
        return None
    generation, meta = current
    where = pair_directory(root, pair) / generation
    arrays = {name: np.frombuffer(_mapped(where / f"{name}.bin"), dtype=np.dtype(spec["dtype"]))
              .reshape(spec["shape"]) for name, spec in meta["arrays"].items()}
    offsets = memoryview(_mapped(where / "text_offsets.bin")).cast("q")
    index = FuzzyIndex.from_snapshot(arrays, MappedTexts(_mapped(where / "texts.bin"), offsets), **options)
    return Snapshot(index, generation, int(meta["seen_max"]), frozenset(meta["recent_ids"]))


def write_snapshot(root: Path, pair: tuple[str, str], index: FuzzyIndex, *, seen_max: int,
                   recent_ids: set[int] | frozenset[int]) -> str:
    """Store ``index`` as the pair's new current generation, remove older ones, and return its name."""
    directory = pair_directory(root, pair)
    directory.mkdir(parents=True, exist_ok=True)
    arrays, texts = index.snapshot()
    generation = f"g{seen_max}-{len(texts)}-{secrets.token_hex(4)}"
    building = directory / f"{generation}.tmp"
    building.mkdir()
    try:
        specs = {}
        for name in FuzzyIndex.SNAPSHOT_ARRAYS:
            array = np.ascontiguousarray(arrays[name])
            array = array.astype(array.dtype.newbyteorder("<"), copy=False)
            array.tofile(building / f"{name}.bin")
            specs[name] = {"dtype": array.dtype.str, "shape": list(array.shape)}
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        with open(building / "texts.bin", "wb") as out:
            for start in range(0, len(texts), _TEXT_CHUNK):
                encoded = [t.encode("utf-8") for t in texts[start:start + _TEXT_CHUNK]]
                lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
                offsets[start + 1:start + 1 + len(encoded)] = offsets[start] + np.cumsum(lengths)
                out.write(b"".join(encoded))
            out.flush()
            os.fsync(out.fileno())
        offsets.astype("<i8").tofile(building / "text_offsets.bin")
        meta = {"format": FORMAT, "count": len(texts), "seen_max": seen_max, "recent_ids": sorted(recent_ids),
                "arrays": specs}
        (building / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        building.rename(directory / generation)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    pointer = directory / f"CURRENT.{generation}.tmp"
    pointer.write_text(generation, encoding="ascii")
    os.replace(pointer, directory / "CURRENT")
    for old in directory.iterdir():
        if old.is_dir() and old.name != generation:
            shutil.rmtree(old, ignore_errors=True)
    return generation


@contextlib.contextmanager
def build_lock(root: Path, pair: tuple[str, str]) -> Iterator[None]:
    """Held while a generation of the pair is built, so concurrent processes build it once."""
    directory = pair_directory(root, pair)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- the live indexes --------------------------------------------------------------------------------

Pair = tuple[str, str]
Row = tuple[int, str, int]  # segment id, normalized source in memory form, origin rank


@dataclass
class PairIndex:
    """One pair's view: its snapshot (if any) and an in-memory index of the segments not in it."""

    index: FuzzyIndex
    seen_max: int = 0
    recent_ids: set[int] = field(default_factory=set)
    loaded_at: float = 0.0
    snapshot: FuzzyIndex | None = None
    generation: str | None = None
    stale_reported: bool = False

    def search(self, text: str, limit: int, threshold: float) -> list[tuple[int, float]]:
        """The best hits of the snapshot and the recent index together, ranked as one index would."""
        hits = self.index.ranked(text, limit, threshold)
        if self.snapshot is not None:
            hits += self.snapshot.ranked(text, limit, threshold)
            hits.sort(key=lambda hit: (-hit[1], -hit[2], -hit[0]))
        return [(doc_id, score) for doc_id, score, _ in hits[:limit]]


class FuzzyIndexes:
    """The fuzzy index of every language pair of one memory, read from the database and kept current.

    ``rows(pair, since, known)`` yields the pair's segments with ids above ``since`` in id order, but for the
    ``known`` ids (which it may skip without reading their texts); ``max_id(pair)``
    is the highest id stored. With a ``directory``, each pair's index is a snapshot there (built once, across
    processes, when missing) plus the segments added since; without one, everything is in memory.
    """

    # Rows are read again from this many ids below the highest seen: with concurrent writers a lower
    # id can commit after a higher one (PostgreSQL sequences), and would otherwise never be indexed.
    REFRESH_OVERLAP = 1000
    # A pair whose recent index outgrows this share of its snapshot (and ``STALE_MIN`` segments) is reported
    # to ``on_stale`` once, which queues a new snapshot.
    STALE_SHARE, STALE_MIN = 0.1, 20_000

    def __init__(self, rows: Callable[[Pair, int, Collection[int]], Iterable[Row]], max_id: Callable[[Pair], int], *,
                 refresh_interval: float, options: dict, directory: Path | None,
                 on_stale: Callable[..., None] | None) -> None:
        self.rows, self.max_id = rows, max_id
        self.refresh_interval, self.options = refresh_interval, options
        self.directory, self.on_stale = directory, on_stale
        self._pairs: dict[Pair, PairIndex] = {}
        self._lock = threading.RLock()

    def search(self, pair: Pair, text: str, limit: int, threshold: float) -> list[tuple[int, float]]:
        with self._lock:
            return self._current(pair).search(text, limit, threshold)

    def added(self, pair: Pair, rows: list[Row]) -> None:
        """Segments this process committed: into the pair's index at once, if it is loaded."""
        with self._lock:
            state = self._pairs.get(pair)
            if state is not None:
                self._ingest(state, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])

    def refresh(self, wanted: Pair | None = None) -> None:
        """Load segments committed elsewhere into the loaded indexes now (every pair, or the one given)."""
        with self._lock:
            for pair, state in self._pairs.items():
                if wanted is None or pair == wanted:
                    self._load(pair, state)

    def rebuild(self, pair: Pair, *, force: bool = False) -> str | None:
        """Write a new snapshot of the pair from the database (with a directory); its generation.

        Under the pair's build lock: a process that waited for another's build uses it instead of building
        again, unless ``force`` (a scheduled rebuild that folds the recent segments in)."""
        if self.directory is None:
            return None
        before = current_generation(self.directory, pair)
        with build_lock(self.directory, pair):
            now = current_generation(self.directory, pair)
            if now is not None and (now != before or not force):
                return now
            state = PairIndex(FuzzyIndex(**self.options))
            self._load(pair, state, report=False)
            return write_snapshot(self.directory, pair, state.index, seen_max=state.seen_max,
                                  recent_ids=state.recent_ids)

    def forget(self, session: Session, pairs: Iterable[Pair]) -> None:
        """Once ``session`` commits the deletion of segments of ``pairs`` (an erasure), write their snapshots
        again without them: deleted text must not stay behind in an index file. Queued when a queue is
        wired (``on_stale``), else done at once."""
        wanted = set(pairs)
        if self.directory is None or not wanted:
            return

        def rebuild() -> None:
            for pair in wanted:
                if self.on_stale is not None:
                    self.on_stale(*pair, erasure=True)
                else:
                    self.rebuild(pair, force=True)

        after_commit(session, rebuild)

    def _current(self, pair: Pair) -> PairIndex:
        state = self._pairs.get(pair)
        if state is None:
            state = self._pairs[pair] = self._open(pair)
        elif time.monotonic() - state.loaded_at >= self.refresh_interval:
            if self.directory is not None and current_generation(self.directory, pair) != state.generation:
                state = self._pairs[pair] = self._open(pair)  # a newer snapshot: map it, drop the recent index
            else:
                self._load(pair, state)
        return state

    def _open(self, pair: Pair) -> PairIndex:
        state = PairIndex(FuzzyIndex(**self.options))
        if self.directory is not None:
            snapshot = open_snapshot(self.directory, pair, **self.options)
            if snapshot is None or snapshot.seen_max > self.max_id(pair):
                # None yet, or one that cannot serve: of an older format, or with segments this database does
                # not have (erased, or another database). One that cannot serve is written again.
                unusable = snapshot is not None or current_generation(self.directory, pair) is not None
                self.rebuild(pair, force=unusable)
                snapshot = open_snapshot(self.directory, pair, **self.options)
            if snapshot is not None:
                state.snapshot, state.generation = snapshot.index, snapshot.generation
                state.seen_max, state.recent_ids = snapshot.seen_max, set(snapshot.recent_ids)
        self._load(pair, state)
        return state

    def _load(self, pair: Pair, state: PairIndex, *, report: bool = True) -> None:
        since = state.seen_max - self.REFRESH_OVERLAP if state.seen_max else 0
        # Three columns rather than a tuple per row: a first build reads a million rows.
        ids: list[int] = []
        texts: list[str] = []
        ranks: list[int] = []
        for seg_id, text, rank in self.rows(pair, since, state.recent_ids if state.seen_max else ()):
            ids.append(seg_id)
            texts.append(text)
            ranks.append(rank)
        self._ingest(state, ids, texts, ranks)
        state.loaded_at = time.monotonic()
        if (report and state.snapshot is not None and self.on_stale is not None and not state.stale_reported
                and len(state.index) > max(self.STALE_MIN, self.STALE_SHARE * len(state.snapshot))):
            state.stale_reported = True
            self.on_stale(*pair)

    def _ingest(self, state: PairIndex, ids: list[int], texts: list[str], ranks: list[int]) -> None:
        if state.seen_max:
            floor = state.seen_max - self.REFRESH_OVERLAP
            keep = [k for k, i in enumerate(ids) if i > floor and i not in state.recent_ids]
            ids, texts, ranks = [ids[k] for k in keep], [texts[k] for k in keep], [ranks[k] for k in keep]
        if not ids:
            return
        state.index.add_many(ids, texts, ranks)
        state.seen_max = max(state.seen_max, max(ids))
        floor = state.seen_max - self.REFRESH_OVERLAP
        state.recent_ids.update(i for i in ids if i > floor)
        if len(state.recent_ids) > 2 * self.REFRESH_OVERLAP:
            state.recent_ids = {i for i in state.recent_ids if i > floor}
