"""What the benches start for real, each on 127.0.0.1: a throw-away Redis, the fake DeepL server (keep-alive,
with an optional latency), a migrated database with users, `tolk serve` and `tolk worker`; and the readings
they take of those processes (CPU time from /proc). Every process started through a :class:`Stack` is stopped
when its ``with`` block ends, the last started first."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far (clock ticks of /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def settle(pids: list[int], *, idle_share: float = 0.02, timeout: float = 300) -> float:
    """Wait until ``pids`` are idle (below ``idle_share`` of a core over a second): a server warming up
    in the background (models loaded in a thread after start) would be measured as the load's cost.
    Returns the seconds waited; raises when they are still busy after ``timeout``."""
    started = time.monotonic()
    while True:
        before = cpu_seconds(pids)
        time.sleep(1)
        if cpu_seconds(pids) - before <= idle_share:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"processes {pids} still busy after {timeout:.0f} s")


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def descendants(pids: list[int]) -> list[int]:
    """Every process below ``pids`` (a web worker's engine pipelines, for one), not ``pids`` themselves; found
    by parent id, since a process started by a request thread is not listed as the main thread's child."""
    parent_of = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent_of[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, todo = [], list(pids)
    while todo:
        below = [pid for pid, parent in parent_of.items() if parent == todo[-1]]
        todo.pop()
        found += below
        todo += below
    return found


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python loop: the machine's speed at this moment. On the shared 2-core VM it
    moves by up to 1.7x within seconds, and every CPU figure with it; a bench prints it beside its figures."""
    started, total = time.thread_time(), 0
    for i in range(100_000):
        total += i * i
    return time.thread_time() - started


def reply_app(url: str, redis_url: str, instance: Path, **settings: object) -> tuple[Any, dict[str, str]]:
    """An app (of whichever checkout is first on ``sys.path``) drafting Apertium en -> es replies in-process, with
    an agent (its bearer headers) and a Spanish reviewer on shift around the clock."""
    from tolk import create_app
    from tolk.accounts import create_user
    from tolk.auth import issue_token
    from tolk.db import db

    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(instance), "ENGINE_ROUTES": "*=apertium", "DEFAULT_GLOSSARY": "",
                      **settings})
    with app.app_context():
        agent = create_user(db.session, "bench", role="agent", languages="en")
        create_user(db.session, "reviewer", role="reviewer", languages="es", shift="00:00-24:00",
                    days="mon,tue,wed,thu,fri,sat,sun")
        db.session.flush()
        token = issue_token(db.session, agent)
        db.session.commit()
    return app, {"Authorization": f"Bearer {token}"}


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy so far, all cores, from /proc/stat (idle and iowait excluded)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Stack:
    """Processes of one bench run, sharing ``env`` (the TOLK_ settings; none inherited from the caller)."""

    def __init__(self, database_url: str, workdir: Path, *, server_root: str | None = None, **settings: str) -> None:
        self.bin = Path(server_root).resolve() / ".venv" / "bin" if server_root else BIN
        self.workdir = workdir
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("TOLK_")},
                    "TOLK_DATABASE_URL": database_url, "TOLK_INSTANCE_PATH": str(workdir / "instance"),
                    "TOLK_DEFAULT_GLOSSARY": "", **settings}
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, _type: type | None, _exc: BaseException | None, _tb: TracebackType | None) -> None:
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    def start(self, *command: str, log: Path | None = None, stdout: int | None = None, text: bool = False,
              cwd: Path | None = None) -> subprocess.Popen:
        """A process of this run; its output to ``stdout`` (a pipe), ``log``, or nowhere."""
        out = open(log, "a") if log else subprocess.DEVNULL  # noqa: SIM115 - the process owns it until it ends
        proc = subprocess.Popen(list(command), env=self.env, stdout=out if stdout is None else stdout,
                                stderr=subprocess.STDOUT if log else subprocess.DEVNULL, text=text, cwd=cwd)
        self.procs.append(proc)
        return proc

    def redis(self) -> None:
        port = free_port()
        self.start("redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                   "--dir", str(self.workdir))
        self.env["TOLK_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"

    def fake_deepl(self, latency: float = 0.0, routes: str = "*=deepl") -> None:
        """The fake DeepL server (HTTP/1.1 keep-alive, as the real one), answering after ``latency`` seconds."""
        deepl = self.start(*FAKE_DEEPL_COMMAND, "--latency", str(latency), stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert deepl.stdout is not None
        self.env.update({"TOLK_DEEPL_AUTH_KEY": FAKE_DEEPL_KEY, "TOLK_DEEPL_SERVER_URL": deepl.stdout.readline().strip(),
                         "TOLK_ENGINE_ROUTES": routes})

    def tolk(self, *args: str) -> str:
        """Run a `tolk` command to its end; its output."""
        return subprocess.run([str(self.bin / "tolk"), *args], env=self.env, check=True, capture_output=True,
                              text=True).stdout

    def migrate(self) -> None:
        self.tolk("db", "upgrade")

    def user(self, name: str, *options: str) -> str:
        """A new user's API token."""
        return self.tolk("users", "add", name, *options, "--token").strip().splitlines()[-1]

    def serve(self, *options: str, log: Path | None = None) -> tuple[subprocess.Popen, int]:
        """`tolk serve` on a free port, answering; the process and its port."""
        port = free_port()
        web = self.start(str(self.bin / "tolk"), "serve", "--port", str(port), *options, log=log)
        wait_http(port, timeout=600)
        return web, port

    def worker(self, *options: str, log: Path | None = None) -> subprocess.Popen:
        return self.start(str(self.bin / "tolk"), "worker", *options, log=log)


def _postgres_directory(name: str) -> Path:
    return ROOT / ".tmp" / f"{name}-pg-{os.getpid()}"


def postgres_pids(name: str) -> list[int]:
    """The server processes of the running ``postgres(name)``: its postmaster and every backend."""
    postmaster = int((_postgres_directory(name) / "postmaster.pid").read_text().split()[0])
    return [postmaster, *descendants([postmaster])]


@contextlib.contextmanager
def postgres(name: str) -> Iterator[str]:
    """A throw-away PostgreSQL server (scripts/postgres-dev) on a free port, for the ``with`` block; its URL."""
    # Under the project, not a private temp dir: the server runs as the postgres user.
    directory, port = _postgres_directory(name), free_port()
    url = subprocess.run([str(ROOT / "scripts" / "postgres-dev"), "start", str(directory), str(port)],
                         check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres-dev"), "stop", str(directory)], check=False)
        shutil.rmtree(directory, ignore_errors=True)


# The fake DeepL server in a process of its own (it prints its URL, then serves until killed).
FAKE_DEEPL_COMMAND = (str(BIN / "python"), str(Path(__file__).resolve()), "fake-deepl")
FAKE_DEEPL_KEY = "test-key:fx"


def serve_fake_deepl(latency: float) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakes.deepl_server import DeepLFake

    fake = DeepLFake(FAKE_DEEPL_KEY)
    fake.keep_alive, fake.latency = True, latency
    fake.start()
    print(fake.url, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":  # python bench/stack.py fake-deepl --latency SECONDS
    if sys.argv[1:2] != ["fake-deepl"]:
        raise SystemExit("usage: stack.py fake-deepl [--latency SECONDS]")
    serve_fake_deepl(float(sys.argv[3]) if sys.argv[2:3] == ["--latency"] else 0.0)
