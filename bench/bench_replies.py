"""Benchmark: POST /api/v1/replies on the production server against a bare endpoint on the same server.

Starts, for each database (SQLite, then PostgreSQL from scripts/postgres-dev): a fresh migrated
database, a loopback Redis, the local fake DeepL server as a zero-latency engine, and `tolk serve`
(gunicorn, 2 workers). Then drives C concurrent keep-alive clients for D seconds at the replies API
and at GET /livez (no database, no Redis) and prints replies/s, p50/p95 and the ratio to the bare
endpoint. Run: .venv/bin/python bench/bench_replies.py [--seconds 15] [--clients 8] [--no-postgres]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"

SENTENCES = [
    "Thank you for contacting us, we are looking into your question.",
    "Your parcel left our warehouse and is on its way to you.",
    "Could you send us a photo of the label on the box?",
    "We have passed your message on to our delivery partner.",
    "The app works again after you update it to the newest version.",
    "Please sign out and sign in again, then try once more.",
    "Our team will get back to you as soon as possible.",
    "Thanks for your patience while we check this with the warehouse.",
]
LOCALES = ["de", "es", "nl", "fr", "pl", "it"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str = "/livez", timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def load(port: int, seconds: float, clients: int, make_request) -> tuple[list[float], int]:
    """Run ``clients`` keep-alive clients for ``seconds``; returns latencies (s) and error count."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.time() + seconds

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
                response.read()
                ok = response.status < 300
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
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
    return latencies, errors


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def run_database(name: str, url: str, seconds: float, clients: int, workdir: Path, threads: int) -> list[dict]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TOLK_")}, "TOLK_DATABASE_URL": url,
           "TOLK_INSTANCE_PATH": str(workdir / "instance")}
    redis_port, web_port = free_port(), free_port()
    procs = []
    try:
        procs.append(subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL))
        fake = (f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); from tests.fakes.deepl_server import DeepLFake; "
                "f = DeepLFake().start(); print(f.url, flush=True)\nwhile True: time.sleep(3600)")
        deepl = subprocess.Popen([str(BIN / "python"), "-c", fake], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        procs.append(deepl)
        deepl_url = deepl.stdout.readline().strip()
        env.update({"TOLK_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "TOLK_DEEPL_AUTH_KEY": "test-key:fx",
                    "TOLK_DEEPL_SERVER_URL": deepl_url, "TOLK_ENGINE_ROUTES": "*=deepl", "TOLK_WEB_WORKERS": "2",
                    "TOLK_WEB_THREADS": str(threads),
                    "TOLK_DEFAULT_GLOSSARY": ""})
        subprocess.run([str(BIN / "tolk"), "db", "upgrade"], env=env, check=True, capture_output=True)
        out = subprocess.run([str(BIN / "tolk"), "users", "add", "bench", "--role", "agent", "--languages", "en",
                              "--token"], env=env, check=True, capture_output=True, text=True).stdout
        token = out.strip().splitlines()[-1]
        web = subprocess.Popen([str(BIN / "tolk"), "serve", "--port", str(web_port), "--workers", "2"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(web)
        wait_http(web_port)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def reply(i: int, n: int):
            body = {"text": f"{SENTENCES[(i + n) % len(SENTENCES)]} (ref {i}-{n})", "ticket_ref": f"B-{i}-{n}",
                    "channel": "email", "customer_locale": LOCALES[(i * 7 + n) % len(LOCALES)]}
            return "POST", "/api/v1/replies", json.dumps(body), headers

        def bare(_i: int, _n: int):
            return "GET", "/livez", None, {}

        load(web_port, 3, clients, reply)  # warm-up: detectors, engine language lists, connection pools
        rows = []
        for label, make in (("bare GET /livez", bare), ("POST /api/v1/replies", reply)):
            latencies, errors = load(web_port, seconds, clients, make)
            rows.append({"database": name, "endpoint": label, "requests": len(latencies), "errors": errors,
                         "rps": len(latencies) / seconds, "p50": pct(latencies, 50), "p95": pct(latencies, 95)})
        return rows
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (TOLK_WEB_THREADS)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tolk-bench-"))
    rows = []
    try:
        rows += run_database("SQLite", f"sqlite:///{work / 'bench.db'}", args.seconds, args.clients, work,
                             args.threads)
        if not args.no_postgres:
            # Under the project, not the private temp dir: the server runs as the postgres user.
            pg_dir, port = ROOT / ".tmp" / f"bench-pg-{os.getpid()}", free_port()
            url = subprocess.run([str(ROOT / "scripts" / "postgres-dev"), "start", str(pg_dir), str(port)],
                                 check=True, capture_output=True, text=True).stdout.strip()
            try:
                rows += run_database("PostgreSQL", url, args.seconds, args.clients, work, args.threads)
            finally:
                subprocess.run([str(ROOT / "scripts" / "postgres-dev"), "stop", str(pg_dir)], check=False)
                shutil.rmtree(pg_dir, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.clients} concurrent clients, {args.seconds:.0f} s per row, gunicorn 2 workers x {args.threads} threads, "
          f"{os.cpu_count()} cores shared by server, fake engine and clients\n")
    print("| database | endpoint | requests | errors | req/s | p50 ms | p95 ms | ratio to bare (req/s) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    bare = {r["database"]: r["rps"] for r in rows if r["endpoint"].startswith("bare")}
    for r in rows:
        print(f"| {r['database']} | {r['endpoint']} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | "
              f"{r['p50']:.1f} | {r['p95']:.1f} | {r['rps'] / bare[r['database']]:.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
