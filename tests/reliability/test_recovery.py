"""Recovery in under a minute, with real processes: a worker killed mid-job (SIGKILL, with its work horse)
has its job picked up by the surviving worker, and the scheduler of a worker survives a Redis restart, so
a webhook retry due later is still sent. Each test takes up to about a minute and a half."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest
import redis
from sqlalchemy import select

from tests.conftest import free_port, stop_processes
from tests.factories import make_article, make_reply, translate_article
from tests.workers import child_pids, job_row, start_worker
from tolk.db import db
from workflows import kb
from workflows.models import WebhookDelivery

RECOVERY_SECONDS = 60
pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture
def app_config(helpdesk):
    return {"WEBHOOK_URLS": [helpdesk.url], "DEFAULT_GLOSSARY": ""}


def _kill(worker: subprocess.Popen) -> None:
    for pid in [*child_pids(worker.pid), worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)


def test_a_killed_workers_job_is_picked_up_again_within_a_minute(app, client, editor):
    sentences = [f"Step {i}: open the settings page and check that option {i} is switched on." for i in range(100)]
    make_article(client, editor, body="".join(f"<p>{s}</p>" for s in sentences))
    [job] = translate_article(client, editor)
    slow = {kb.BATCH_PAUSE_ENV: "0.4"}
    doomed = start_worker(app, extra_env=slow)
    survivor = None
    try:
        ends = time.monotonic() + 60
        while job_row(app, job["id"]).done < 21:
            assert doomed.poll() is None and time.monotonic() < ends, "the job never got under way"
            time.sleep(0.05)
        # A second worker is running (or the supervisor restarted one) when the first machine dies.
        survivor = start_worker(app, extra_env=slow)
        _kill(doomed)
        killed_at = time.monotonic()
        while (row := job_row(app, job["id"])).status != "done":
            waited = time.monotonic() - killed_at
            assert waited < RECOVERY_SECONDS + 30, f"job still {row.status} {waited:.0f} s after the kill"
            if row.attempts >= 2 and row.status == "running":
                break
            time.sleep(0.2)
        picked_up = time.monotonic() - killed_at
    finally:
        stop_processes(*(w for w in (doomed, survivor) if w is not None), timeout=20)
    assert picked_up < RECOVERY_SECONDS, f"picked up again after {picked_up:.0f} s"
    print(f"\nrecovery: a killed worker's job was picked up again {picked_up:.0f} s after the kill")


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own (it is restarted), persisting to an append-only file like `make run`'s."""
    port = free_port()
    workdir = tmp_path / "redis"
    workdir.mkdir()

    def start() -> subprocess.Popen:
        proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port",
                                 str(port), "--appendonly", "yes", "--dir", str(workdir)], stdout=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert proc.poll() is None, "redis-server did not start"
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer within 10 s")
        client.close()
        return proc

    procs = [start()]
    yield f"redis://127.0.0.1:{port}/0", lambda: procs.append(start()), procs
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_for_scheduler(url: str, queue_name: str, worker: subprocess.Popen) -> None:
    """Until the worker has registered and its scheduler holds the queue's lock (start-up takes seconds)."""
    conn = redis.Redis.from_url(url)
    ends = time.monotonic() + 60
    try:
        while not conn.exists(f"rq:scheduler-lock:{queue_name}"):
            assert worker.poll() is None and time.monotonic() < ends, "the worker's scheduler never started"
            time.sleep(0.2)
    finally:
        conn.close()


def test_the_scheduler_survives_a_redis_restart_and_sends_a_due_webhook_retry(app, client, make_user, helpdesk,
                                                                            own_redis, tmp_path):
    url, restart, procs = own_redis
    app.extensions.pop("tolk.redis", None)
    app.config["REDIS_URL"] = url
    worker = start_worker(app, log_path=tmp_path / "worker.log")
    try:
        _wait_for_scheduler(url, app.config["QUEUE_NAME"], worker)
        procs[-1].terminate()
        procs[-1].wait(timeout=10)
        time.sleep(3)  # the scheduler process dies on the lost connection
        restart()
        app.extensions.pop("tolk.redis", None)
        # The helpdesk is down for the first attempt: RQ schedules the retry 10 s later (DEFAULT_RETRY).
        helpdesk.status = 503
        agent = make_user("agent", languages="en")[1]
        response = make_reply(client, agent, "Your parcel is on its way.", customer_locale="en")
        assert response.status_code == 201
        restarted_at = time.monotonic()
        ends = restarted_at + 30
        while len(helpdesk.received) < 1:
            assert time.monotonic() < ends, "the first delivery never happened:\n" + \
                "\n".join(x for x in (tmp_path / "worker.log").read_text().splitlines() if x[:2].isdigit())[-3000:]
            time.sleep(0.2)
        helpdesk.status = 204
        while True:
            with app.app_context():
                row = db.session.scalar(select(WebhookDelivery))
                status = row.status
            if status == "delivered":
                break
            waited = time.monotonic() - restarted_at
            assert waited < RECOVERY_SECONDS + 30, f"the retry was not sent {waited:.0f} s after Redis came back"
            time.sleep(0.5)
        delivered = time.monotonic() - restarted_at
    finally:
        stop_processes(worker, timeout=20)
    assert delivered < RECOVERY_SECONDS and len(helpdesk.received) == 2
    print(f"\nrecovery: after a Redis restart the webhook retry due in 10 s was delivered {delivered:.0f} s later")
