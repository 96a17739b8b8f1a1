"""A hanging vendor under concurrent replies: one deadline per request for all engine work, a circuit breaker
per engine, `/livez` answering throughout, and every reply stored and routed to a human translator."""

from __future__ import annotations

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.factories import ALWAYS_ON
from tolk.db import db
from workflows.models import Reply, ReviewItem

CONCURRENT = 12


@pytest.fixture
def app_config(deepl_settings):
    return {**deepl_settings, "ENGINE_ROUTES": "*=deepl", "DEFAULT_GLOSSARY": ""}


def _post(url: str, token_headers: dict[str, str], body: dict, timeout: float = 60) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**token_headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_hanging_deepl_costs_each_reply_at_most_the_deadline_and_livez_keeps_answering(
        app, served, make_user, deepl_fake):
    agent = make_user("agent", name="alex", languages="en")[1]
    make_user("reviewer", name="greta", languages="de", **ALWAYS_ON)
    admin = make_user("admin")[1]
    # Every DeepL request hangs far longer than the engine timeout; nothing else can translate.
    deepl_fake.hang_next(120.0, times=1000, path="/v2/translate")
    url = served(workers=1, threads=4, DEEPL_AUTH_KEY=deepl_fake.auth_key, DEEPL_SERVER_URL=deepl_fake.url,
                 ENGINE_TIMEOUT=5.0, ENGINE_RETRIES=2, ENGINE_BACKOFF=0.0,
                 ENGINE_DEADLINE=1.5, ENGINE_CIRCUIT_THRESHOLD=3, ENGINE_CIRCUIT_COOLDOWN=60)

    livez: list[int] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            livez.append(_get(f"{url}/livez", timeout=30)[0])

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(lambda n: _post(f"{url}/api/v1/replies", agent, {
            "text": f"Thanks for waiting, we are checking case {n} for you now.", "ticket_ref": f"T-{n}",
            "channel": "email", "customer_locale": "de"}), range(CONCURRENT)))
    done.set()
    prober.join(timeout=30)

    assert [status for status, _ in answers] == [201] * CONCURRENT, answers
    for _, reply in answers:
        assert (reply["status"], reply["decision"], reply["translated_text"]) == (
            "in_review", "human_translation", None)
        assert reply["review"]["task"] == "translate"
        (why,) = [r["message"] for r in reply["reasons"] if r["code"] == "no_engine"]
        assert why.startswith("every engine failed for en -> de (deepl: ")
    assert livez and set(livez) == {200}
    with app.app_context():
        assert db.session.scalar(select(func.count(Reply.id))) == CONCURRENT
        assert db.session.scalar(select(func.count(ReviewItem.id)).where(ReviewItem.task == "translate")) \
            == CONCURRENT
    # The breaker opened after three timeouts: most replies never waited on DeepL at all.
    reasons = " ".join(r["message"] for _, reply in answers for r in reply["reasons"])
    assert "circuit is open" in reasons
    assert len(deepl_fake.requests_to("/v2/translate")) < CONCURRENT
    status, health = _get(f"{url}/healthz", admin)
    assert health["components"]["engines"]["deepl"]["circuit"]["state"] == "open", health
    print(f"\ndeadline: {CONCURRENT} concurrent replies, DeepL hanging: {CONCURRENT} stored for a human, "
          f"{len(deepl_fake.requests_to('/v2/translate'))} DeepL requests, /livez 200 x {len(livez)}")
