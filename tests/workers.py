"""RQ worker processes for tests: `tolk worker` started against the test's database and queue, its child
processes, and the job rows it updates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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
