"""Benchmark: KB translation jobs through real `tolk worker` processes, Apertium en -> es and en -> ca.

For each worker mode, on a fresh SQLite database and loopback Redis: `tolk worker` is started and, once its
processes are registered, three runs are timed from the commit of the jobs to the last job done:
1. a 200-segment article into 2 locales with a worker that has run nothing yet (Apertium's pipelines start);
2. another 200-segment article into the same 2 locales (the worker has run jobs before);
3. article 2 again, unchanged (every segment comes from the translation memory).
The modes: the baseline, RQ's forking worker (``TOLK_WORKER_FORK_PER_JOB=1``, one process: what Tolk ran
before), and the default (jobs in long-lived processes, ``TOLK_WORKER_PROCESSES=2``). Goals (issue #19):
the unchanged re-run under 0.3 s, 200 segments into 2 locales under 2 s.
Run: .venv/bin/python bench/bench_kb_jobs.py [--segments 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_kb_cost import article_html, kb_sentences  # noqa: E402
from stack import Stack, children  # noqa: E402

LOCALES = ["es", "ca"]
MODES = [("forking worker, 1 process (baseline)", {"TOLK_WORKER_FORK_PER_JOB": "1", "TOLK_WORKER_PROCESSES": "1"}),
         ("long-lived workers, 2 processes (default)", {})]


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and all its descendants (the worker processes, their Apertium
    pipelines), reaped children included."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            pending.extend(children(current))
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def timed_translation(app, slug: str, worker_pid: int, timeout: float = 300) -> tuple[float, float]:
    """Queue the article's locales and wait for every job; seconds from the commit to the last job done, and the
    CPU seconds the worker's processes spent meanwhile."""
    from sqlalchemy import select

    from tolk.db import db
    from workflows import kb
    from workflows.models import JobStatus, TranslationJob

    with app.app_context():
        article = kb.get_article(db.session, slug)
        cpu = tree_cpu(worker_pid)
        jobs = [job.id for job in kb.start_translation(db.session, article, LOCALES, "bench")]
        db.session.close()
        # Polled with one light query on a connection of its own: the ORM's polling (a session expired and two
        # objects loaded every 5 ms) took CPU from the two workers on a 2-core machine.
        statuses = select(TranslationJob.status).where(TranslationJob.id.in_(jobs))
        started = time.perf_counter()
        ends = time.monotonic() + timeout
        with db.engine.connect() as connection:
            while True:
                states = list(connection.scalars(statuses))
                connection.rollback()  # a fresh snapshot each time
                if len(states) == len(jobs) and all(s in (JobStatus.DONE, JobStatus.FAILED) for s in states):
                    assert all(s == JobStatus.DONE for s in states), states
                    return time.perf_counter() - started, tree_cpu(worker_pid) - cpu
                if time.monotonic() > ends:
                    raise RuntimeError(f"jobs still {states} after {timeout} s")
                time.sleep(0.005)


def run_mode(settings: dict[str, str], args: argparse.Namespace, work: Path
             ) -> dict[str, list[tuple[float, float]]]:
    from redis import Redis

    from tolk import create_app
    from tolk.db import db
    from workflows import kb

    figures: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "unchanged": []}
    for attempt in range(args.repeat):
        folder = work / f"{len(os.listdir(work))}"
        folder.mkdir()
        with Stack(f"sqlite:///{folder / 'kb.db'}", folder, TOLK_ENGINE_ROUTES="*=apertium", **settings) as stack:
            stack.redis()
            stack.migrate()
            app = create_app({"DATABASE_URL": stack.env["TOLK_DATABASE_URL"], "REDIS_URL": stack.env["TOLK_REDIS_URL"],
                              "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                              "ENGINE_ROUTES": "*=apertium", "DEFAULT_GLOSSARY": ""})
            with app.app_context():
                for n, slug in enumerate(("first", "second")):
                    sentences = kb_sentences(args.segments, seed=11 + n + 100 * attempt)
                    kb.create_article(db.session, slug=slug, title=f"Orders and devices {n}",
                                      body_html=kb.sanitize(article_html(sentences)), source_locale="en",
                                      critical=False, target_locales=LOCALES, author="bench")
                db.session.commit()
            worker = stack.worker(log=folder / "worker.log")
            wanted = int(settings.get("TOLK_WORKER_PROCESSES", "2"))
            redis = Redis.from_url(stack.env["TOLK_REDIS_URL"])
            ends = time.monotonic() + 120
            while redis.scard("rq:workers") < wanted:
                if worker.poll() is not None or time.monotonic() > ends:
                    raise RuntimeError(f"the worker did not start: {(folder / 'worker.log').read_text()[-2000:]}")
                time.sleep(0.05)
            figures["cold"].append(timed_translation(app, "first", worker.pid))
            figures["warm"].append(timed_translation(app, "second", worker.pid))
            figures["unchanged"].append(timed_translation(app, "second", worker.pid))
            app.extensions["tolk.db"][0].dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="fresh runs of each mode (the median is shown)")
    parser.add_argument("--default-only", action="store_true", help="skip the forking baseline (quicker)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory(prefix="tolk-bench-kb-") as tmp:
        for label, settings in MODES[1:] if args.default_only else MODES:
            results.append((label, run_mode(settings, args, Path(tmp))))
    print(f"\nKB jobs, {args.segments} segments + title into {', '.join(LOCALES)} with Apertium; median of "
          f"{args.repeat} fresh runs; {os.cpu_count()} cores; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after\n")
    goals = {"cold": "", "warm": "< 2 s", "unchanged": "< 0.3 s"}
    rows = {"cold": "new article, 2 locales, first jobs of the worker", "warm": "new article, 2 locales",
            "unchanged": "same article again, unchanged"}
    print("Wall time, then the CPU time of the worker's processes (Python and Apertium) in the same runs.\n")
    print("| run | " + " | ".join(f"{label} | CPU" for label, _ in results) + " | goal |")
    print("|---|" + "---:|---:|" * len(results) + "---|")
    for key, title in rows.items():
        # A forked job's Apertium pipelines outlive it, orphaned: their CPU leaves the worker's process tree, so
        # the forking baseline has no CPU figure.
        cells = [f"{statistics.median(w for w, _ in figures[key]):.2f} s | "
                 + ("n/a" if label == MODES[0][0] else f"{statistics.median(c for _, c in figures[key]):.2f} s")
                 for label, figures in results]
        print(f"| {title} | " + " | ".join(cells) + f" | {goals[key]} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
