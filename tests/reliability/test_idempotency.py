"""The same idempotency key sent by many clients at the same moment to the served app (gunicorn, two
processes): one reply is drafted; every other answer is that reply (200) or a 409 with Retry-After."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from tolk.db import db
from workflows.models import Reply

CLIENTS, ROUNDS = 10, 3


@pytest.fixture
def app_config(deepl_settings):
    return {**deepl_settings, "ENGINE_ROUTES": "*=deepl", "DEFAULT_GLOSSARY": ""}


def _post(url: str, headers: dict[str, str], body: dict) -> tuple[int, dict, str | None]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read()), response.headers.get("Retry-After")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), exc.headers.get("Retry-After")


def test_the_same_idempotency_key_at_the_same_moment_gives_one_reply_and_never_a_500(
        app, served, make_user, deepl_fake):
    agent = make_user("agent", name="alex", languages="en")[1]
    url = served(workers=2, threads=4, DEEPL_AUTH_KEY=deepl_fake.auth_key, DEEPL_SERVER_URL=deepl_fake.url)
    counts = {200: 0, 201: 0, 409: 0}
    for n in range(ROUNDS):
        body = {"text": f"Thanks for waiting, we are checking case {n} for you now.", "ticket_ref": f"T-{n}",
                "channel": "email", "customer_locale": "de", "idempotency_key": f"key-{n}"}
        barrier = threading.Barrier(CLIENTS)
        answers: list[tuple[int, dict, str | None]] = []

        def send(body=body, barrier=barrier, answers=answers) -> None:
            barrier.wait(timeout=30)
            answers.append(_post(f"{url}/api/v1/replies", agent, body))

        threads = [threading.Thread(target=send) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

        statuses = sorted(status for status, _, _ in answers)
        assert len(answers) == CLIENTS and set(statuses) <= {200, 201, 409}, answers
        assert statuses.count(201) == 1, statuses
        replies = {reply["id"] for status, reply, _ in answers if status in (200, 201)}
        assert len(replies) == 1
        for status, reply, retry_after in answers:
            if status == 409:
                assert reply["error"]["code"] == "idempotency_in_progress" and retry_after == "1"
        with app.app_context():
            stored = db.session.scalars(select(Reply.id).where(Reply.idempotency_key == f"key-{n}")).all()
        assert stored == list(replies)
        # Sent again once the first is done: the same reply, 200.
        status, again, _ = _post(f"{url}/api/v1/replies", agent, body)
        assert (status, again["id"]) == (200, stored[0])
        for s in statuses:
            counts[s] += 1
    print(f"\nidempotency ({db_kind(app)}): {ROUNDS} rounds x {CLIENTS} concurrent requests: "
          f"{counts[201]} drafted, {counts[200]} answered with that reply, {counts[409]} asked to retry, 0 5xx")


def db_kind(app) -> str:
    return app.config["DATABASE_URL"].split(":", 1)[0].split("+")[0]
