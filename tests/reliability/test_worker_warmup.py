"""`tolk worker` prepares each long-lived job process before its first job (Apertium's pipelines started), and a
start-up step that fails never keeps a worker from its queue."""

from __future__ import annotations

import pytest
from flask import Flask

from tests import warmup_jobs, worker_jobs
from tests.conftest import ROOT, stop_processes
from tests.workers import start_worker, wait_for_children, wait_for_job
from tolk.queue import queue
from tolk.worker_cli import _prepare_process

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
ENV = {"PYTHONPATH": str(ROOT), "TOLK_ENGINE_ROUTES": "*=apertium", "TOLK_LANGUAGES": "en,es,ca"}


def test_each_worker_process_starts_the_routed_pipelines_before_its_first_job(app):
    worker = start_worker(app, extra_env={**ENV, "TOLK_WORKER_PROCESSES": "2"})
    try:
        wait_for_children(worker.pid, 2)
        with app.app_context():
            answers = [wait_for_job(queue(app).enqueue(warmup_jobs.apertium_pipelines), must_finish=True)
                       for _ in range(6)]
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
            answer = wait_for_job(queue(app).enqueue(worker_jobs.whoami), must_finish=True)
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
