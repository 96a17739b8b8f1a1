"""`tolk worker` prepares each long-lived job process before its first job (Apertium's pipelines started), and a
start-up step that fails never keeps a worker from its queue."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from rq.job import Job, JobStatus

from tests import warmup_jobs, worker_jobs
from tests.conftest import ROOT, stop_processes
from tests.workers import child_pids, start_worker
from tolk.queue import queue
from tolk.worker_cli import _prepare_process

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
ENV = {"PYTHONPATH": str(ROOT), "TOLK_ENGINE_ROUTES": "*=apertium", "TOLK_LANGUAGES": "en,es,ca"}


def _wait(job: Job, seconds: float = 60) -> object:
    ends = time.monotonic() + seconds
    while (status := job.get_status(refresh=True)) not in (JobStatus.FINISHED, JobStatus.FAILED):
        assert time.monotonic() < ends, f"job {job.id} still {status}"
        time.sleep(0.05)
    assert status == JobStatus.FINISHED, job.exc_info
    return job.return_value(refresh=True)


def _wait_for_processes(pid: int, count: int, seconds: float = 60) -> list[int]:
    ends = time.monotonic() + seconds
    while len(found := child_pids(pid)) < count:
        assert time.monotonic() < ends, f"{len(found)} worker processes, not {count}"
        time.sleep(0.05)
    return found


def test_each_worker_process_starts_the_routed_pipelines_before_its_first_job(app):
    worker = start_worker(app, extra_env={**ENV, "TOLK_WORKER_PROCESSES": "2"})
    try:
        _wait_for_processes(worker.pid, 2)
        with app.app_context():
            answers = [_wait(queue(app).enqueue(warmup_jobs.apertium_pipelines)) for _ in range(6)]
    finally:
        stop_processes(worker)
    expected = {mode: (True, 1) for mode in ("cat-eng", "eng-cat", "eng-spa", "spa-eng")}
    assert all(a["pipelines"] == expected for a in answers), answers


def test_a_worker_whose_pipelines_cannot_start_still_runs_its_jobs(app, tmp_path):
    program = tmp_path / "program.sh"
    program.write_text("#!/bin/sh\necho broken mode >&2; exit 3\n")
    program.chmod(0o755)
    (tmp_path / "modes").mkdir()
    (tmp_path / "modes" / "eng-spa.mode").write_text(f"'{program}'\n")
    log = tmp_path / "worker.log"
    worker = start_worker(app, extra_env={**ENV, "TOLK_WORKER_PROCESSES": "1",
                                          "TOLK_APERTIUM_MODES_DIR": str(tmp_path / "modes")}, log_path=log)
    try:
        with app.app_context():
            answer = _wait(queue(app).enqueue(worker_jobs.whoami))
    finally:
        stop_processes(worker)
    assert isinstance(answer, dict) and answer["pid"] > 0
    assert "Apertium pipeline eng-spa not warmed" in log.read_text()


def test_a_start_up_step_that_raises_is_reported_and_the_next_one_still_runs(app, capsys):
    ran: list[str] = []

    def failing(_app: Flask) -> None:
        raise RuntimeError("no dictionaries")

    app.extensions["tolk.worker_process_started"] = [failing, lambda a: ran.append(a.name)]
    with app.app_context():
        _prepare_process()
    assert ran == [app.name]
    assert "start-up step failing failed (RuntimeError: no dictionaries); continuing" in capsys.readouterr().err


@pytest.mark.parametrize("app_config", [{"WORKER_FORK_PER_JOB": True}])
def test_a_worker_forking_per_job_prepares_nothing_its_jobs_would_not_inherit(app):
    ran: list[str] = []
    app.extensions["tolk.worker_process_started"] = [lambda a: ran.append(a.name)]
    with app.app_context():
        _prepare_process()
    assert ran == []
