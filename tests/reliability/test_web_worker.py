"""`tolk serve`'s worker (``tolk.web_worker``): a new connection goes to the worker holding fewer."""

from __future__ import annotations

import http.client
import os
import selectors
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from tests.workers import wait_for_children
from tolk import web_worker
from tolk.web_worker import BalancingThreadWorker


@pytest.fixture
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    yield sock
    sock.close()


@pytest.fixture
def make_worker():
    """make_worker(listener, workers=2) -> (a worker with its poller, the connections it accepted)."""
    made: list[tuple[BalancingThreadWorker, list]] = []

    def make(listener: socket.socket, workers: int = 2) -> tuple[BalancingThreadWorker, list]:
        cfg = Config()
        cfg.set("workers", workers)
        cfg.set("threads", 4)
        worker = BalancingThreadWorker(1, os.getpid(), [listener], None, 30, cfg, Logger(cfg))
        worker.poller = selectors.DefaultSelector()
        accepted: list = []
        worker.enqueue_req = accepted.append  # the connection, not handled here
        worker.set_accept_enabled(True)
        made.append((worker, accepted))
        return worker, accepted

    yield make
    for worker, accepted in made:
        for conn in accepted:
            conn.sock.close()
        worker.poller.close()
        worker.tmp.close()


def connect(listener: socket.socket) -> socket.socket:
    client = socket.create_connection(listener.getsockname()[:2])
    time.sleep(0.02)  # in the listener's backlog
    return client


def registered(worker: BalancingThreadWorker, listener: socket.socket) -> bool:
    try:
        worker.poller.get_key(listener)
    except KeyError:
        return False
    return True


def offer(listener: socket.socket, make_worker, holding: int, workers: int = 2):
    """A worker holding ``holding`` connections, offered a new one: (worker, accepted, client, when offered)."""
    worker, accepted = make_worker(listener, workers)
    worker.nr_conns = holding
    client = connect(listener)
    offered = time.monotonic()
    worker.accept(listener)
    return worker, accepted, client, offered


def test_a_worker_with_no_connection_accepts_at_once(listener, make_worker):
    worker, accepted, client, _ = offer(listener, make_worker, holding=0)
    assert len(accepted) == 1 and worker.nr_conns == 1
    client.close()


def test_a_worker_holding_connections_steps_back_then_takes_it_if_nobody_did(listener, make_worker):
    worker, accepted, client, offered = offer(listener, make_worker, holding=3)
    assert accepted == []  # left to a sibling for 3 x 2 ms
    assert not registered(worker, listener)
    assert worker.hold_until - offered == pytest.approx(3 * web_worker.HOLD_SECONDS, abs=0.002)
    worker.set_accept_enabled(True)  # gunicorn's loop asks after every event: refused while waiting
    assert not registered(worker, listener)
    seen: list[float | None] = []

    def select(timeout: float | None = None) -> list:
        seen.append(timeout)
        return []

    worker.poller.select = select
    worker.wait_for_and_dispatch_events(1.0)
    # It wakes when the wait ends, not a second later.
    assert seen[0] is not None and 0 < seen[0] <= 3 * web_worker.HOLD_SECONDS

    time.sleep(max(0.0, worker.hold_until - time.monotonic()))
    worker.set_accept_enabled(True)
    assert registered(worker, listener)
    worker.accept(listener)  # nobody took it: this worker does
    assert len(accepted) == 1 and worker.nr_conns == 4
    client.close()


def test_a_lone_worker_never_waits_and_the_wait_is_bounded(listener, make_worker):
    lone, accepted, client, _ = offer(listener, make_worker, holding=3, workers=1)
    assert len(accepted) == 1 and lone.nr_conns == 4 and lone.hold_until == 0.0
    client.close()

    worker, accepted, client, offered = offer(listener, make_worker, holding=40)
    assert accepted == [] and worker.hold_until - offered <= web_worker.HOLD_MAX + 0.001
    client.close()


def test_a_wait_whose_connection_a_sibling_took_is_forgotten(listener, make_worker):
    worker, accepted = make_worker(listener)
    worker.nr_conns = 1
    first = connect(listener)
    worker.accept(listener)
    sibling, _ = listener.accept()  # the sibling takes it
    time.sleep(web_worker.HOLD_SECONDS + web_worker.FORGET_SECONDS + 0.01)
    worker.set_accept_enabled(True)
    later = connect(listener)
    worker.accept(listener)
    assert accepted == []  # a new connection, a new wait: not taken as the one waited for
    for sock in (first, sibling, later):
        sock.close()


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def _established_to(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    return inodes


def test_kept_alive_connections_are_spread_over_the_served_workers(served):
    url = served(workers=2, threads=4)
    port = urlsplit(url).port
    assert port is not None
    workers = wait_for_children(served.arbiter[url], 2)
    time.sleep(1)  # both workers in their loop
    conns = []
    for _ in range(8):  # opened one after the other, each answered before the next opens
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/livez")
        conn.getresponse().read()
        conns.append(conn)
    established = _established_to(port)
    held = sorted(len(_socket_inodes(pid) & established) for pid in workers)
    for conn in conns:
        conn.close()
    # gunicorn's own race gave 4-4 in about a quarter of such runs (each connection to either worker at random).
    assert held == [4, 4]
