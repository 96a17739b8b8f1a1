"""Benchmark: the instructions a drafted reply costs, counted by valgrind (issue #19: the reply path's CPU).

CPU time on this kind of virtual machine moves by up to 1.7x from one hour to the next (docs/performance.md),
which hides a change of 10% in the reply path. Instructions do not move: valgrind's callgrind counts the same
total for the same code, input and hash seed, whatever else the machine does. Each checkout drafts the replies
bench's texts in-process (the Flask test client; SQLite, a real Redis, Apertium en -> es; about 2 in 10 held
for a Spanish reviewer on shift) under callgrind twice: 40 replies to warm up, then 40 + ``--replies``; the
difference divided by ``--replies`` is a reply's instructions. Apertium's and Redis's own processes are not
counted (the replies bench reports them apart). After the warm-up the collector is told to leave what is loaded
alone (``gc.freeze()``, as `tolk serve` does once it has preloaded its models), as in a served worker.

The count is exact, not free of chance: a change that made fewer Python calls (cProfile) once added 3%, all of
it in dictionary lookups and CPython's type attribute cache misses. Trust a difference of a few percent only when
the code's calls agree.

Run: .venv/bin/python bench/bench_reply_instructions.py [--replies 200] [--baseline-root .tmp/bench-baseline]
(about 3 minutes per checkout; needs valgrind).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import FAKE_DEEPL_COMMAND, FAKE_DEEPL_KEY, free_port  # noqa: E402 - bench/ on the path

HERE = Path(__file__).resolve().parent
WARM_UP = 40


def child(root: Path, replies: int, url: str, redis_url: str, workdir: Path, deepl_url: str | None) -> None:
    """Draft ``WARM_UP + replies`` replies with ``root``'s code (run by ``root``'s Python under callgrind)."""
    sys.path[:0] = [str(root), str(HERE)]
    import random

    from bench_replies import reply_text
    from stack import reply_app

    # The same spot checks drawn in every run, and no cache expiring at a point that depends on valgrind's speed
    # (a process refreshes them every few seconds: once in about a thousand replies at the bench's rate).
    random.seed(0)
    engine = {"ENGINE_ROUTES": "*=deepl", "DEEPL_AUTH_KEY": FAKE_DEEPL_KEY, "DEEPL_SERVER_URL": deepl_url} if deepl_url else {}
    app, headers = reply_app(url, redis_url, workdir / "instance", CACHE_SECONDS=3600.0, TOKEN_CACHE_SECONDS=3600.0,
                             **engine)
    client = app.test_client()
    for n in range(WARM_UP + replies):
        if n == WARM_UP:
            # As `tolk serve` does once its app and models are loaded (tolk.cli.preload_models): the collector
            # leaves what is loaded by now alone. Otherwise a full collection walking the models' millions of
            # objects, which falls in one run and not in another, moved a reply's count by several percent.
            gc.freeze()
        body = {"text": reply_text(0, n), "ticket_ref": f"B-{n}", "channel": "email", "customer_locale": "es"}
        response = client.post("/api/v1/replies", json=body, headers=headers)
        if response.status_code not in (200, 201):
            raise SystemExit(response.get_data(as_text=True)[:300])
    app.extensions["tolk.machinery"].close()


def instructions(root: Path, replies: int, engine: str) -> int:
    """Instructions callgrind counts for a fresh process of ``root`` drafting ``WARM_UP + replies`` replies."""
    workdir = Path(tempfile.mkdtemp(prefix="tolk-instructions-"))
    redis = deepl = None
    try:
        deepl_args: list[str] = []
        if engine == "deepl":  # in a process of its own: callgrind counts the reply's side of each call only
            deepl = subprocess.Popen([*FAKE_DEEPL_COMMAND], stdout=subprocess.PIPE, text=True)
            assert deepl.stdout is not None
            deepl_args = ["--deepl-url", deepl.stdout.readline().strip()]
        port = free_port()
        redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                  "--appendonly", "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL)
        url = f"sqlite:///{workdir / 'bench.db'}"
        python = root / ".venv" / "bin" / "python"
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("TOLK_")}, "PYTHONHASHSEED": "0",
               "TOLK_DATABASE_URL": url, "TOLK_INSTANCE_PATH": str(workdir / "instance")}
        subprocess.run([str(root / ".venv" / "bin" / "tolk"), "db", "upgrade"], env=env, check=True,
                       capture_output=True, cwd=root)
        out = workdir / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(python), __file__,
                        "--child", str(root), "--replies", str(replies), "--url", url,
                        "--redis-url", f"redis://127.0.0.1:{port}/0", "--workdir", str(workdir), *deepl_args],
                       env=env, check=True, capture_output=True, cwd=root)
        found = re.search(r"^summary: (\d+)", out.read_text(), re.MULTILINE)
        if found is None:
            raise RuntimeError(f"no summary in {out}")
        return int(found.group(1))
    finally:
        for process in (redis, deepl):
            if process is not None:
                process.terminate()
                process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def per_reply(root: Path, replies: int, engine: str) -> float:
    """Instructions of one reply: the two runs side by side (one per core), the difference per reply."""
    with ThreadPoolExecutor(2) as pool:
        warm, full = pool.map(lambda n: instructions(root, n, engine), (0, replies))
    return (full - warm) / replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replies", type=int, default=200, help="replies counted after the warm-up")
    parser.add_argument("--baseline-root", help="a checkout (with its .venv) counted the same way")
    parser.add_argument("--engine", choices=("apertium", "deepl"), default="apertium",
                        help="Apertium en -> es, or the fake DeepL server (keep-alive, answering at once)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--deepl-url", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--redis-url", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.replies, args.url, args.redis_url, Path(args.workdir), args.deepl_url)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    rows = [("this checkout", per_reply(HERE.parent, args.replies, args.engine))]
    if args.baseline_root:
        rows.append((f"baseline {args.baseline_root}",
                     per_reply(Path(args.baseline_root).resolve(), args.replies, args.engine)))
    print("| checkout | instructions per reply (millions) | against the first row |")
    print("|---|---:|---:|")
    for name, count in rows:
        print(f"| {name} | {count / 1e6:.2f} | {count / rows[0][1]:.2f}x |")
    engine = "Apertium en -> es" if args.engine == "apertium" else "the fake DeepL (its own process, not counted)"
    print(f"\n{args.replies} replies counted after {WARM_UP} to warm up, in-process, SQLite, {engine}, a real "
          "Redis; valgrind callgrind, PYTHONHASHSEED=0")


if __name__ == "__main__":
    main()
