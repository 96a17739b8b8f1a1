"""The fuzzy index's candidate choice: documents in length order, a query's length slice, the candidate cap."""

from __future__ import annotations

import random

import numpy as np
from rapidfuzz import fuzz, process

from machinery import dice, memory_index
from machinery.fuzzy import FuzzyIndex, length_bounds
from machinery.trigrams import query_buckets
from tests.machinery.test_memory_index import WORDS


def varied(n: int, seed: int = 2) -> list[str]:
    """Distinct sentences of 2 to 14 words: lengths from about 10 to 130 characters."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add(" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14))) + f" {rng.randint(1, 999)}")
    return sorted(out)


def edited(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def recall(index: FuzzyIndex, texts: list[str], queries: list[str], threshold: float = 75) -> float:
    """Ranks where the index's score equals brute force's (the ids of equal scores may differ)."""
    hits = total = 0
    for query in queries:
        truth = [s for _, s, _ in process.extract(query, texts, scorer=fuzz.ratio, score_cutoff=threshold, limit=5)]
        got = [score for _, score in index.search(query, 5, threshold)]
        hits += sum(1 for k, score in enumerate(truth) if k < len(got) and got[k] == score)
        total += len(truth)
    assert total
    return hits / total


def test_a_bulk_load_orders_documents_by_length_and_keeps_their_ids():
    texts = varied(3000)
    index = FuzzyIndex(exhaustive_below=0)
    index.add_many(range(1, len(texts) + 1), texts, [i % 3 for i in range(len(texts))])
    arrays, stored = index.snapshot()
    assert np.all(np.diff(arrays["lengths"]) >= 0)
    assert [len(t) for t in stored] == arrays["lengths"].tolist()
    assert list(stored) == sorted(texts, key=lambda t: (len(t), t))  # then by text: neighbours share a template
    # Each document keeps its id and priority: the text stored under id i is texts[i - 1].
    assert all(stored[k] == texts[int(doc) - 1] for k, doc in enumerate(arrays["ids"]))
    assert all(int(p) == (int(doc) - 1) % 3 for p, doc in zip(arrays["priority"], arrays["ids"], strict=True))


def test_the_length_slice_drops_no_text_that_can_reach_the_threshold():
    # A cap above the size: the index must then find exactly what brute force finds, so any text the length
    # slice wrongly left out (at either end, for short and long queries) would show.
    rng = random.Random(4)
    texts = varied(3000)
    index = FuzzyIndex(exhaustive_below=0, max_candidates=10_000)
    index.add_many(range(1, 2501), texts[:2500])
    for i, text in enumerate(texts[2500:], start=2501):  # added after the bulk load: outside the order
        index.add(i, text)
    assert index._ordered == 2500 < len(index)
    queries = [edited(rng, rng.choice(texts)) for _ in range(40)] + ["order 7", "refund refund refund"]
    for threshold in (60, 75, 90):
        assert recall(index, texts, queries, threshold) == 1.0


def test_the_slice_is_the_lengths_that_can_reach_the_threshold():
    texts = varied(2000)
    index = FuzzyIndex(exhaustive_below=0)
    index.add_many(range(len(texts)), texts)
    lengths = index._lengths.view()
    for query_length in (12, 40, 90):
        lo, hi = length_bounds(query_length, 75)
        start, end = index._window(lo, hi)
        inside = (lengths >= lo) & (lengths <= hi)
        assert inside[start:end].all() and not inside[:start].any() and not inside[end:].any()
    index.add(99_999, "order")  # an addition after the ordered documents is always read
    assert index._window(*length_bounds(90, 75))[1] == len(index)


def test_a_snapshot_of_unordered_documents_still_answers_as_its_index(tmp_path):
    # Indexes filled one text at a time (and snapshots written before the length order) are not ordered.
    rng = random.Random(6)
    texts = varied(3000, seed=8)
    shuffled = rng.sample(range(len(texts)), len(texts))
    built = FuzzyIndex(exhaustive_below=0, max_candidates=200)
    for doc in shuffled[:2000]:
        built.add(doc, texts[doc])
    built.add_many(shuffled[2000:], [texts[doc] for doc in shuffled[2000:]])
    memory_index.write_snapshot(tmp_path, ("en", "de"), built, seen_max=len(texts), recent_ids=set())
    snapshot = memory_index.open_snapshot(tmp_path, ("en", "de"), exhaustive_below=0, max_candidates=200)
    assert snapshot is not None and snapshot.index._ordered < len(texts)
    for query in [edited(rng, rng.choice(texts)) for _ in range(30)]:
        assert snapshot.index.ranked(query, 10, 70) == built.ranked(query, 10, 70)


def test_templated_near_duplicates_keep_their_true_best_five():
    # Thirty thousand sentences of one template that differ only in numbers: their trigrams rank them
    # almost alike, and the exact best five are found only if the candidates reach deep enough. The
    # earlier cap of 1,500 candidates lost one of these 150 ranks; the default finds them all.
    rng = random.Random(4)
    texts = sorted({f"We have received your return for order #{rng.randint(10**7, 10**8 - 1)} and will inspect "
                    f"it within {rng.randint(2, 30)} days." for _ in range(30_000)})
    queries = [edited(rng, rng.choice(texts)) for _ in range(30)]
    default, earlier = FuzzyIndex(exhaustive_below=0), FuzzyIndex(exhaustive_below=0, max_candidates=1500)
    for index in (default, earlier):
        index.add_many(range(len(texts)), texts)
    assert recall(default, texts, queries) == 1.0
    assert recall(earlier, texts, queries) < 1.0


def test_mapped_texts_fetch_many_as_one_by_one(tmp_path):
    texts = ["Zamówienie wysłane", "注文は発送されました", "", "Ok", "الطلب في الطريق", "Order shipped"]
    built = FuzzyIndex()
    built.add_many(range(1, len(texts) + 1), texts)
    memory_index.write_snapshot(tmp_path, ("pl", "en"), built, seen_max=6, recent_ids=set())
    snapshot = memory_index.open_snapshot(tmp_path, ("pl", "en"))
    assert snapshot is not None
    stored = snapshot.index.snapshot()[1]
    assert isinstance(stored, memory_index.MappedTexts)
    numbers = [5, 0, 2, 2, 3]
    assert stored.many(numbers) == [stored[i] for i in numbers]
    assert sorted(stored.many(list(range(len(texts))))) == sorted(texts)


def brute_dice(query: str, texts: list[str], lo: int, hi: int, floor: float) -> list[float]:
    """The Dice coefficient (shared buckets over both lengths) of every text of a length in ``[lo, hi]`` that
    reaches ``floor``, best first: what a scan of every document ranks."""
    grams = set(query_buckets(query).tolist())
    values = [len(grams & set(query_buckets(t).tolist())) / (len(query) + len(t)) for t in texts if lo <= len(t) <= hi]
    return sorted((v for v in values if v > 0 and v >= floor), reverse=True)


def _templated_index(rng: random.Random, max_candidates: int) -> tuple[list[str], FuzzyIndex]:
    """12,000 support sentences of four templates (blocks of neighbours share one), indexed by their rank."""
    templates = ["Your {} for order #{} has shipped.", "We refunded the {} of order #{} today.",
                 "Please send the {} back with label {}.", "The {} you asked about is item {} in our shop."]
    texts = sorted({rng.choice(templates).format(rng.choice(WORDS), rng.randint(1, 10**5)) for _ in range(12_000)})
    index = FuzzyIndex(exhaustive_below=0, max_candidates=max_candidates)
    index.add_many(range(len(texts)), texts)
    return texts, index


def test_blocks_read_by_their_bound_give_the_best_dice_of_every_document(monkeypatch):
    # Some blocks must be skipped (else the bound decides nothing), and the candidates must still be the
    # cap best by Dice of the whole length slice, above the floor, as a scan of every document finds.
    rng = random.Random(9)
    texts, index = _templated_index(rng, max_candidates=150)
    blocks_read: list[int] = []
    exact = dice._exact

    def counting(query, planes, lengths, blocks):
        blocks_read.append(len(blocks))
        return exact(query, planes, lengths, blocks)

    monkeypatch.setattr(dice, "_exact", counting)
    stored, windows = list(index.snapshot()[1]), 0
    for query in [edited(rng, rng.choice(texts)) for _ in range(12)] + ["refund order 12", "nothing alike at all"]:
        lo, hi = length_bounds(len(query), 60)
        start, end = index._window(lo, hi)
        windows += (end - start) // dice.BLOCK
        found = index._candidates(query, lo, hi, (start, end), 60 * dice.FLOOR_PER_POINT)
        grams = set(query_buckets(query).tolist())
        got = sorted((len(grams & set(query_buckets(stored[k]).tolist())) / (len(query) + len(stored[k]))
                      for k in found.tolist()), reverse=True)
        want = brute_dice(query, texts, lo, hi, 60 * dice.FLOOR_PER_POINT)[:150]
        assert np.allclose(got, want, atol=1e-5)
    assert 0 < sum(blocks_read) < windows / 2


def test_additions_after_the_blocks_are_read_in_full():
    texts = varied(6000, seed=3)
    index = FuzzyIndex(exhaustive_below=0, max_candidates=10_000)
    index.add_many(range(5000), texts[:5000])
    index.add_many(range(5000, 6000), texts[5000:])  # after the ordered, blocked documents
    assert index._blocked <= 5000 < len(index)
    rng = random.Random(2)
    for query in [edited(rng, rng.choice(texts[5000:])) for _ in range(20)]:
        truth = [s for _, s, _ in process.extract(query, texts, scorer=fuzz.ratio, score_cutoff=75, limit=5)]
        assert [score for _, score in index.search(query, 5, 75)] == truth


def test_a_length_bound_beyond_the_lengths_type_reads_to_the_end():
    # A long query at a tiny threshold bounds lengths beyond int32: the slice then runs to the last length.
    texts = varied(6000, seed=4)
    index = FuzzyIndex(exhaustive_below=0)
    index.add_many(range(len(texts)), texts)
    query = "order " * 20_000
    assert length_bounds(len(query), 0.01)[1] > 2**31
    assert index._window(*length_bounds(len(query), 0.01)) == (0, len(texts))
    assert index.search(query, 1, 0.01)


def test_rare_buckets_counted_slice_by_slice_match_one_bincount():
    # Documents on both sides of slice edges, a window that starts inside a slice, a document in more lists
    # than a byte counts, and empty lists.
    rng = np.random.default_rng(3)
    start, end = 1_000, 1_000 + 3 * dice._COUNT_SLICE + 17
    edges = [start, start + dice._COUNT_SLICE - 1, start + dice._COUNT_SLICE, end - 1]
    lists = [np.union1d(rng.integers(start, end, int(rng.integers(0, 3000))), edges + [start + 5]).astype(np.int32)
             for _ in range(300)] + [np.empty(0, dtype=np.int32)]
    want = np.bincount(np.concatenate(lists) - start, minlength=end - start)
    assert want.max() > 255
    got = dice.count_rare(lists, np.full(end - start, 7, dtype=np.uint16), start)  # stale values overwritten
    assert np.array_equal(got, want)
    assert not dice.count_rare([], np.full(5, 7, dtype=np.uint8), 0).any()


def test_an_index_counts_more_rare_buckets_than_a_byte_holds():
    texts = varied(6000, seed=5)
    index = FuzzyIndex(exhaustive_below=0)
    index.add_many(range(len(texts)), texts)
    few = [np.array([10, 11], dtype=np.int32)] * 3
    assert index._rare_counts(few, 8, 4000).dtype == np.uint8
    many = [np.array([10, 3999], dtype=np.int32)] * 300
    counts = index._rare_counts(many, 8, 4000)
    assert counts.dtype == np.uint16 and counts[2] == counts[3991] == 300 and counts.sum() == 600


def test_later_rounds_read_fewer_blocks_for_the_same_best_dice(monkeypatch):
    # Reading the blocks past the first read in rounds, best bound first, lets the cap-th best Dice rise
    # between rounds: fewer blocks are read than in one round of every block above the first floor, and the
    # candidates have the same Dice coefficients.
    rng = random.Random(11)
    texts, index = _templated_index(rng, max_candidates=100)
    stored = list(index.snapshot()[1])
    queries = [edited(rng, rng.choice(texts)) for _ in range(15)]
    read: list[int] = []
    exact = dice._exact

    def counting(query, planes, lengths, blocks):
        read.append(len(blocks))
        return exact(query, planes, lengths, blocks)

    def dice_of(query: str, numbers: list[int]) -> list[float]:
        grams = set(query_buckets(query).tolist())
        return sorted(len(grams & set(query_buckets(stored[k]).tolist())) / (len(query) + len(stored[k]))
                      for k in numbers)

    monkeypatch.setattr(dice, "_exact", counting)
    runs = {}
    for rounds in (1, 10_000):  # rounds of about the cap in documents; one round of every block
        monkeypatch.setattr(dice, "_ROUND", rounds)
        read.clear()
        found = []
        for query in queries:
            lo, hi = length_bounds(len(query), 60)
            found.append(dice_of(query, index._candidates(query, lo, hi, index._window(lo, hi), 0.12).tolist()))
        runs[rounds] = (sum(read), len(read), found)
    assert runs[1][1] > runs[10_000][1]  # more than one later round happened
    assert runs[1][0] < runs[10_000][0]
    for in_rounds, at_once in zip(runs[1][2], runs[10_000][2], strict=True):
        assert np.allclose(in_rounds, at_once, atol=1e-6)
