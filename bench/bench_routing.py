"""Routing on the labelled agent turns: critical recall, routine release rate and a per-kind table.

Run: ``.venv/bin/python bench/bench_routing.py [--set eval|train] [--misses]``.
Not a test: it prints Markdown tables for the rules alone and for the rules with the classifier, each
turn judged through ``workflows.routing.decide`` with its customer message, English text to Spanish,
other agent languages to English (the source side decides; see docs/routing.md).

``--speed`` instead prints the CPU cost per text of ``content_reasons`` and of ``decide`` with the
plain per-rule case-insensitive search (the reference) and with ``workflows.rule_search`` (lower-cased,
prefiltered), on the same texts in the same run, and checks that both give the same reasons.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workflows import routing  # noqa: E402
from workflows.classifier import CriticalClassifier, load_classifier  # noqa: E402
from workflows.models import Decision  # noqa: E402
from workflows.routing import RoutingInput, Turn, content_reasons, decide  # noqa: E402
from workflows.rule_search import first_matches, plain_first_matches  # noqa: E402

SETS = ROOT / "tests" / "fixtures" / "routing"
RULES_ONLY = CriticalClassifier((), 0.0, threshold=2.0, grey_zone=2.0, version="rules only")


def load(name: str) -> list[dict]:
    """One labelled set (eval or train)."""
    return [json.loads(line) for line in (SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line]


def route(item: dict, classifier: CriticalClassifier | None = None) -> Decision:
    """The decision for one labelled turn, judged as the app judges an agent's reply."""
    return decide(RoutingInput(
        source_text=item["text"], source_lang=item["lang"], target_lang="es" if item["lang"] == "en" else "en",
        channel=item["channel"], engine="apertium", customer_message=item.get("customer_message"),
        thread=[Turn(**t) for t in item.get("thread", [])], classifier=classifier)).decision


def report(items: list[dict], classifier: CriticalClassifier | None, title: str, misses: bool) -> None:
    rows: dict[str, Counter] = defaultdict(Counter)
    wrong_turns = []
    for item in items:
        decision = route(item, classifier)
        row = rows[f"{item['label'].lower()}: {item['kind']}"]
        row["n"] += 1
        row[decision.value] += 1
        if item.get("needs_context"):
            rows["critical: given the customer's message"]["n"] += 1
            rows["critical: given the customer's message"][decision.value] += 1
        wrong = (decision == Decision.RELEASED) == (item["label"] == "CRITICAL")
        if wrong:
            wrong_turns.append(f"  {item['label'][:4]} {decision.value:13} {item['id']} [{item['lang']}] {item['text']}")
    crit = [r for k, r in rows.items() if k.startswith("critical: ") and "given" not in k]
    rout = [r for k, r in rows.items() if k.startswith("routine: ")]
    n_crit, n_rout = sum(r["n"] for r in crit), sum(r["n"] for r in rout)
    held = n_crit - sum(r["released"] for r in crit)
    released = sum(r["released"] for r in rout)
    print(f"\n### {title}\n")
    print(f"critical recall {held}/{n_crit} = {held / n_crit:.3f} "
          f"(native review {sum(r['native_review'] for r in crit)}, agent confirms "
          f"{sum(r['agent_confirm'] for r in crit)}); routine release rate {released}/{n_rout} = "
          f"{released / n_rout:.3f}\n")
    print("| label: kind | turns | released | agent confirms | native review |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for key in sorted(rows, key=lambda k: (not k.startswith("critical"), k)):
        r = rows[key]
        print(f"| {key} | {r['n']} | {r['released']} | {r['agent_confirm']} | {r['native_review']} |")
    if misses and wrong_turns:
        print("\nRouted against their label:\n")
        print("\n".join(wrong_turns))


def classifier_alone(items: list[dict], model: CriticalClassifier) -> None:
    """How the classifier alone separates the set (agent text only, no rules, no context)."""
    scores = [(model.score(i["text"]), i["label"] == "CRITICAL") for i in items]
    crit = [s for s, c in scores if c]
    rout = [s for s, c in scores if not c]
    print(f"\n### classifier alone ({model.version}, {len(model.blocks)} vectorizers)\n")
    print("| from score | critical at or above | routine below |")
    print("| ---: | ---: | ---: |")
    for t in sorted({model.grey_zone, model.threshold, 0.5}):
        print(f"| {t:.3f} | {sum(s >= t for s in crit) / len(crit):.3f} | {sum(s < t for s in rout) / len(rout):.3f} |")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(work, rounds: int) -> tuple[float, float]:
    """Best-of-``rounds`` (CPU seconds, wall seconds) of ``work()``."""
    best_cpu = best_wall = float("inf")
    for _ in range(rounds):
        cpu, wall = _cpu(), time.perf_counter()
        work()
        best_cpu, best_wall = min(best_cpu, _cpu() - cpu), min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall


def speed(rounds: int) -> None:
    """Per-text cost of the content rules and of ``decide``: reference search vs ``rule_search``."""
    items = load("eval") + load("train") + load("holdout")
    texts = [i["text"] for i in items]
    inputs = [RoutingInput(
        source_text=i["text"], source_lang=i["lang"], target_lang="es" if i["lang"] == "en" else "en",
        channel=i["channel"], engine="apertium", customer_message=i.get("customer_message"),
        thread=[Turn(**t) for t in i.get("thread", [])], target_text=i["text"]) for i in items]
    load_classifier()
    cases = {
        "content_reasons (agent's text)": lambda: [content_reasons(t) for t in texts],
        "content_reasons (translation)": lambda: [content_reasons(t, target=True) for t in texts],
        "decide (both sides, context, classifier)": lambda: [decide(d) for d in inputs],
    }
    print(f"## Routing speed: {len(texts)} agent turns (mean {sum(map(len, texts)) / len(texts):.0f} characters), "
          f"best of {rounds} rounds, load average {os.getloadavg()[0]:.2f}\n")
    print("| per text | reference CPU µs | reference wall µs | rule_search CPU µs | rule_search wall µs | CPU speed-up |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, work in cases.items():
        new = work()
        routing.first_matches = plain_first_matches
        try:
            old = work()
            old_cpu, old_wall = _timed(work, rounds)
        finally:
            routing.first_matches = first_matches
        new_cpu, new_wall = _timed(work, rounds)
        same = repr(old) == repr(new)
        n = len(texts) / 1e6
        print(f"| {label}{'' if same else ' (REASONS DIFFER)'} | {old_cpu / n:.1f} | {old_wall / n:.1f} | "
              f"{new_cpu / n:.1f} | {new_wall / n:.1f} | {old_cpu / new_cpu:.1f}x |")
        if not same:
            raise SystemExit("rule_search gives other reasons than the reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="eval", choices=("eval", "train", "holdout"))
    parser.add_argument("--misses", action="store_true", help="list the turns routed against their label")
    parser.add_argument("--speed", action="store_true", help="time the content rules and decide instead")
    parser.add_argument("--rounds", type=int, default=5, help="with --speed: best of how many rounds")
    args = parser.parse_args()
    if args.speed:
        speed(args.rounds)
        return
    items = load(args.set)
    langs = Counter(i["lang"] for i in items)
    print(f"## Routing on the {args.set} set: {len(items)} agent turns "
          f"({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))})")
    report(items, RULES_ONLY, "rules only (content and context rules)", args.misses)
    model = load_classifier()
    classifier_alone(items, model)
    report(items, None, f"rules + classifier ({model.version}: native review from {model.threshold}, "
                        f"agent confirms from {model.grey_zone})", args.misses)


if __name__ == "__main__":
    main()
