"""Benchmark: memory of `tolk serve` per web worker (USS and PSS from /proc/<pid>/smaps_rollup).

For 1, 2 and 3 workers: starts `tolk serve` on a fresh SQLite database with a loopback Redis and the fake
DeepL engine, drafts replies whose language is detected (so every worker has used the detector), then
reads each process's smaps_rollup. USS is what a process alone holds (Private_Clean + Private_Dirty);
PSS shares each shared page among the processes mapping it, so PSS summed over the server is what it costs
the machine. "Added by the last worker" is the growth of that sum from one worker fewer: the goal is at
most 150 MiB. ``--no-preload`` (this checkout) and ``--server-root`` (another checkout) measure a baseline
in the same run. Run: .venv/bin/python bench/bench_web_memory.py [--workers 1,2,3] [--no-preload]
[--server-root ../main-copy]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import Stack, children  # noqa: E402

MESSAGES = ["Hola, ¿dónde está mi paquete? Lo pedí hace una semana.", "Guten Tag, mein Paket ist noch nicht da.",
            "Bonjour, je n'ai toujours pas reçu ma commande.", "Dzień dobry, moja paczka jeszcze nie dotarła."]


def rollup(pid: int) -> dict[str, float]:
    """Rss, Pss and USS of ``pid`` in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        values[key] = int(value.split()[0]) / 1024
    return {"rss": values["Rss"], "pss": values["Pss"], "uss": values["Private_Clean"] + values["Private_Dirty"]}


def measure(workers: int, args: argparse.Namespace, work: Path) -> dict:
    with Stack(f"sqlite:///{work / f'mem-{workers}.db'}", work, server_root=args.server_root) as stack:
        stack.redis()
        stack.fake_deepl()
        stack.migrate()
        token = stack.user("bench", "--role", "agent", "--languages", "en")
        web, web_port = stack.serve("--workers", str(workers), *(["--no-preload"] if args.no_preload else []))
        time.sleep(args.settle)  # start-up hooks (lemmatizers in a thread) finish in every worker
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        # Fresh connections are spread over the workers by the kernel: enough replies reach each of them.
        for n in range(workers * 12):
            conn = http.client.HTTPConnection("127.0.0.1", web_port, timeout=120)
            body = {"text": "Your parcel is on its way.", "ticket_ref": f"M-{n}", "channel": "email",
                    "customer_message": MESSAGES[n % len(MESSAGES)]}
            conn.request("POST", "/api/v1/replies", json.dumps(body), headers)
            assert conn.getresponse().status < 300
            conn.close()
        master = rollup(web.pid)
        each = [rollup(pid) for pid in children(web.pid)]
        return {"workers": workers, "master": master, "each": each,
                "pss": master["pss"] + sum(w["pss"] for w in each), "uss": master["uss"] + sum(w["uss"] for w in each)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--no-preload", action="store_true", help="each worker loads its own models")
    parser.add_argument("--server-root", help="serve this checkout (its .venv) instead of this one")
    parser.add_argument("--settle", type=float, default=20, help="seconds to wait after start-up")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tolk-bench-mem-"))
    try:
        rows = [measure(int(n), args, work) for n in args.workers.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    what = args.server_root or ("this checkout, --no-preload" if args.no_preload else "this checkout (preloaded)")
    print(f"\n{what}: MiB from /proc/<pid>/smaps_rollup; load average {os.getloadavg()[0]:.1f}\n")
    print("| workers | arbiter USS | each worker USS | each worker RSS | server PSS | added by the last worker (PSS) |")
    print("|---:|---:|---:|---:|---:|---:|")
    previous = None
    for r in rows:
        added = "" if previous is None else f"{r['pss'] - previous['pss']:.0f}"
        uss = ", ".join(f"{w['uss']:.0f}" for w in r["each"])
        rss = ", ".join(f"{w['rss']:.0f}" for w in r["each"])
        print(f"| {r['workers']} | {r['master']['uss']:.0f} | {uss} | {rss} | {r['pss']:.0f} | {added} |")
        previous = r


if __name__ == "__main__":
    main()
