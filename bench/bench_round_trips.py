"""Benchmark: what one released reply costs the database, counted (issue #19, item 1).

For SQLite and a throw-away PostgreSQL server (scripts/postgres-dev), a migrated database, an agent with a
token and Apertium en -> es; ``POST /api/v1/replies`` through the app in this process, after a warm-up. Per
reply it counts the SQL statements and pool checkouts (SQLAlchemy events), the flushes, the writes of machine
output to the translation memory, and on PostgreSQL the round trips on the wire (libpq's protocol trace, one
``ReadyForQuery`` per round trip). The baseline of the same run is the same reply with the deferred
bookkeeping rows sent one by one instead of pipelined with the COMMIT (what Tolk did before). Replies that
were queued for review or a spot check are left out: they write their review item too.
Goals: at most 5 round trips on PostgreSQL, one flush, no TM write.
Run: .venv/bin/python bench/bench_round_trips.py [--replies 20] [--no-postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stack import BIN, postgres  # noqa: E402

SENTENCES = ["Your parcel left our warehouse and is on its way to you.",
             "Please sign out and sign in again, then try once more.",
             "We have passed your message on to our delivery partner.",
             "The app works again after you update it to the newest version."]


@contextlib.contextmanager
def counting(engine: Any, session_class: Any, trace_file: Path | None) -> Iterator[dict[str, int]]:
    from sqlalchemy import event

    counts = {"statements": 0, "checkouts": 0, "flushes": 0, "tm_writes": 0}

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        counts["statements"] += 1
        counts["tm_writes"] += "INSERT INTO tm_segments" in sql

    def checkout(dbapi_connection: Any, *_args: Any) -> None:
        counts["checkouts"] += 1
        if trace_file is not None:
            dbapi_connection.pgconn.trace(trace.fileno())

    def checkin(dbapi_connection: Any, *_args: Any) -> None:
        if trace_file is not None:
            dbapi_connection.pgconn.untrace()

    def flush(*_args: Any) -> None:
        counts["flushes"] += 1

    with open(trace_file or os.devnull, "w") as trace:
        hooks = [(engine, "before_cursor_execute", statement), (engine, "checkout", checkout),
                 (engine, "checkin", checkin), (session_class, "after_flush", flush)]
        for target, name, fn in hooks:
            event.listen(target, name, fn)
        try:
            yield counts
        finally:
            for target, name, fn in hooks:
                event.remove(target, name, fn)


def measure(url: str, work: Path, replies: int, pipelined: bool) -> dict[str, float]:
    import subprocess

    from sqlalchemy.orm import Session

    from tolk import create_app
    from tolk.auth import issue_token
    from tolk.db import db
    from tolk.models import User

    env = {**os.environ, "TOLK_DATABASE_URL": url, "TOLK_INSTANCE_PATH": str(work / "instance")}
    subprocess.run([str(BIN / "tolk"), "db", "upgrade"], env=env, check=True, capture_output=True)
    app = create_app({"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:1/0", "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(work / "instance"), "ENGINE_ROUTES": "*=apertium"})
    with app.app_context():
        agent = User(name="bench", role="agent", languages="en")
        db.session.add(agent)
        db.session.flush()
        headers = {"Authorization": f"Bearer {issue_token(db.session, agent)}"}
        db.session.commit()
        engine = db.engine
    client = app.test_client()
    # No random spot check: a released reply writes only its own rows. (The module: the package's `drafting` is
    # a function of the same name.)
    importlib.import_module("workflows.replies.drafting").sampled = lambda _rate: False

    def post(n: int) -> bool:
        body = {"text": f"{SENTENCES[n % len(SENTENCES)]} (ref {n})", "ticket_ref": f"R-{n}", "channel": "email",
                "customer_locale": "es"}
        answer = client.post("/api/v1/replies", json=body, headers=headers)
        assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
        return answer.get_json()["status"] == "released"

    for n in range(10):  # warm-up: the token, the default glossary, the pipeline, the pool
        post(n)
    trace_file = work / "libpq.trace" if url.startswith("postgresql") else None
    released = 0
    totals = {"statements": 0, "checkouts": 0, "flushes": 0, "tm_writes": 0, "round_trips": 0}
    with unpipelined(not pipelined):
        for n in range(100, 100 + replies):
            with counting(engine, Session, trace_file) as counts:
                ok = post(n)
            if not ok:
                continue
            released += 1
            for key, value in counts.items():
                totals[key] += value
            if trace_file is not None:
                totals["round_trips"] += trace_file.read_text().count("ReadyForQuery")
    engine.dispose()
    return {key: value / max(released, 1) for key, value in totals.items()} | {"released": released}


@contextlib.contextmanager
def unpipelined(active: bool) -> Iterator[None]:
    """Deferred rows one by one before the COMMIT, as on a driver without pipelines (the baseline)."""
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    if not active:
        yield
        return
    saved = PGDialect_psycopg.driver
    PGDialect_psycopg.driver = "psycopg-unpipelined"
    try:
        yield
    finally:
        PGDialect_psycopg.driver = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="tolk-bench-trips-") as tmp:
        work = Path(tmp)
        rows.append(("SQLite", "as shipped", measure(f"sqlite:///{work / 'a.db'}", work / "a", args.replies, True)))
        if not args.no_postgres:
            with postgres("trips") as url:
                rows.append(("PostgreSQL", "as shipped", measure(url, work / "b", args.replies, True)))
            with postgres("trips-base") as url:
                rows.append(("PostgreSQL", "baseline: bookkeeping rows one by one",
                             measure(url, work / "c", args.replies, False)))
    print(f"\nOne released reply (Apertium en -> es), mean of the released ones among {args.replies}\n")
    print("| database | path | released | round trips on the wire | statements | checkouts | flushes "
          "| TM writes | goal |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name, path, f in rows:
        wire = f"{f['round_trips']:.1f}" if name == "PostgreSQL" else ""
        goal = "<= 5 round trips, 1 flush, 0 TM writes" if name == "PostgreSQL" else "1 flush, 0 TM writes"
        print(f"| {name} | {path} | {f['released']:.0f} | {wire} | {f['statements']:.1f} | {f['checkouts']:.1f} "
              f"| {f['flushes']:.1f} | {f['tm_writes']:.1f} | {goal} |")


if __name__ == "__main__":
    main()
