"""`tolk worker` stopped while its Redis goes away too (a machine shutting down): every process ends, none waits
for Redis for good after its supervisor is gone."""

from __future__ import annotations

import time

import pytest
import redis

from tests.conftest import ROOT, start_redis, stop_processes
from tests.workers import child_pids, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test alone, which the test stops."""
    proc, url = start_redis(tmp_path)
    yield proc, url
    stop_processes(proc)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("stop", ["terminate", "kill"])
def test_stopping_the_worker_and_redis_together_ends_every_worker_process(app, own_redis, tmp_path, stop):
    """``terminate``: SIGTERM to the supervisor, passed on to its processes; ``kill``: the supervisor killed (as a
    bench or service manager does when it takes too long), its processes left without one."""
    redis_proc, url = own_redis
    app.config["REDIS_URL"] = url
    worker = start_worker(app, extra_env={"PYTHONPATH": str(ROOT), "TOLK_WORKER_PROCESSES": "2",
                                          "TOLK_ENGINE_ROUTES": "*=apertium", "TOLK_LANGUAGES": "en"},
                          log_path=tmp_path / "worker.log")
    try:
        ends = time.monotonic() + 60
        with redis.Redis.from_url(url) as client:
            while client.scard("rq:workers") < 2:
                assert time.monotonic() < ends, (tmp_path / "worker.log").read_text()[-2000:]
                time.sleep(0.05)
        processes = child_pids(worker.pid)
        getattr(worker, stop)()
        redis_proc.terminate()
        worker.wait(timeout=60)  # a supervisor that was not killed waits for its processes: they must end
        ends = time.monotonic() + 15
        while [pid for pid in processes if _alive(pid)]:
            assert time.monotonic() < ends, "a worker process outlived its supervisor"
            time.sleep(0.1)
    finally:
        stop_processes(worker)
