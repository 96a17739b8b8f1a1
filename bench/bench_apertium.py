"""Benchmark of the Apertium engine: one ``apertium -u`` process per segment against the persistent pipeline.

Run: ``.venv/bin/python bench/bench_apertium.py [--segments 200] [--baseline 50] [--mode eng-spa]``.
Not a test: it prints a Markdown table (timings are of this machine). The per-process baseline is run
on a subset of ``--baseline`` segments and its total is extrapolated linearly to ``--segments``: each
call is independent (a fresh process), so its cost per segment does not depend on how many are run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from machinery.apertium import ApertiumEngine, bcp47_code  # noqa: E402

NAMES = ["Anna", "Ben", "Carla", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
PRODUCTS = ["wireless headphones", "smart watch", "coffee grinder", "desk lamp", "router", "backpack",
            "e-reader", "blender", "phone case", "keyboard"]
ACTIONS = ["restart the device", "update the firmware", "clear the browser cache",
           "log out and log in again", "check the cable connection", "reinstall the app"]
TEMPLATES = [
    "Hi {name}, your order #{order} has shipped and should arrive by Friday.",
    "Please {action} and tell us if the {product} still does not work.",
    "We are sorry that your {product} arrived damaged",
    "Your refund for order #{order} was processed today.",
    "The {product} is back in stock and ships within {days} business days.",
    "Could you send us a photo of the label on the {product}?",
    "Order #{order} was cancelled at your request. Thank you for your patience!",
    "Hi {name}, thank you for contacting us about your {product}.",
    "If the problem persists, we will replace your {product} free of charge.",
    "You can reach us at support@example.com or visit https://example.com/help for more details.",
    "Dear {name},\n\nwe have received your return and will inspect it within {days} days.\n\nBest regards",
    "Your {product} is covered by the warranty for two years",
]


def support_sentences(n: int, seed: int = 7) -> list[str]:
    """``n`` realistic support segments, reproducible from ``seed``."""
    rng = random.Random(seed)
    return [rng.choice(TEMPLATES).format(name=rng.choice(NAMES), product=rng.choice(PRODUCTS),
                                         action=rng.choice(ACTIONS), order=rng.randint(10000, 99999),
                                         days=rng.randint(2, 14)) for _ in range(n)]


def main(argv: list[str] | None = None) -> int:
    """Run both paths and print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=50, help="segments actually run one process each")
    parser.add_argument("--mode", default="eng-spa")
    args = parser.parse_args(argv)

    engine = ApertiumEngine(timeout=60)
    if args.mode not in engine.modes:
        print(f"Apertium mode {args.mode} is not installed", file=sys.stderr)
        return 1
    source, target = bcp47_code(engine.modes[args.mode].source), bcp47_code(engine.modes[args.mode].target)
    if engine.mode_for(source, target) != args.mode:
        print(f"{args.mode} is a variant mode; benchmark a base mode such as eng-spa", file=sys.stderr)
        return 1
    texts = support_sentences(args.segments)
    subset = texts[:min(args.baseline, len(texts))]

    start = time.perf_counter()
    one_shot = [engine.translate_one_shot(t, args.mode, "txt") for t in subset]
    baseline_measured = time.perf_counter() - start
    baseline_total = baseline_measured / len(subset) * len(texts)

    try:
        start = time.perf_counter()
        cold = engine.translate_batch(texts, source, target)  # includes starting the pipeline
        cold_total = time.perf_counter() - start

        start = time.perf_counter()
        warm = engine.translate_batch(texts, source, target)
        warm_total = time.perf_counter() - start

        start = time.perf_counter()
        for t in texts:
            engine.translate_batch([t], source, target)
        single_total = time.perf_counter() - start
    finally:
        engine.close()

    plain = [i for i, t in enumerate(subset) if not engine.protector.find(t)]
    agree = sum(one_shot[i] == warm[i].text for i in plain)
    if [c.text for c in cold] != [w.text for w in warm]:
        print("warning: the cold and warm runs translated differently", file=sys.stderr)

    rows = [
        (f"`apertium -u {args.mode}`, one process per segment ("
         + ("measured on all)" if len(subset) == len(texts) else f"measured on {len(subset)}, extrapolated)"),
         baseline_total),
        ("persistent pipeline, one batch, cold (includes start-up)", cold_total),
        ("persistent pipeline, one batch, warm", warm_total),
        ("persistent pipeline, one segment per call, warm", single_total),
    ]
    print(f"Apertium {args.mode}: {len(texts)} support segments\n")
    print("| method | segments | total s | ms/segment | segments/s | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, total in rows:
        print(f"| {label} | {len(texts)} | {total:.2f} | {total / len(texts) * 1000:.1f} | "
              f"{len(texts) / total:.0f} | {baseline_total / total:.0f}x |")
    print(f"\nBaseline measured: {baseline_measured:.2f} s for {len(subset)} segments. "
          f"Identical output on the {len(plain)} subset segments without protected spans: "
          f"{agree}/{len(plain)}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
