"""Soak test: agents drafting and reviewers deciding at once against the production server, for a fixed time.

Starts a fresh migrated database (SQLite, or PostgreSQL from scripts/postgres-dev with --postgres), a
loopback Redis, the local fake DeepL server, `tolk serve --workers 2` and one `tolk worker`; creates
agents and reviewers with `tolk users add ... --token`; then N agent threads draft a mix of plain,
refund, dated, social and Polish replies (and confirm some of those awaiting them) while M reviewer
threads list their queue and approve or reject. At the end every reply must be in a final state
(released, approved, rejected) or waiting on someone (in_review with a pending or escalated review
item, awaiting_agent), and the replies the server accepted must all be in the database. Prints a
Markdown table. Everything listens on 127.0.0.1 only; not part of `make test`.

Run: .venv/bin/python bench/soak.py [--seconds 60] [--agents 6] [--reviewers 6] [--postgres]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import Stack, postgres  # noqa: E402 - bench/ on the path

#: (kind, text, customer locale, channel): what agents draft, in turn.
MESSAGES = [
    ("plain", "Thank you for your patience, your parcel is on its way.", "es", "email"),
    ("refund", "Your refund was processed and reaches your card within five days.", "es", "email"),
    ("dated", "Your replacement arrives on 2026-12-03 before noon.", "es", "chat"),
    ("social", "Thanks for reaching out, we sent you a private message.", "de", "social"),
    ("polish", "We have passed your message on to our delivery partner.", "pl", "email"),
    ("plain", "Please sign out and sign in again, then try once more.", "de", "chat"),
    ("refund", "We refunded the shipping costs for your order.", "de", "email"),
    ("polish", "Your refund was approved by our team today.", "pl", "email"),
]
REVIEW_LANGUAGES = ["es", "de", "pl"]
FINAL = {"released", "approved", "rejected"}


class Stats:
    """Latencies per endpoint and error counts, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self.examples: list[str] = []

    def took(self, endpoint: str, seconds: float) -> None:
        with self.lock:
            self.latency[endpoint].append(seconds)

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {detail[:200]}")

    def count(self, event: str) -> None:
        with self.lock:
            self.events[event] += 1


class Client:
    """One keep-alive HTTP connection to the server, timing each call by endpoint."""

    def __init__(self, port: int, token: str, stats: Stats, timeout: float) -> None:
        self.port, self.stats, self.timeout = port, stats, timeout
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, endpoint: str, body: dict | None = None,
             expected: tuple[int, ...] = (200, 201)) -> tuple[int, dict | None]:
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.stats.error("timeout" if isinstance(exc, TimeoutError) else "connection", f"{endpoint}: {exc!r}")
            return 0, None
        self.stats.took(endpoint, time.perf_counter() - started)
        data = json.loads(raw) if raw else None
        if response.status >= 500:
            self.stats.error("5xx", f"{endpoint} {response.status}: {raw[:200]!r}")
        elif response.status not in expected:
            self.stats.error("unexpected 4xx", f"{endpoint} {response.status}: {raw[:200]!r}")
        return response.status, data


def agent(index: int, client: Client, stats: Stats, stop: float) -> None:
    n = 0
    while time.time() < stop:
        kind, text, locale, channel = MESSAGES[(index + n) % len(MESSAGES)]
        # A unique reference keeps the translation memory from answering every repeat for free.
        body = {"text": f"{text} Reference {index}-{n}.", "ticket_ref": f"S-{index}-{n}", "channel": channel,
                "customer_locale": locale, "idempotency_key": f"soak-{index}-{n}"}
        status, reply = client.call("POST", "/api/v1/replies", "POST /api/v1/replies", body)
        n += 1
        if status != 201 or reply is None:
            continue
        stats.count("drafted")
        stats.count(f"drafted:{kind}")
        if reply["status"] == "awaiting_agent" and n % 2 == 0:
            status, _ = client.call("POST", f"/api/v1/replies/{reply['id']}/confirm", "POST /replies/<id>/confirm",
                                    expected=(200,))
            if status == 200:
                stats.count("confirmed")


