"""Benchmark of the demo review history: what it adds to ``tolk seed-demo`` and to opening the dashboard.

Run: ``.venv/bin/python bench/bench_seed_history.py [--runs 3]``. Not a test: it prints a Markdown table of
wall times (median of ``--runs``, each on a fresh migrated SQLite file) for each demo seeder, the whole
seed with and without the history (``lqa.demo``), and ``GET /quality`` on the seeded database. The
baseline is the rest of ``seed-demo`` in the same run. Goal: the history adds under 1 s to the seed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tolk import create_app
from tolk.db import db, upgrade

GOAL_S = 1.0


def one_run(folder: Path, number: int) -> tuple[dict[str, float], float]:
    """Seconds per seeder (in the order ``seed-demo`` runs them) and for one dashboard request."""
    url = f"sqlite:///{folder / f'seed-{number}.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench", "TESTING": True})
    times: dict[str, float] = {}
    with app.app_context():
        for seeder in app.extensions["tolk.seeders"]:
            name = getattr(seeder, "__qualname__", repr(seeder))
            start = time.perf_counter()
            seeder(db.session)
            db.session.flush()
            times[name] = time.perf_counter() - start
        start = time.perf_counter()
        db.session.commit()
        times["commit"] = time.perf_counter() - start
    client = app.test_client()
    client.get("/sign-in")
    with client.session_transaction() as session:
        token = session.setdefault("csrf", "b" * 43)
    client.post("/sign-in", data={"name": "kim", "password": "demo-editor", "csrf_token": token})
    start = time.perf_counter()
    response = client.get("/quality")
    dashboard = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET /quality answered {response.status_code}")
    app.extensions["tolk.db"][0].dispose()
    return times, dashboard


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    per_step: dict[str, list[float]] = defaultdict(list)
    dashboards = []
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.runs):
            times, dashboard = one_run(Path(tmp), number)
            for name, seconds in times.items():
                per_step[name].append(seconds)
            dashboards.append(dashboard)
    medians = {name: statistics.median(values) for name, values in per_step.items()}
    history = next(value for name, value in medians.items() if "seed_demo_quality" in name)
    whole = sum(medians.values())
    print(f"| step (median of {args.runs} fresh databases) | seconds |")
    print("|---|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value:.3f} |")
    print(f"| baseline: seed-demo without the history | {whole - history:.3f} |")
    print(f"| seed-demo with the history | {whole:.3f} |")
    verdict = "met" if history < GOAL_S else "not met"
    print(f"| the history adds | {history:.3f} (goal < {GOAL_S:.0f} s: **{verdict}**) |")
    print(f"| GET /quality on the seeded database | {statistics.median(dashboards):.3f} |")


if __name__ == "__main__":
    main()
