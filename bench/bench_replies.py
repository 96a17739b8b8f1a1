"""Benchmark: POST /api/v1/replies on the production server against a bare endpoint on the same server.

Starts, for each database (SQLite, then PostgreSQL from scripts/postgres-dev): a fresh migrated
database, a loopback Redis, an engine (the local fake DeepL server, HTTP/1.1 keep-alive like the real
one, answering at once or after ``--engine-latency`` ms; or Apertium en -> es), and `tolk serve`
(gunicorn, 2 workers). Then drives C concurrent keep-alive clients for D seconds at GET /livez (no
database, no Redis: the baseline of the same run) and at the replies API, and prints replies/s, p50/p95,
the ratio to the bare endpoint and the web workers' CPU time per reply. A second table splits the machine's
CPU per request between the web workers, the engine's processes (Apertium's pipelines, started by the
workers), the bench's own clients and the rest (the database server, the kernel, Redis): on two shared
cores, replies/s is about 2 s divided by the machine's CPU per reply, so it shows what a ratio goal asks of
each part. With an engine latency, Tolk's own time (a request's latency less the engine's wait for each of its
engine calls) is reported apart.
``--server-root`` serves another checkout (with its own .venv) under the same load, for a before/after run;
``--baseline-root`` serves this checkout and a baseline in the order this, baseline, baseline, this, and prints
each one's replies/s and CPU per reply as the mean of its two runs (the machine's speed moves from minute to minute).
Run: .venv/bin/python bench/bench_replies.py [--seconds 15] [--clients 4] [--engine deepl|apertium]
[--engine-latency 150] [--no-postgres] [--server-root ../main-copy] [--baseline-root ../baseline]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (  # noqa: E402 - bench/ on the path, also when imported
    Stack,
    children,
    cpu_seconds,
    descendants,
    machine_busy_seconds,
    postgres,
    reference_loop,
    settle,
)

# Support replies as agents write them: a greeting with the customer's name, then one sentence. Most are
# released at once; the money and personal-data sentences (2 in 10) go to native review, and two more are
# in the classifier's grey zone (the agent confirms). A suffix such as "(ref 3-4)" made every reply a
# "date" for the routing rules, so the bench measured the review path only.
SENTENCES = [
    "thank you for contacting us, we are looking into your question.",
    "your parcel left our warehouse and is on its way to you.",
    "could you send us a photo of the label on the box?",
    "we have passed your message on to our delivery partner.",
    "we have refunded the full amount to your card.",
    "the app works again after you update it to the newest version.",
    "please sign out and sign in again, then try once more.",
    "you can change your delivery address in your account settings.",
    "our team will get back to you as soon as possible.",
    "thanks for your patience while we check this with the warehouse.",
]
GREETINGS = ["Hi", "Hello", "Dear"]
NAMES = ["Anna", "Marco", "Sophie", "Lukas", "Emma", "Pablo", "Julia", "Noah", "Clara", "Jan", "Lena", "Hugo"]
LOCALES = ["de", "es", "nl", "fr", "pl", "it"]
#: Web-worker CPU per reply, issue #19's goals.
THROUGHPUT_GOAL = 2.5  # x the baseline's replies/s in the same run (issue #19)
CPU_GOAL_MS = {"SQLite": 4, "PostgreSQL": 6}


def reply_text(client: int, n: int) -> str:
    """The ``n``-th reply of a client: 180 distinct texts, each client starting at another."""
    k = client * 101 + n
    return (f"{GREETINGS[k % len(GREETINGS)]} {NAMES[(k // 3) % len(NAMES)]}, "
            f"{SENTENCES[(k * 7) % len(SENTENCES)]}")


def load(port: int, seconds: float, clients: int, make_request,
         engine_wait=None) -> tuple[list[float], list[float], int]:
    """Run ``clients`` keep-alive clients for ``seconds``; returns latencies (s), Tolk's own time of each
    request (latency less ``engine_wait(body)``, when given) and the error count."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.time() + seconds
    own: list[float] = []

    def client(index: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        mine, bad = [], 0
        while time.time() < stop:
            method, path, body, headers = make_request(index, n)
            n += 1
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status < 300
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                took = time.perf_counter() - started
                mine.append(took)
                if engine_wait:
                    own.append(took - engine_wait(body))
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, own, errors


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def run_database(name: str, url: str, args: argparse.Namespace, workdir: Path) -> list[dict]:
    seconds, clients, latency = args.seconds, args.clients, args.engine_latency / 1000
    with Stack(url, workdir, server_root=args.server_root, TOLK_WEB_WORKERS=str(args.workers),
               TOLK_WEB_THREADS=str(args.threads)) as stack:
        stack.redis()
        if args.engine == "deepl":
            stack.fake_deepl(latency)
            locales = LOCALES
        else:
            stack.env["TOLK_ENGINE_ROUTES"] = "*=apertium"
            locales = ["es"]
        stack.migrate()
        token = stack.user("bench", "--role", "agent", "--languages", "en")
        # A native reviewer of every target language, always on shift: critical replies wait in review.
        stack.user("reviewer", "--role", "reviewer", "--languages", ",".join(locales), "--shift", "00:00-24:00",
                   "--days", "mon,tue,wed,thu,fri,sat,sun")
        web, web_port = stack.serve("--workers", str(args.workers))
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def reply(i: int, n: int):
            body = {"text": reply_text(i, n), "ticket_ref": f"B-{i}-{n}",
                    "channel": "email", "customer_locale": locales[(i * 7 + n) % len(locales)]}
            return "POST", "/api/v1/replies", json.dumps(body), headers

        def bare(_i: int, _n: int):
            return "GET", "/livez", None, {}

        def engine_wait(body: bytes) -> float:
            # One engine call per reply, two when a back-translation was made for the agent.
            return latency * (2 if json.loads(body).get("back_translation") else 1)

        load(web_port, args.warmup, clients, reply)  # warm-up: detectors, engine language lists, connection pools
        workers = children(web.pid)
        # Then until the workers are idle: an older checkout loads its lemmatizers in a thread after start.
        waited = settle(workers)
        rows = []
        for label, make in (("bare GET /livez", bare), ("POST /api/v1/replies", reply)):
            speed = [reference_loop() for _ in range(3)]
            # Apertium's pipelines, by process: one a worker starts during the row (its first request came then)
            # counts from zero, start-up included, instead of landing in "rest".
            engine_before = {pid: cpu_seconds([pid]) for pid in descendants(workers)}
            cpu, machine = cpu_seconds(workers), machine_busy_seconds()
            each = [cpu_seconds([pid]) for pid in workers]
            own_cpu = time.process_time()
            latencies, own, errors = load(web_port, seconds, clients, make,
                                          engine_wait if latency and make is reply else None)
            cpu = cpu_seconds(workers) - cpu
            each = [cpu_seconds([pid]) - before for pid, before in zip(workers, each, strict=True)]
            engine_cpu = sum(cpu_seconds([pid]) - engine_before.get(pid, 0.0) for pid in descendants(workers))
            machine = machine_busy_seconds() - machine
            own_cpu = time.process_time() - own_cpu
            speed += [reference_loop() for _ in range(3)]
            per = 1000 / max(1, len(latencies))
            row = {"database": name, "endpoint": label, "requests": len(latencies), "errors": errors,
                   "rps": len(latencies) / seconds, "p50": pct(latencies, 50), "p95": pct(latencies, 95),
                   "cpu_ms": cpu * per, "engine_ms": engine_cpu * per, "clients_ms": own_cpu * per,
                   "machine_ms": machine * per, "speed_ms": 1000 * min(speed[:3]),
                   "speed_after_ms": 1000 * min(speed[3:]), "own_p95": pct(own, 95) if own else float("nan"),
                   "settled": waited, "busiest": max(each) / sum(each) if sum(each) else float("nan")}
            rows.append(row)
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of replies before the measured rows")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (TOLK_WEB_WORKERS)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (TOLK_WEB_THREADS)")
    parser.add_argument("--engine", choices=("deepl", "apertium"), default="deepl",
                        help="the fake DeepL server (six target languages) or Apertium (en -> es)")
    parser.add_argument("--engine-latency", type=float, default=0.0, help="ms the fake DeepL waits per call")
    parser.add_argument("--server-root", help="serve this checkout (its .venv) instead of this one")
    parser.add_argument("--baseline-root", help="then serve this checkout (its .venv) under the same load, and print "
                                                "the throughput of both (goal: at least 2.5x the baseline's)")
    args = parser.parse_args()
    rows = measure(args)
    if args.baseline_root:
        # This checkout, the baseline twice, this checkout again (ABBA): the machine's speed moves from minute to
        # minute, and in four runs of two servings one after the other (the same checkout both times in two of
        # them) the second read 6-20% fewer replies/s than the first. Each checkout's figure is the mean of an
        # early and a late run, so the order favours neither.
        base_args = argparse.Namespace(**{**vars(args), "server_root": args.baseline_root})
        baseline = [measure(base_args), measure(base_args)]
        compare([rows, measure(args)], baseline, args.baseline_root)


