"""KB translation jobs under failure: engines that keep failing, and a worker killed in the middle of a job."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rq import Retry
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from machinery.models import EngineCall, TmSegment
from tests.conftest import run_jobs
from tests.factories import locale_state, make_article, published_events, translate_article
from tests.workers import child_pids, job_row, start_worker
from tolk.db import db
from tolk.queue import queue
from workflows.kb import jobs as kb_jobs


@pytest.fixture
def app_config(request, helpdesk):
    config = {"WEBHOOK_URLS": [helpdesk.url]}
    if getattr(request, "param", None) == "deepl_only":
        # The engine fails on purpose until the test says it is back: no cool-down before the next probe.
        config |= {**request.getfixturevalue("deepl_settings"), "ENGINE_ROUTES": "es=deepl",
                   "ENGINE_CIRCUIT_COOLDOWN": 0}
    return config


@pytest.fixture
def immediate_retries(monkeypatch):
    """Retries without the production back-off intervals, so a test need not wait minutes."""
    monkeypatch.setattr(kb_jobs, "TRANSLATION_RETRY", Retry(max=1))


@pytest.mark.parametrize("app_config", ["deepl_only"], indirect=True)
def test_engine_errors_are_retried_then_the_job_and_locale_are_marked_failed(app, client, editor, deepl_fake,
                                                                              immediate_retries):
    deepl_fake.fail_next(503, times=1000, path="/v2/translate")
    make_article(client, editor, publishing_policy="auto")
    [job] = translate_article(client, editor)
    run_jobs(app)

    shown = client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json
    assert shown["status"] == "failed"
    assert shown["attempts"] == 2  # the first run and one retry
    assert "every engine failed for en -> es" in shown["error"]
    es = locale_state(client, editor)
    assert es["state"] == "failed" and es["job"]["error"] == shown["error"]
    assert client.get("/kb/es/shipping").status_code == 404

    # Once the engine is back, translating again recovers the locale.
    deepl_fake.reset()
    translate_article(client, editor)
    run_jobs(app)
    assert locale_state(client, editor)["state"] == "published"


@pytest.mark.parametrize("app_config", ["deepl_only"], indirect=True)
def test_a_retry_that_succeeds_clears_the_error(app, client, editor, deepl_fake, immediate_retries):
    deepl_fake.fail_next(503, times=3, path="/v2/translate")  # every retry of the router, on the first run
    make_article(client, editor, publishing_policy="auto")
    [job] = translate_article(client, editor)
    run_jobs(app)
    shown = client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json
    assert (shown["status"], shown["attempts"], shown["error"]) == ("done", 2, None)
    assert locale_state(client, editor)["state"] == "published"


def test_a_worker_killed_mid_job_is_retried_and_publishes_exactly_once(app, client, editor, helpdesk,
                                                                       immediate_retries):
    sentences = [f"Step {i}: open the settings page and check that option {i} is switched on." for i in range(100)]
    make_article(client, editor, publishing_policy="auto", body="".join(f"<p>{s}</p>" for s in sentences))
    [job] = translate_article(client, editor)

    # One worker process: an idle sibling killed while blocked on the queue can still be handed the re-queued
    # job by Redis, which parks it in RQ's intermediate queue until a live worker's maintenance a minute later.
    worker = start_worker(app, extra_env={kb_jobs.BATCH_PAUSE_ENV: "0.4", "TOLK_WORKER_PROCESSES": "1"})
    try:
        deadline = time.monotonic() + 60
        while job_row(app, job["id"]).done < 41:  # the title and two batches are committed
            assert worker.poll() is None, "the worker exited before the job was under way"
            assert time.monotonic() < deadline, "the job never got under way"
            time.sleep(0.05)
        # The machine dies: the work horse (which runs the job) and its worker, without any clean-up.
        for pid in [*child_pids(worker.pid), worker.pid]:
            os.kill(pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=10)

    killed = job_row(app, job["id"])
    assert killed.status == "running" and 41 <= killed.done < killed.total == 101
    assert locale_state(client, editor)["state"] == "translating"

    # A live worker's maintenance finds the job once the dead worker's heartbeat has expired; run that
    # clean-up as it would run then, instead of waiting out the heartbeat.
    with app.app_context():
        StartedJobRegistry(queue=queue(app)).cleanup(timestamp=time.time() + 3600)
    requeued = job_row(app, job["id"])
    assert requeued.status == "queued" and "AbandonedJobError" in requeued.error

    rerun = start_worker(app, "--burst")
    assert rerun.wait(timeout=120) == 0

    done = client.get(f"/api/v1/jobs/{job['id']}", headers=editor).json
    assert (done["status"], done["done"], done["total"], done["attempts"]) == ("done", 101, 101, 2)
    es = locale_state(client, editor)
    assert (es["state"], es["published_revision"]) == ("published", 1)
    assert client.get("/kb/es/shipping").status_code == 200
    assert len(published_events(app)) == 1
    assert [e["data"]["locale"] for e in helpdesk.payloads] == ["es"]
    with app.app_context():
        duplicates = db.session.execute(
            select(TmSegment.source_hash).group_by(TmSegment.source_hash, TmSegment.origin)
            .having(func.count() > 1)).all()
        assert duplicates == []
        assert db.session.scalar(select(func.count(TmSegment.id))) == 101
        # Each sentence was paid for once: the killed attempt's uncommitted batch left no trace.
        billed = db.session.scalar(select(func.sum(EngineCall.characters)).where(EngineCall.engine != "tm"))
        assert billed == sum(map(len, sentences)) + len("Shipping times")
