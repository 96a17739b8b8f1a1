"""The app served for real by gunicorn (`tolk serve`) in a child process, for tests of concurrent load."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT, free_port, stop_processes


def _settings_env(app, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOLK_")}
    env.update({"TOLK_DATABASE_URL": app.config["DATABASE_URL"], "TOLK_REDIS_URL": app.config["REDIS_URL"],
                "TOLK_QUEUE_NAME": app.config["QUEUE_NAME"], "TOLK_SECRET_KEY": app.config["SECRET_KEY"],
                "TOLK_LANGUAGES": "en,de,es",
                "TOLK_ENGINE_ROUTES": app.config["ENGINE_ROUTES"], "TOLK_DEFAULT_GLOSSARY": "", **extra})
    return env


class Served:
    """served(workers=1, threads=4, **TOLK_settings) -> base URL of gunicorn serving the test's database;
    ``served.arbiter[url]`` is the pid of the gunicorn arbiter (`tolk serve`) behind that URL."""

    def __init__(self, app) -> None:
        self.app = app
        self.procs: list[subprocess.Popen] = []
        self.arbiter: dict[str, int] = {}

    def __call__(self, *, workers: int = 1, threads: int = 4, **settings: object) -> str:
        port = free_port()
        extra = {f"TOLK_{k}": str(v) for k, v in settings.items()}
        extra["TOLK_WEB_THREADS"] = str(threads)
        proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "tolk"), "serve", "--port", str(port),
                                 "--workers", str(workers)], env=_settings_env(self.app, extra), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        self.arbiter[url] = proc.pid
        ends = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "gunicorn exited before it served"
            try:
                urllib.request.urlopen(f"{url}/livez", timeout=1).close()
                return url
            except OSError:
                assert time.monotonic() < ends, "gunicorn never answered /livez"
                time.sleep(0.1)


@pytest.fixture
def served(app) -> Iterator[Served]:
    """Gunicorn serving the test's database, stopped after the test (see ``Served``)."""
    servers = Served(app)
    yield servers
    stop_processes(*servers.procs)