def compare(runs: list[list[dict]], baseline: list[list[dict]], baseline_root: str) -> None:
    """Both checkouts' replies/s and web-worker CPU per reply, each the mean of its two runs, against the goals."""
    print(f"\nAgainst the baseline {baseline_root}, the same run, in the order this checkout, the baseline "
          "twice, this checkout again; each figure the mean of the checkout's two runs (each run's figure after it)\n")
    print("| database | replies/s | baseline replies/s | ratio | goal (issue #19) | worker CPU ms/reply | baseline's "
          "| goal (issue #19) |")
    print("|---|---:|---:|---:|---|---:|---:|---|")

    def replies(rows_of_runs: list[list[dict]], database: str) -> list[dict]:
        return [r for rows in rows_of_runs for r in rows
                if r["database"] == database and not r["endpoint"].startswith("bare")]

    def each(rows: list[dict], key: str, spec: str) -> str:
        return " (" + ", ".join(format(r[key], spec) for r in rows) + ")"

    for database in dict.fromkeys(r["database"] for r in runs[0]):
        ours, theirs = replies(runs, database), replies(baseline, database)
        if len(ours) != 2 or len(theirs) != 2:
            continue
        rps, base_rps = (statistics.mean(r["rps"] for r in rs) for rs in (ours, theirs))
        cpu, base_cpu = (statistics.mean(r["cpu_ms"] for r in rs) for rs in (ours, theirs))
        ratio = rps / base_rps if base_rps else float("nan")
        print(f"| {database} | {rps:.0f}{each(ours, 'rps', '.0f')} | {base_rps:.0f}{each(theirs, 'rps', '.0f')} | "
              f"{ratio:.2f}x | >= {THROUGHPUT_GOAL}x: {'met' if ratio >= THROUGHPUT_GOAL else '**not met**'} | "
              f"{cpu:.2f}{each(ours, 'cpu_ms', '.2f')} | {base_cpu:.2f}{each(theirs, 'cpu_ms', '.2f')} | "
              f"<= {CPU_GOAL_MS[database]} ms: {'met' if cpu <= CPU_GOAL_MS[database] else '**not met**'} |")
    sys.stdout.flush()


