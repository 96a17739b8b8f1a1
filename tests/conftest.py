"""Shared fixtures: a real Redis, a migrated database (SQLite, or PostgreSQL via TOLK_TEST_DATABASE_URL),
the app, its test client and CLI runner, and users with tokens."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.factories import ALWAYS_ON, PASSWORD
from tests.fakes import free_port
from tests.fakes.smtp_server import Mailbox

BRAND_GLOSSARY = "projects/tolk-test/locations/us-central1/glossaries/brand-en-es"
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# Tests never see the developer's own settings (a real DeepL key, a production database...).
for _key in [k for k in os.environ if k.startswith("TOLK_") and not k.startswith("TOLK_TEST_")]:
    del os.environ[_key]


def stop_processes(*procs: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate test servers and workers, all at once, then kill whichever does not stop in time."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server on a free loopback port, answering; the process and its URL."""
    import redis  # lazy: only the tests that use Redis pay for the client

    port = free_port()
    proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(directory)], stdout=subprocess.DEVNULL)
    with redis.Redis(port=port) as client:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free loopback port for the whole session."""
    if os.environ.get("TOLK_TEST_REDIS_URL"):
        yield os.environ["TOLK_TEST_REDIS_URL"]
        return
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed: run `make test`, which installs it")
    proc, url = start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A migrated database: ('sqlite', template file) or ('postgresql', url), migrated once per session."""
    from tolk.db import upgrade

    url = os.environ.get("TOLK_TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        upgrade(url)
        yield "postgresql", url
        return
    template = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{template}")
    yield "sqlite", template


def _truncate_all(url: str) -> None:
    from tolk.db import Base

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app_config():
    """Per-test setting overrides; a test module redefines this fixture to change them."""
    return {}


@pytest.fixture
def database_url(database, tmp_path):
    kind, where = database
    if kind == "postgresql":
        yield where
        _truncate_all(where)
    else:
        path = tmp_path / "tolk.db"
        shutil.copy(where, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url, redis_url, tmp_path, app_config):
    from tolk import create_app

    config = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "ENGINE_ROUTES": "*=deepl,google,apertium",
        "ENGINE_BACKOFF": 0.0,
        "TESTING": True,
        **app_config,
    }
    app = create_app(config)
    yield app
    found = app.extensions.get("tolk.machinery")
    if found is not None:
        found.close()
    redis_client = app.extensions.get("tolk.redis")
    if redis_client is not None:
        redis_client.close()
    app.extensions["tolk.db"][0].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """make_user(role, languages="", **kw) -> (user, bearer headers)."""
    from tolk.accounts import create_user
    from tolk.auth import issue_token
    from tolk.db import db

    def make(role: str, languages: str = "", name: str | None = None, **kwargs):
        with app.app_context():
            user = create_user(db.session, name or f"{role}-{uuid.uuid4().hex[:6]}", role=role,
                               languages=languages or ("es" if role == "reviewer" else ""), **kwargs)
            token = issue_token(db.session, user)
            db.session.commit()
            return user, {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def agent_headers(make_user):
    return make_user("agent")[1]


@pytest.fixture
def admin_headers(make_user):
    return make_user("admin")[1]


@pytest.fixture
def editor(make_user):
    """Bearer headers of kim, an editor."""
    return make_user("editor", name="kim")[1]


@pytest.fixture
def person(make_user):
    """person(role, name, languages="") -> the user, created with the test password (reviewers always on shift)."""

    def make(role: str, name: str, languages: str = "", **kw):
        kw.setdefault("timezone", "UTC")
        if role == "reviewer":
            for key, value in ALWAYS_ON.items():
                kw.setdefault(key, value)
        return make_user(role, languages, name=name, password=PASSWORD, **kw)[0]

    return make


@pytest.fixture
def people(make_user):
    """Bearer headers per role; the reviewers work around the clock so review items get assigned."""
    return {"anonymous": {}, "agent": make_user("agent", name="alex", languages="en")[1],
            "reviewer_es": make_user("reviewer", name="lucia", languages="es", **ALWAYS_ON)[1],
            "reviewer_pl": make_user("reviewer", name="piotr", languages="pl", **ALWAYS_ON)[1],
            "editor": make_user("editor", name="kim")[1], "admin": make_user("admin", name="ada")[1]}


# --- local fake vendor servers, spoken to through the real client libraries -------------------------


@pytest.fixture
def deepl_fake():
    from tests.fakes.deepl_server import DeepLFake

    with DeepLFake() as fake:
        yield fake


@pytest.fixture
def deepl_settings(deepl_fake):
    return {"DEEPL_AUTH_KEY": deepl_fake.auth_key, "DEEPL_SERVER_URL": deepl_fake.url, "ENGINE_TIMEOUT": 5.0}


@pytest.fixture
def google_fake():
    from tests.fakes.google_server import GoogleTranslateFake

    with GoogleTranslateFake() as fake:
        fake.add_glossary(BRAND_GLOSSARY, "en", "es", {"refund": "devolución", "Acme Cloud": "Acme Cloud"})
        yield fake


@pytest.fixture
def google_settings(google_fake):
    return {"GOOGLE_PROJECT": "tolk-test", "GOOGLE_LOCATION": "global", "GOOGLE_API_ENDPOINT": google_fake.url,
            "GOOGLE_GLOSSARIES": f"brand:en-es={BRAND_GLOSSARY}", "ENGINE_TIMEOUT": 5.0}


@pytest.fixture
def openai_fake():
    from tests.fakes.openai_server import OpenAIFake

    with OpenAIFake() as fake:
        yield fake


@pytest.fixture
def llm_settings(openai_fake):
    return {"LLM_MODEL": "tolk-test-model", "LLM_BASE_URL": f"{openai_fake.url}/v1", "LLM_API_KEY": openai_fake.api_key,
            "LLM_TIMEOUT": 5.0, "LANGUAGES": ["en", "es", "de", "fr", "pl", "nl", "ca", "zh-Hant"]}


# --- the app served for real, and Debian's Chromium (browser tests) ------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_url(app):
    """The app under a threaded werkzeug server on 127.0.0.1 (a free port) for the test's duration."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, one per session (Playwright's sync API allows one per thread); fails, never
    skips, when Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: browser tests need Debian's chromium package (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield found
        found.close()


# --- a helpdesk receiving webhooks, and a worker running queued jobs -----------------------------


class Helpdesk:
    """A local HTTP endpoint that records every webhook it receives (headers and body)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[tuple[dict[str, str], bytes]] = []
        #: What it answers: 204 by default; a test may make it redirect (307 and a Location) or fail.
        self.status, self.answer_headers = 204, {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                for name, value in outer.answer_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def payloads(self) -> list[dict]:
        import json

        return [json.loads(body) for _headers, body in self.received]

    def events(self) -> list[str]:
        """The event types received, in order."""
        return [payload["type"] for payload in self.payloads]

    def stop(self) -> None:
        """Stop answering (a helpdesk that is down); safe to call twice."""
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join(timeout=10)
            self.server.server_close()


@pytest.fixture
def helpdesk():
    receiver = Helpdesk()
    yield receiver
    receiver.stop()


@pytest.fixture
def mailbox():
    """A local SMTP server (aiosmtpd) on a loopback port, keeping every message it receives."""
    box = Mailbox()
    yield box
    box.stop()


def run_jobs(app) -> None:
    """Run every queued job (translations, webhook deliveries) in this process, as a worker would."""
    from rq import SimpleWorker

    from tolk.queue import queue, redis_connection

    with app.app_context():
        SimpleWorker([queue(app)], connection=redis_connection(app)).work(burst=True)
