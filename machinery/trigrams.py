"""Character trigrams of the fuzzy index, hashed into buckets: a query's buckets and a build's posting keys."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_BUCKET_BITS = 30
CHUNK_KEYS = 1 << 22
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads trigram codes over the buckets


def trigram_buckets(codepoints: np.ndarray) -> np.ndarray:
    """The bucket of each character trigram starting at every position but the last two."""
    c = codepoints.astype(np.uint64)
    code = (c[:-2] << np.uint64(42)) | (c[1:-1] << np.uint64(21)) | c[2:]
    return ((code * _MIX) >> np.uint64(64 - _BUCKET_BITS)).astype(np.int64)


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text``, without a copy per character."""
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """``values`` sorted, each once."""
    # np.unique hashes before sorting in numpy 2.3, which is several times slower on int64 keys.
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def query_buckets(text: str) -> np.ndarray:
    """The distinct, sorted buckets of ``text`` padded with a space at each end."""
    padded = f" {text} "
    if len(padded) < 3:
        return np.empty(0, dtype=np.int64)
    return distinct_sorted(trigram_buckets(codepoints(padded)))


def posting_keys(texts: Sequence[str], first: int) -> np.ndarray:
    """Sorted, distinct ``bucket << 32 | document`` keys for ``texts`` numbered from ``first``."""
    padded = [f" {t} " for t in texts]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    total = int(lengths.sum())
    if total < 3:
        return np.empty(0, dtype=np.int64)
    buckets = trigram_buckets(codepoints("".join(padded)))
    # A trigram starting in a text's last two characters would run into the next text.
    ends = np.cumsum(lengths)
    cut = np.concatenate([ends - 2, ends - 1])
    valid = np.ones(total - 2, dtype=bool)
    valid[cut[cut < total - 2]] = False
    docs = np.repeat(np.arange(first, first + len(padded), dtype=np.int64), lengths)[: total - 2]
    return distinct_sorted((buckets[valid] << np.int64(32)) | docs[valid])


def bucket_heads(keys: np.ndarray) -> np.ndarray:
    """Where each bucket's run starts in sorted ``bucket << 32 | document`` keys, found slice by slice."""
    heads = [np.zeros(1 if len(keys) else 0, dtype=np.int64)]
    for start in range(0, max(len(keys) - 1, 0), CHUNK_KEYS):
        buckets = keys[start:start + CHUNK_KEYS + 1] >> np.int64(32)
        heads.append(np.flatnonzero(buckets[1:] != buckets[:-1]) + start + 1)
    return np.concatenate(heads)
