"""`tolk worker` runs jobs in long-lived processes (no fork per job), keeps ``TOLK_WORKER_PROCESSES`` of them
running, keeps a long job's heartbeat, and gives each job a clean session."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from tests import worker_jobs
from tests.conftest import ROOT, stop_processes
from tests.workers import child_pids, start_worker, wait_for_children, wait_for_job
from tolk.queue import queue

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
JOBS_ENV = {"PYTHONPATH": str(ROOT)}


def test_jobs_run_in_the_worker_processes_which_keep_their_services(app):
    worker = start_worker(app, extra_env={**JOBS_ENV, "TOLK_WORKER_PROCESSES": "2"})
    try:
        processes = set(wait_for_children(worker.pid, 2))
        with app.app_context():
            jobs = [queue(app).enqueue(worker_jobs.whoami) for _ in range(8)]
            answers = [wait_for_job(job) for job in jobs]
    finally:
        stop_processes(worker)
    pids = {a["pid"] for a in answers}
    assert pids <= processes, (pids, processes)  # no process forked per job
    # Each process built its machinery once, for all the jobs it ran.
    for pid in pids:
        assert len({a["machinery"] for a in answers if a["pid"] == pid}) == 1, answers


def test_a_worker_process_that_dies_is_replaced_and_the_queue_still_drains(app):
    worker = start_worker(app, extra_env={**JOBS_ENV, "TOLK_WORKER_PROCESSES": "2"})
    try:
        first = wait_for_children(worker.pid, 2)
        os.kill(first[0], signal.SIGKILL)
        ends = time.monotonic() + 30
        while first[0] in child_pids(worker.pid) or len(child_pids(worker.pid)) < 2:
            assert time.monotonic() < ends, "the dead worker process was not replaced"
            time.sleep(0.1)
        with app.app_context():
            answers = [wait_for_job(queue(app).enqueue(worker_jobs.whoami)) for _ in range(3)]
        assert all(a["pid"] != first[0] for a in answers)
    finally:
        stop_processes(worker)
    assert worker.returncode == 0  # SIGTERM: the workers finished and the supervisor exited cleanly
    assert not [pid for pid in first[1:] if os.path.exists(f"/proc/{pid}")], "a worker outlived its supervisor"


def test_a_long_job_keeps_its_heartbeat_so_no_one_takes_it_for_abandoned(app):
    """With a 1 s heartbeat a job's record lasts 3 s: a job running 6 s is kept alive by the worker's heartbeat
    thread, where RQ's in-process worker would have let it expire (and another worker re-run it)."""
    worker = start_worker(app, extra_env={**JOBS_ENV, "TOLK_WORKER_PROCESSES": "1", "TOLK_WORKER_HEARTBEAT": "1"})
    try:
        with app.app_context():
            job = queue(app).enqueue(worker_jobs.sleep, 6.0)
            registry = StartedJobRegistry(queue=queue(app))
            ends = time.monotonic() + 30
            while job.get_status(refresh=True) != JobStatus.STARTED:
                assert time.monotonic() < ends, "the job never started"
                time.sleep(0.05)
            time.sleep(4.5)  # past the 3 s heartbeat: only a refreshed heartbeat keeps it
            assert job.get_status(refresh=True) == JobStatus.STARTED
            assert job.id not in registry.get_expired_job_ids(time.time()), "the job's heartbeat expired"
            assert wait_for_job(job) == 6.0
    finally:
        stop_processes(worker)


def test_a_failed_jobs_open_transaction_does_not_reach_the_next_job(app):
    worker = start_worker(app, extra_env={**JOBS_ENV, "TOLK_WORKER_PROCESSES": "1"})
    try:
        with app.app_context():
            failed = queue(app).enqueue(worker_jobs.fail_in_a_transaction, "worker-test")
            wait_for_job(failed)
            assert failed.get_status(refresh=True) == JobStatus.FAILED
            after = wait_for_job(queue(app).enqueue(worker_jobs.session_state, "worker-test"))
    finally:
        stop_processes(worker)
    assert after["rows"] == 0, after
