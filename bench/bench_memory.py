"""Benchmark of the translation memory: exact and fuzzy lookups against a brute-force rapidfuzz scan.

Run: ``.venv/bin/python bench/bench_memory.py [--sizes 10000,100000,1000000] [--queries 200]``.
Not a test: it prints a Markdown table (timings are of this machine, on one core).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from machinery.fuzzy import FuzzyIndex  # noqa: E402
from machinery.memory import TranslationMemory, normalize, source_hash  # noqa: E402
from machinery.models import TmOrigin, TmSegment  # noqa: E402
from tolk.db import Base, make_engine, utcnow  # noqa: E402

PRODUCTS = [
    f"{brand} {kind}{suffix}"
    for brand in ("Aurora", "Nimbus", "Vela", "Orbit", "Kestrel", "Lumen", "Tundra", "Pico", "Halo", "Brio")
    for kind in ("wireless headphones", "smart watch", "coffee grinder", "desk lamp", "router",
                 "backpack", "e-reader", "blender", "phone case", "keyboard", "air purifier", "drone")
    for suffix in ("", " Pro", " Mini", " 2", " Max")
]
NAMES = ["Anna", "Ben", "Carla", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kasia",
         "Luca", "Maya", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor"]
CARRIERS = ["DHL", "UPS", "FedEx", "PostNL", "GLS", "DPD", "Royal Mail", "InPost", "Colissimo"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
POLITE = ["", "Please ", "Could you please ", "Kindly ", "If possible, please "]
THANKS = ["", " Thank you!", " Thanks for your patience.", " We appreciate your understanding.",
          " Let us know if there is anything else we can do."]
ACTIONS = ["restart the device", "reset the app to factory settings", "update the firmware",
           "clear the browser cache", "log out and log in again", "check the cable connection",
           "reinstall the companion app", "charge it for at least two hours", "send us a photo of the label",
           "confirm your shipping address"]
TEMPLATES = [
    "Hi {name}, your order #{order} has shipped with {carrier} and should arrive by {date}.{thanks}",
    "{polite}{action} and tell us if the {product} still does not work.{thanks}",
    "We are sorry that your {product} arrived damaged.{thanks}",
    "Your refund of {amount} EUR for order #{order} was issued on {date}.{thanks}",
    "The {product} is back in stock and ships within {days} business days.",
    "{polite}send the {product} back using the prepaid {carrier} label we emailed you.{thanks}",
    "Order #{order} was cancelled on {date} at your request.{thanks}",
    "Hi {name}, thank you for contacting us about your {product}.",
    "{polite}{action}; if the problem persists we will replace your {product}.{thanks}",
    "The warranty for the {product} covers {days} months from the date of purchase.",
    "We have received your return for order #{order} and will inspect it within {days} days.",
    "Your {product} qualifies for a free repair until {date}.{thanks}",
    "{polite}share your order number so we can look into the delay.{thanks}",
    "Hi {name}, the tracking number for order #{order} is {tracking}.",
    "A replacement {product} will be sent to you by {carrier} on {date}.{thanks}",
    "We charged {amount} EUR because the {product} was returned after {days} days.",
    "{polite}{action} before contacting {carrier} about the parcel.{thanks}",
    "Your subscription renews on {date} for {amount} EUR per month.",
    "Thanks, {name}! We have updated the delivery address for order #{order}.",
    "The {product} you ordered is delayed; the new delivery date is {date}.{thanks}",
]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        name=rng.choice(NAMES),
        order=rng.randint(100000, 99999999),
        carrier=rng.choice(CARRIERS),
        date=f"{rng.choice(MONTHS)} {rng.randint(1, 28)}",
        thanks=rng.choice(THANKS),
        polite=rng.choice(POLITE),
        action=rng.choice(ACTIONS),
        product=rng.choice(PRODUCTS),
        amount=f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}",
        days=rng.randint(2, 30),
        tracking=f"{rng.choice('JZ1')}{rng.randint(10**9, 10**10 - 1)}",
    ).replace("  ", " ").strip()


def support_sentence(rng: random.Random) -> str:
    """One templated support sentence: the usual shape of a translation-memory source segment."""
    sentence = _fill(rng, rng.choice(TEMPLATES))
    return sentence[0].upper() + sentence[1:]


def near_duplicate(rng: random.Random, sentence: str) -> str:
    """``sentence`` with one to three small edits: a typo, a dropped word, a changed number or word."""
    words = sentence.split(" ")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(words))
        kind = rng.random()
        if kind < 0.3 and len(words[i]) > 3:
            j = rng.randrange(len(words[i]) - 1)
            w = words[i]
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif kind < 0.5 and len(words) > 4:
            del words[i]
        elif kind < 0.75:
            words[i] = "".join(str(rng.randint(0, 9)) if c.isdigit() else c for c in words[i])
        else:
            words.insert(i, rng.choice(["really", "now", "already", "also", "today", "kindly"]))
    return " ".join(words)


def corpus(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct normalized sentences; a fifth are near-duplicates of earlier ones, as in a real TM."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        if out and rng.random() < 0.2:
            text = normalize(near_duplicate(rng, rng.choice(out)))
        else:
            text = normalize(support_sentence(rng))
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def queries(texts: list[str], count: int, seed: int = 11) -> list[str]:
    """Half near-duplicates of stored sentences, half new sentences."""
    rng = random.Random(seed)
    near = [normalize(near_duplicate(rng, rng.choice(texts))) for _ in range(count // 2)]
    new = [normalize(support_sentence(rng)) for _ in range(count - count // 2)]
    return near + new


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


def rank_recall(found: list[float], truth: list[float]) -> tuple[int, int]:
    """Ranks where the index's score equals the brute-force score (ties make ids ambiguous, scores not)."""
    hits = sum(1 for i, score in enumerate(truth) if i < len(found) and abs(found[i] - score) < 1e-9)
    return hits, len(truth)


