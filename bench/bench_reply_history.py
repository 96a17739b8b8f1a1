"""Benchmark: what a reply costs once review items of past replies pile up (issue #19: the reply path).

For each database (SQLite, then PostgreSQL from scripts/postgres-dev): a fresh migrated database with N past
review items (decided ones, as a year of traffic leaves them), an agent and a native reviewer of Spanish on
shift; then replies (Apertium en -> es, the replies bench's texts, about 2 in 10 held for review) are drafted
in-process through the API and their thread CPU, the database server's CPU (PostgreSQL) and wall time are
measured. The same run with the reply path's three indexes of migration 0023 dropped is the baseline: that was
every reply before it (a review item's lookups read the whole table).
Run: .venv/bin/python bench/bench_reply_history.py [--history 200000] [--replies 200] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_replies import reply_text  # noqa: E402 - bench/ on the path
from stack import BIN, cpu_seconds, postgres, postgres_pids, reply_app  # noqa: E402 - bench/ on the path

INDEXES = ("ix_review_items_object", "ix_review_items_status_assignee", "ix_users_role")


def seed(url: str, history: int, *, drop: bool) -> None:
    """``history`` decided review items of past replies; without the reply path's 0023 indexes when ``drop``."""
    from sqlalchemy import MetaData, Table, create_engine, text

    engine = create_engine(url)
    items = Table("review_items", MetaData(), autoload_with=engine)
    row = {"kind": "reply", "source_lang": "en", "target_lang": "es", "channel": "email", "content_type": "reply",
           "task": "review", "spot_check": False, "reasons": [], "findings": [], "terms_checked": 0,
           "source_text": "We have refunded the full amount to your card, it shows in 3-5 days.",
           "mt_text": "Hemos reembolsado el importe completo a su tarjeta.", "engine": "apertium",
           "status": "approved", "queued_at": dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC),
           "due_at": dt.datetime(2026, 1, 5, 18, tzinfo=dt.UTC), "version": 1}
    with engine.begin() as conn:
        for start in range(0, history, 20_000):
            conn.execute(items.insert(), [{**row, "object_id": 10_000_000 + i}
                                          for i in range(start, min(history, start + 20_000))])
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))  # as autovacuum would have by then: the planner knows the table's size
        if drop:
            for index in INDEXES:
                conn.execute(text(f"DROP INDEX {index}"))
    engine.dispose()


def measure(url: str, workdir: Path, replies: int, server) -> tuple[list[float], list[float], float]:
    """Thread CPU and wall ms of each of ``replies`` replies, after 40 to warm up, and the database server's CPU
    ms per reply (``server()``: its processes; none for SQLite, which runs in this thread)."""
    app, headers = reply_app(url, "redis://127.0.0.1:1/0", workdir / "instance")
    client = app.test_client()
    cpu, wall = [], []
    server_cpu = 0.0
    for n in range(40 + replies):
        if n == 40:
            server_cpu = -cpu_seconds(server())
        body = {"text": reply_text(0, n), "ticket_ref": f"B-{n}", "channel": "email", "customer_locale": "es"}
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.post("/api/v1/replies", json=body, headers=headers)
        if response.status_code not in (200, 201):
            raise RuntimeError(response.get_data(as_text=True)[:300])
        if n >= 40:
            cpu.append(1000 * (time.thread_time() - started_cpu))
            wall.append(1000 * (time.perf_counter() - started))
    server_cpu += cpu_seconds(server())
    app.extensions["tolk.machinery"].close()
    app.extensions["tolk.db"][0].dispose()
    return cpu, wall, 1000 * server_cpu / replies


def run(name: str, make_url, args: argparse.Namespace, server=lambda: []) -> list[str]:
    lines = []
    for history in (0, args.history):
        for drop in (True, False):
            workdir = Path(tempfile.mkdtemp(prefix="tolk-history-"))
            url = make_url(workdir)
            env = {**os.environ, "TOLK_DATABASE_URL": url, "TOLK_INSTANCE_PATH": str(workdir / "instance")}
            subprocess.run([str(BIN / "tolk"), "db", "upgrade"], env=env, check=True, capture_output=True)
            try:
                seed(url, history, drop=drop)
                cpu, wall, server_ms = measure(url, workdir, args.replies, server)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            label = "baseline: without the reply path's 0023 indexes" if drop else "as shipped"
            lines.append(f"| {name} | {history:,} | {label} | {statistics.mean(cpu):.2f} | "
                         f"{statistics.quantiles(cpu, n=20)[18]:.2f} | {server_ms:.2f} | {statistics.mean(wall):.2f} |")
            print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history", type=int, default=200_000, help="past review items in the database")
    parser.add_argument("--replies", type=int, default=200, help="replies measured per row")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # no Redis here: the deadline checks are not scheduled, as logged
    load = os.getloadavg()[0]
    print("| database | past review items | schema | thread CPU ms/reply | p95 | database server CPU ms/reply "
          "| wall ms/reply |")
    print("|---|---:|---|---:|---:|---:|---:|")
    run("SQLite", lambda workdir: f"sqlite:///{workdir / 'bench.db'}", args)
    if not args.no_postgres:
        run_postgres(args)
    print(f"\n{args.replies} replies per row after 40 to warm up, Apertium en -> es, in-process (the Flask test client), "
          f"{os.cpu_count()} cores; load average {load:.1f} before the run, {os.getloadavg()[0]:.1f} after")


def run_postgres(args: argparse.Namespace) -> None:
    with postgres("history") as url:
        from sqlalchemy import create_engine, text

        def fresh(_workdir: Path) -> str:
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            return url

        run("PostgreSQL", fresh, args, server=lambda: postgres_pids("history"))


if __name__ == "__main__":
    main()
