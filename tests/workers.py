"""RQ worker processes for tests: `tolk worker` started against the test's database and queue, its child
processes, and the job rows it updates."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from rq.job import Job, JobStatus

from tests.conftest import ROOT
from tolk.db import db
from workflows.models import TranslationJob


def child_pids(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (a worker's work horse), from /proc."""
    found = []
    for task_dir in Path(f"/proc/{pid}/task").iterdir():
        text = (task_dir / "children").read_text().split()
        found.extend(int(p) for p in text)
    return found


def wait_for_children(pid: int, count: int, seconds: float = 60) -> list[int]:
    """``pid``'s children once there are ``count`` of them (a supervisor's job processes)."""
    ends = time.monotonic() + seconds
    while len(found := child_pids(pid)) < count:
        assert time.monotonic() < ends, f"{len(found)} worker processes, not {count}"
        time.sleep(0.05)
    return found


def wait_for_job(job: Job, seconds: float = 60, *, must_finish: bool = False) -> object:
    """What ``job`` returned, once it finished or failed (``must_finish``: failing fails the test)."""
    ends = time.monotonic() + seconds
    while (status := job.get_status(refresh=True)) not in (JobStatus.FINISHED, JobStatus.FAILED):
        assert time.monotonic() < ends, f"job {job.id} still {status}"
        time.sleep(0.05)
    assert not must_finish or status == JobStatus.FINISHED, job.exc_info
    return job.return_value(refresh=True)


def start_worker(app, *args: str, extra_env: dict[str, str] | None = None,
                 log_path: Path | None = None) -> subprocess.Popen:
    """`tolk worker *args` in its own session, on the app's database, Redis, queue and webhook URLs; its
    output goes to ``log_path`` (for a failure report) or nowhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOLK_")}
    env.update({"TOLK_DATABASE_URL": app.config["DATABASE_URL"], "TOLK_REDIS_URL": app.config["REDIS_URL"],
                "TOLK_QUEUE_NAME": app.config["QUEUE_NAME"], "TOLK_SECRET_KEY": "test-secret",
                "TOLK_WEBHOOK_URLS": ",".join(app.config["WEBHOOK_URLS"]),
                "TOLK_ENGINE_ROUTES": app.config["ENGINE_ROUTES"], **(extra_env or {})})
    command = [str(ROOT / ".venv" / "bin" / "tolk"), "worker", *args]
    if log_path is None:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    with open(log_path, "w") as log:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def job_row(app, job_id: str) -> TranslationJob:
    with app.app_context():
        return db.session.get(TranslationJob, job_id)
