"""Benchmark: finding customer data in the segments of a TMX import, with and without the fast pre-filters.

The texts are those of ``bench_imports.tmx`` (support sentences with order numbers and dates, in en, es,
de, fr): each unit's source and target, in file order, as ``TranslationMemory.add_many`` asks for them.
Three ways, in the same run: every detector on every text (the baseline), the guarded detectors
(``machinery.pii_guards``), and ``Protector.find_pii`` as imports call it (guarded detectors, no full search
when no customer-data rule fires, answers kept per text).
Reports CPU time (``resource.getrusage``, less sensitive to a shared machine's load than wall time) and
checks the three agree.
Run: ``.venv/bin/python bench/bench_pii.py [--units 20000]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_imports import tmx  # noqa: E402
from machinery.pii import without_guards  # noqa: E402
from machinery.protection import Protector, Span  # noqa: E402
from machinery.tmx import iter_tmx  # noqa: E402


def unguarded(protector: Protector) -> Protector:
    """The same Protector with every guard taken off its detectors and rules (``machinery.pii.without_guards``,
    as the tests use: an earlier copy here left the guards of the e-mail, phone, IBAN and card rules on)."""
    protector.rules = without_guards(protector.rules)
    return protector


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=20_000)
    args = parser.parse_args()
    texts = [t for u in iter_tmx(tmx(args.units)) for t in (u.source, u.target)]
    runs: list[tuple[str, list[list[Span]], float]] = []
    for label, protector, cached in (("every detector on every text (baseline)", unguarded(Protector()), False),
                                     ("guarded detectors", Protector(), False),
                                     ("find_pii: guarded, gated, per-text cache", Protector(), True)):
        started = cpu()
        if cached:
            found = [protector.find_pii(t) for t in texts]
        else:
            found = [[s for s in protector.find(t) if s.is_pii] for t in texts]
        runs.append((label, found, cpu() - started))
    print(f"{len(texts):,} texts ({args.units:,} TMX units); load average {os.getloadavg()[0]:.1f}\n")
    print("| detectors | CPU time | per text | vs baseline | same spans |")
    print("| --- | ---: | ---: | ---: | --- |")
    base = runs[0]
    for label, found, seconds in runs:
        print(f"| {label} | {seconds:.2f} s | {seconds / len(texts) * 1e6:.0f} µs | {base[2] / seconds:.1f}x | "
              f"{'yes' if found == base[1] else 'NO'} |")


if __name__ == "__main__":
    main()