def reviewer(index: int, client: Client, stats: Stats, stop: float) -> None:
    n = 0
    while time.time() < stop:
        status, queue = client.call("GET", "/api/v1/reviews?limit=20", "GET /api/v1/reviews", expected=(200,))
        items = (queue or {}).get("reviews", [])
        if not items:
            time.sleep(0.05)
            continue
        for item in items[:3]:
            n += 1
            if item["mt_text"] is None or n % 5 == 0:
                body = {"text": f"Traducción revisada {index}-{n}."}
            else:
                body = {}
            if n % 4 == 0 and item["mt_text"] is not None:
                path, endpoint, body, event = (f"/api/v1/reviews/{item['id']}/reject", "POST /reviews/<id>/reject",
                                               {"reason": "Wrong tone for this customer"}, "rejected")
            else:
                path, endpoint, event = f"/api/v1/reviews/{item['id']}/approve", "POST /reviews/<id>/approve", "approved"
            # 409: another reviewer of the language decided it first, which is the expected answer.
            status, _ = client.call("POST", path, endpoint, body, expected=(200, 409))
            stats.count(event if status == 200 else "conflict" if status == 409 else "failed decision")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def final_states(url: str) -> tuple[Counter[str], list[str], int]:
    """Replies by status, the ones not final nor waiting on someone, and the total in the database."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from workflows.models import Reply, ReviewItem, ReviewStatus

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            replies = session.scalars(select(Reply)).all()
            waiting = {i.object_id for i in session.scalars(select(ReviewItem).where(
                ReviewItem.kind == "reply", ReviewItem.spot_check.is_(False),
                ReviewItem.status.in_([ReviewStatus.PENDING, ReviewStatus.ESCALATED])))}
            states = Counter(r.status.value for r in replies)
            stuck = [f"reply {r.id} ({r.status.value})" for r in replies if r.status.value not in FINAL
                     and not (r.status.value == "awaiting_agent"
                              or (r.status.value == "in_review" and r.id in waiting))]
            return states, stuck, len(replies)
    finally:
        engine.dispose()


def soak(url: str, args: argparse.Namespace, workdir: Path) -> dict:
    log = workdir / "server.log"
    with Stack(url, workdir, TOLK_SECRET_KEY="soak-secret") as stack:
        stack.redis()
        stack.fake_deepl(routes="es=apertium,deepl;*=deepl")
        stack.migrate()
        always = ["--timezone", "UTC", "--shift", "00:00-24:00", "--days", "mon,tue,wed,thu,fri,sat,sun"]
        agents = [stack.user(f"agent{i}", "--role", "agent", "--languages", "en") for i in range(args.agents)]
        reviewers = [stack.user(f"reviewer{i}", "--role", "reviewer", "--languages",
                                REVIEW_LANGUAGES[i % len(REVIEW_LANGUAGES)], *always) for i in range(args.reviewers)]
        stack.worker(log=log)
        _web, web_port = stack.serve("--workers", "2", log=log)

        stats = Stats()
        stop = time.time() + args.seconds
        threads = [threading.Thread(target=agent, args=(i, Client(web_port, t, stats, args.timeout), stats, stop))
                   for i, t in enumerate(agents)]
        threads += [threading.Thread(target=reviewer, args=(i, Client(web_port, t, stats, args.timeout), stats, stop))
                    for i, t in enumerate(reviewers)]
        started = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        duration = time.time() - started
        states, stuck, stored = final_states(url)
        return {"duration": duration, "stats": stats, "states": states, "stuck": stuck, "stored": stored,
                "log": log.read_text(errors="replace")}


def report(name: str, args: argparse.Namespace, result: dict) -> bool:
    stats: Stats = result["stats"]
    drafted = stats.events["drafted"]
    lost = drafted - result["stored"]
    errors = sum(stats.errors.values())
    tracebacks = result["log"].count("Traceback")
    print(f"\n### Soak on {name}\n")
    print("| measure | value |\n|---|---:|")
    rows = [("duration (s)", f"{result['duration']:.0f}"), ("agents", args.agents), ("reviewers", args.reviewers),
            ("replies drafted (201)", drafted),
            *[(f"  of which {kind}", stats.events[f"drafted:{kind}"]) for kind in sorted({m[0] for m in MESSAGES})],
            ("replies confirmed by agents", stats.events["confirmed"]), ("approvals", stats.events["approved"]),
            ("rejections", stats.events["rejected"]), ("409 on a decision (another reviewer first)",
                                                      stats.events["conflict"]),
            *[(f"replies {state}", count) for state, count in sorted(result["states"].items())],
            ("replies in the database", result["stored"]), ("replies lost", lost),
            ("replies neither final nor waiting", len(result["stuck"])),
            ("errors: 5xx", stats.errors["5xx"]), ("errors: unexpected 4xx", stats.errors["unexpected 4xx"]),
            ("errors: timeouts", stats.errors["timeout"]), ("errors: connection", stats.errors["connection"]),
            ("tracebacks in the server log", tracebacks)]
    for label, value in rows:
        print(f"| {label} | {value} |")
    print("\n| endpoint | requests | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for endpoint, values in sorted(stats.latency.items()):
        print(f"| {endpoint} | {len(values)} | {pct(values, 50):.1f} | {pct(values, 95):.1f} |")
    for example in stats.examples:
        print(f"- {example}")
    raised = Counter(m.group(0)[:160] for m in re.finditer(r"(?m)^[\w.]+(?:Error|Exception): .*$", result["log"]))
    for line, count in raised.most_common(3):
        print(f"- server log, {count}x: {line}")
    for reply in result["stuck"][:10]:
        print(f"- stuck: {reply}")
    return errors == 0 and lost == 0 and not result["stuck"] and tracebacks == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--agents", type=int, default=6)
    parser.add_argument("--reviewers", type=int, default=6)
    parser.add_argument("--timeout", type=float, default=30, help="Seconds before a request counts as timed out.")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL from scripts/postgres-dev, not SQLite.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tolk-soak-"))
    try:
        if args.postgres:
            with postgres("soak") as url:
                ok = report("PostgreSQL", args, soak(url, args, work))
        else:
            ok = report("SQLite", args, soak(f"sqlite:///{work / 'soak.db'}", args, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