def measure(args: argparse.Namespace) -> list[dict]:
    """Serve ``args.server_root`` (or this checkout) on each database, drive it, print its table; its rows."""
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="tolk-bench-"))
    rows = []
    try:
        rows += run_database("SQLite", f"sqlite:///{work / 'bench.db'}", args, work)
        if not args.no_postgres:
            with postgres("bench") as url:
                rows += run_database("PostgreSQL", url, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    engine = "Apertium en -> es" if args.engine == "apertium" else f"fake DeepL, {args.engine_latency:.0f} ms per call"
    print(f"\n{args.server_root or 'this checkout'}: {engine}; {args.clients} concurrent keep-alive clients, "
          f"{args.seconds:.0f} s per row, gunicorn {args.workers} workers x {args.threads} threads, {os.cpu_count()} "
          f"cores shared by server, engine and clients; load average {load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after\n")
    print(f"Measured once the web workers were idle after {args.warmup:g} s of replies: "
          + ", ".join(f"{r['database']} {r['settled']:.0f} s later" for r in rows if r["endpoint"].startswith("bare"))
          + "\n")
    print("| database | endpoint | requests | errors | req/s | p50 ms | p95 ms | Tolk's own p95 ms | worker CPU ms/request "
          "| ratio to bare (req/s) | goal (issue #19) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    bare = {r["database"]: r["rps"] for r in rows if r["endpoint"].startswith("bare")}
    for r in rows:
        own = "" if r["own_p95"] != r["own_p95"] else f"{r['own_p95']:.1f}"
        goal = "" if r["endpoint"].startswith("bare") else (
            f"CPU <= {CPU_GOAL_MS[r['database']]} ms" + ("; ratio >= 0.25 (Apertium, default settings)"
                                                          if args.engine == "apertium" else ""))
        print(f"| {r['database']} | {r['endpoint']} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | "
              f"{r['p50']:.1f} | {r['p95']:.1f} | {own} | {r['cpu_ms']:.2f} | {r['rps'] / bare[r['database']]:.3f} | "
              f"{goal} |")
    print_cpu_split(rows)
    sys.stdout.flush()
    return rows


def print_cpu_split(rows: list[dict]) -> None:
    """Where the machine's CPU went per request, the ratio to bare a reply would reach with a web worker that
    cost nothing (the engine, the clients and the rest as measured), and how evenly the web workers shared the
    load (a worker runs on one core at a time: 50% each is the most two of them can do)."""
    print("\nThe machine's CPU per request (all cores), by where it went; the machine's speed is the CPU time of a "
          "fixed Python loop (best of three) just before and after the row: the VM's speed moves by up to 1.7x, and "
          "every CPU figure with it\n")
    print("| database | endpoint | machine ms | web workers ms | engine processes ms | bench clients ms | rest ms "
          "| ratio to bare with web workers at 0 ms | busiest web worker's share of their CPU "
          "| machine speed before / after, ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    bare = {r["database"]: r["machine_ms"] for r in rows if r["endpoint"].startswith("bare")}
    for r in rows:
        rest = r["machine_ms"] - r["cpu_ms"] - r["engine_ms"] - r["clients_ms"]
        ceiling = "" if r["endpoint"].startswith("bare") else f"{bare[r['database']] / (r['machine_ms'] - r['cpu_ms']):.3f}"
        print(f"| {r['database']} | {r['endpoint']} | {r['machine_ms']:.2f} | {r['cpu_ms']:.2f} | {r['engine_ms']:.2f} | "
              f"{r['clients_ms']:.2f} | {rest:.2f} | {ceiling} | {100 * r['busiest']:.0f}% "
              f"| {r['speed_ms']:.1f} / {r['speed_after_ms']:.1f} |")


if __name__ == "__main__":
    main()
