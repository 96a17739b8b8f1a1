"""`tolk serve`'s access log (``tolk.access_log``): gunicorn's combined line, built from the fields it prints."""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import time
import urllib.request
from types import SimpleNamespace

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from tests.conftest import ROOT, free_port, stop_processes
from tests.reliability.conftest import _settings_env
from tolk.access_log import AccessLog


def _line(logger_class, resp, environ) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = logger_class(cfg)
    logger.now = lambda: "[30/Nov/2026:02:00:00 +0000]"  # the same clock for both
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.access_log.addHandler(handler)
    logger.access(resp, SimpleNamespace(headers=[("Host", "127.0.0.1")]), environ, dt.timedelta(microseconds=1500))
    return records[-1]


@pytest.mark.parametrize(("status", "sent", "extra"), [
    ("200 OK", 1234, {"HTTP_USER_AGENT": "curl/8.5", "HTTP_REFERER": "http://127.0.0.1/review"}),
    (201, 0, {}),
    ("304 Not Modified", None, {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)"}),
    ("422 Unprocessable Entity", 97, {"HTTP_AUTHORIZATION": "Bearer secret-token"}),
])
def test_the_line_is_gunicorns_combined_line(status, sent, extra):
    environ = {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "POST", "RAW_URI": "/api/v1/replies?x=%C3%A9",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/api/v1/replies", "QUERY_STRING": "x=%C3%A9", **extra}
    resp = SimpleNamespace(status=status, sent=sent, headers=[("Content-Type", "application/json")])
    ours = _line(AccessLog, resp, environ)
    assert ours == _line(glogging.Logger, resp, environ)
    assert "secret-token" not in ours


def test_tolk_serve_writes_a_line_per_request(app):
    port = free_port()
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "tolk"), "serve", "--port", str(port), "--workers", "1"],
                            env=_settings_env(app, {}), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True, text=True)
    try:
        ends = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "gunicorn exited before it served"
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/livez?probe=1",
                                                 headers={"User-Agent": "probe/1.0"})
                urllib.request.urlopen(request, timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < ends, "gunicorn never answered /livez"
                time.sleep(0.1)
        assert proc.stdout is not None
        line = next(line for line in proc.stdout if "/livez?probe=1" in line)
    finally:
        stop_processes(proc)
        if proc.stdout is not None:
            proc.stdout.close()
    assert re.fullmatch(r'127\.0\.0\.1 - - \[[^]]+\] "GET /livez\?probe=1 HTTP/1\.1" 200 \d+ "-" "probe/1\.0"\n', line)
