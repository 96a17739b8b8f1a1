"""Benchmark of the command line: how long ``tolk translate`` takes for one sentence, start to finish.

Run: ``.venv/bin/python bench/bench_cli.py [--runs 5]``. Not a test: it prints a Markdown table of wall
times (median and best of ``--runs``) for each command, each a fresh process, against two baselines from
the same run: a bare Python start and ``tolk --help``. Goal: ``tolk translate --from en --to es`` with
Apertium under 2 s. The database is a throw-away SQLite file, migrated once before timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOLK = str(ROOT / ".venv" / "bin" / "tolk")
PYTHON = sys.executable
SENTENCE = "Your order was shipped today and should arrive by Friday."
GOAL_S = 2.0


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, str]:
    """Median and best wall time of ``runs`` fresh processes, and the last output line."""
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.strip()[-500:]}")
        out = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return statistics.median(times), min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOLK_")}
        env["TOLK_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        subprocess.run([TOLK, "db", "upgrade"], env=env, check=True, capture_output=True)
        rows = [
            ("baseline: bare `python -c pass`", [PYTHON, "-c", "pass"], None),
            ("baseline: `tolk --help`", [TOLK, "--help"], None),
            ("`tolk translate --from en --to es` (Apertium)", [TOLK, "translate", "--from", "en", "--to", "es",
                                                              SENTENCE], GOAL_S),
            ("`tolk translate --to es` (language detected)", [TOLK, "translate", "--to", "es", SENTENCE], None),
        ]
        print(f"`tolk translate`, one sentence, {args.runs} fresh processes each, {os.cpu_count()} cores\n")
        print("| command | median s | best s | goal | output |")
        print("|---|---:|---:|---|---|")
        for label, cmd, goal in rows:
            median, best, out = timed(cmd, env, args.runs)
            verdict = "" if goal is None else (f"< {goal:.0f} s: {'met' if median < goal else 'NOT met'}")
            print(f"| {label} | {median:.2f} | {best:.2f} | {verdict} | {out[:60] if 'translate' in label else ''} |")


if __name__ == "__main__":
    main()