def bench_size(n: int, n_queries: int, limit: int, threshold: float) -> dict[str, str]:
    """Measure one corpus size; returns a table row."""
    texts = corpus(n)
    qs = queries(texts, n_queries)

    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    index = FuzzyIndex()
    index.add_many(range(1, n + 1), texts)
    build_s = time.perf_counter() - started
    mem_mb, peak_mb = (b / 2**20 for b in tracemalloc.get_traced_memory())
    tracemalloc.stop()

    index.search(qs[0], limit=limit, threshold=threshold)  # warm-up
    fuzzy_t, found = [], []
    for q in qs:
        t0 = time.perf_counter()
        found.append(index.search(q, limit=limit, threshold=threshold))
        fuzzy_t.append(time.perf_counter() - t0)

    brute_t, hits, total = [], 0, 0
    for q, got in zip(qs, found, strict=True):
        t0 = time.perf_counter()
        truth = process.extract(q, texts, scorer=fuzz.ratio, score_cutoff=threshold, limit=limit)
        brute_t.append(time.perf_counter() - t0)
        h, t = rank_recall([s for _, s in got], [s for _, s, _ in truth])
        hits, total = hits + h, total + t
    del index
    gc.collect()

    exact_t, db_s = exact_lookups(texts, qs)
    return {
        "segments": f"{n:,}",
        "build s": f"{build_s:.1f}",
        "index MiB (build peak)": f"{mem_mb:.0f} ({peak_mb:.0f})",
        "DB load+build s": f"{db_s:.1f}",
        "exact p50/p95 ms": f"{pct(exact_t, 50):.2f} / {pct(exact_t, 95):.2f}",
        "fuzzy top-5 p50/p95 ms": f"{pct(fuzzy_t, 50):.1f} / {pct(fuzzy_t, 95):.1f}",
        "recall >= 75": f"{hits / total:.4f} ({hits}/{total})" if total else "n/a",
        "brute force p50/p95 ms": f"{pct(brute_t, 50):.1f} / {pct(brute_t, 95):.1f}",
    }


def exact_lookups(texts: list[str], qs: list[str]) -> tuple[list[float], float]:
    """Exact lookups through ``TranslationMemory`` on an SQLite file; also times the lazy index load."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/tm.db")
        Base.metadata.create_all(engine)
        now = utcnow()
        with engine.begin() as conn:
            batch = 50_000
            for start in range(0, len(texts), batch):
                conn.execute(insert(TmSegment), [
                    {"source_lang": "en", "target_lang": "de", "source_text": t, "target_text": t[::-1],
                     "source_hash": source_hash(t), "origin": TmOrigin.MACHINE, "engine": "bench",
                     "created_at": now, "updated_at": now}
                    for t in texts[start:start + batch]])
        tm = TranslationMemory(engine)
        rng = random.Random(3)
        probes = [rng.choice(texts) for _ in range(len(qs) // 2)] + qs[len(qs) // 2:]
        timings = []
        with tm.sessionmaker() as session:
            tm.lookup_exact(session, "en", "de", probes[0])
            for text in probes:
                t0 = time.perf_counter()
                tm.lookup_exact(session, "en", "de", text)
                timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tm.lookup_fuzzy("en", "de", qs[0])
        load_s = time.perf_counter() - t0
        engine.dispose()
    return timings, load_s


def main(argv: list[str] | None = None) -> None:
    """Parse options, run each size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="comma-separated corpus sizes (default: %(default)s)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=75)
    args = parser.parse_args(argv)
    rows = [bench_size(int(s), args.queries, args.limit, args.threshold) for s in args.sizes.split(",")]
    head = list(rows[0])
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for row in rows:
        print("| " + " | ".join(row[h] for h in head) + " |")


if __name__ == "__main__":
    main()
