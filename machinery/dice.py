"""The fuzzy index's candidate ranking: Dice coefficients of shared trigram buckets, read block by block.

Documents are numbered in order of length and, within a length, of text, so the documents of one block
(``BLOCK`` consecutive numbers) tend to share a template and most of their frequent buckets. Each block
keeps the OR of its documents' signature planes, which bounds from above how many frequent buckets any of
its documents shares with a query. Adding the rare buckets any document of the block has, over the
smallest length a document of the block may have, bounds the Dice coefficient a block can reach. The
blocks of best bound are read first; the ``cap``-th best Dice among them is a floor that every block of
lower bound cannot reach, so only the blocks above it are read, in rounds of best bound first that raise
the floor as they go: the result is the best ``cap`` documents by Dice, as a scan of every document would
find, for a fraction of the reads.

A query that resembles nothing stored (a third of real lookups) has a low ``cap``-th best Dice, and every
block would be read. So documents below a Dice floor proportional to the threshold (``FLOOR_PER_POINT``)
are not candidates: on the bench's million support sentences the texts that reach ``fuzz.ratio >= 75``
have a Dice of 0.22 or more, the best of an unrelated query 0.15 at most; the floor at 75 is 0.15. Like
the cap, it bears on recall only, which ``bench/bench_tm_index.py`` measures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 16
_FIRST_READ = 4  # the first read covers the blocks of best bound, about this many times the cap in documents
_COUNT_SLICE = 1 << 15  # documents whose rare buckets are counted at once: their int64 counts fit the CPU cache
_ROUND = 8  # each later round reads the next blocks by bound, about this many times the cap in documents
FLOOR_PER_POINT = 0.002  # the Dice floor per point of threshold (Dice here: shared / (both lengths), at most 0.5)


def block_planes(planes: np.ndarray, count: int) -> np.ndarray:
    """The OR of the signature planes of each whole block of the first ``count`` documents: (words, blocks)."""
    full = count // BLOCK * BLOCK
    if not full:
        return np.zeros((planes.shape[0], 0), dtype=np.uint64)
    return np.bitwise_or.reduce(planes[:, :full].reshape(planes.shape[0], -1, BLOCK), axis=2)


def count_rare(lists: list[np.ndarray], counts: np.ndarray, start: int) -> np.ndarray:
    """``counts`` (one per document from ``start`` on) set to how many of the ascending ``lists`` of document
    numbers each document is in.

    Counted slice by slice of ``_COUNT_SLICE`` documents (each list cut by ``np.searchsorted``): one
    ``np.bincount`` over a whole window writes an int64 per document at random, eight megabytes at 1M
    documents, far beyond the CPU cache; a slice's counts stay in it."""
    if not lists:
        counts[:] = 0
        return counts
    end = start + len(counts)
    edges = np.arange(start, end + _COUNT_SLICE, _COUNT_SLICE, dtype=np.int64)
    edges[-1] = end
    cuts = [np.searchsorted(docs, edges.astype(docs.dtype)).tolist() for docs in lists]
    for k, (s, e) in enumerate(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)):
        part = np.concatenate([docs[cut[k]:cut[k + 1]] for docs, cut in zip(lists, cuts, strict=True)])
        counts[s - start:e - start] = np.bincount(part - part.dtype.type(s), minlength=e - s)
    return counts


@dataclass(frozen=True)
class Query:
    """What the ranking needs of a query: its length, its frequent buckets as (plane, bits) words, how many
    rare buckets each document from ``base`` on has, the lengths that can reach the threshold and the Dice
    floor."""

    length: float
    words: list[tuple[int, np.uint64]]
    counts: np.ndarray
    base: int
    lo: int
    hi: int
    floor: float


def best_in_blocks(query: Query, planes: np.ndarray, blocks_or: np.ndarray, lengths: np.ndarray,
                   first: int, last: int, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Documents of blocks ``[first, last)`` among the best ``cap`` by Dice (length within the query's
    bounds, a bucket shared), and their Dice; ``query.base`` is the first document of block ``first``.

    Blocks are read in rounds, best bound first; after each round the ``cap``-th best Dice read so far is
    the floor the next blocks' bound must reach, so a floor that rises as better blocks are read stops the
    reads early."""
    count = last - first
    # A block's bound counts the most rare buckets one of its documents has.
    rare = query.counts[: count * BLOCK]
    shared = np.maximum.reduceat(rare, np.arange(0, len(rare), BLOCK)).astype(np.uint16)
    scratch = np.empty(count, dtype=np.uint64)
    for word, bits in query.words:
        np.add(shared, np.bitwise_count(np.bitwise_and(blocks_or[word, first:last], bits, out=scratch)), out=shared)
    smallest = np.maximum(lengths[first * BLOCK:last * BLOCK:BLOCK], np.float32(query.lo))
    bound = shared / (smallest + np.float32(query.length))
    read = min(count, max(1, _FIRST_READ * cap // BLOCK))
    best = np.argpartition(-bound, read - 1)[:read] if read < count else np.arange(count)
    docs, dice = _exact(query, planes, lengths, np.sort(best) + first)
    docs, dice, floor = _best(docs, dice, cap, query.floor)
    wanted = bound >= floor
    wanted[best] = False
    wanted &= shared > 0
    rest = np.flatnonzero(wanted)
    rest = rest[np.argsort(-bound[rest], kind="stable")]
    step = max(1, _ROUND * cap // BLOCK)
    for at in range(0, len(rest), step):
        blocks = rest[at:at + step]
        blocks = blocks[bound[blocks] >= floor]
        if not len(blocks):
            break
        more_docs, more_dice = _exact(query, planes, lengths, np.sort(blocks) + first)
        docs, dice, floor = _best(np.concatenate([docs, more_docs]), np.concatenate([dice, more_dice]), cap,
                                  query.floor)
    return docs, dice


def _best(docs: np.ndarray, dice: np.ndarray, cap: int, floor: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The ``cap`` documents of best Dice (all when fewer), their Dice and the floor a block must reach to
    add one: the ``cap``-th best Dice, or ``floor`` when higher."""
    if len(dice) <= cap:
        return docs, dice, floor
    keep = np.argpartition(-dice, cap - 1)[:cap]
    docs, dice = docs[keep], dice[keep]
    return docs, dice, max(floor, float(dice.min()))


def _exact(query: Query, planes: np.ndarray, lengths: np.ndarray,
           blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The documents of ``blocks`` within the length bounds that share a bucket, and their Dice."""
    if not len(blocks):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    end = (int(blocks.max()) + 1) * BLOCK
    shared = query.counts[:end - query.base].reshape(-1, BLOCK)[blocks - query.base // BLOCK].astype(np.uint16)
    # One gather buffer and one popcount buffer for every word: ``np.take`` into them allocates nothing.
    column, popcount = np.empty((len(blocks), BLOCK), dtype=np.uint64), np.empty((len(blocks), BLOCK), dtype=np.uint8)
    for word, bits in query.words:
        np.take(planes[word, :end].reshape(-1, BLOCK), blocks, axis=0, out=column)
        np.bitwise_count(np.bitwise_and(column, bits, out=column), out=popcount)
        np.add(shared, popcount, out=shared)
    size = lengths[:end].reshape(-1, BLOCK)[blocks]
    dice = shared / (size + np.float32(query.length))
    valid = (size >= query.lo) & (size <= query.hi) & (dice >= max(query.floor, 1e-9))
    return (blocks[:, None] * BLOCK + np.arange(BLOCK))[valid], dice[valid]
