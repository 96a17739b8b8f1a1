"""Secrets stay secret: the DeepL key, the webhook secret, the signing key and API tokens never show up in
health checks, CLI output, API errors, the audit log, the database or the log output."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select, text

from tests.conftest import free_port, run_jobs
from tests.fakes.deepl_server import DeepLFake
from tolk.db import Base, db

DEEPL_KEY = "deepl-key-5c0ffee-9b1d:fx"
WEBHOOK_SECRET = "whsec_" + "c2VjcmV0LXdlYmhvb2stc2lnbmluZy1rZXktZm9yLXRvbGs="
SIGNING_KEY = "flask-signing-key-8e2d41"
GOOGLE_PROJECT = "acme-support-prod-7731"


@pytest.fixture
def deepl_with_key():
    with DeepLFake(auth_key=DEEPL_KEY) as fake:
        yield fake


@pytest.fixture
def app_config(deepl_with_key, google_fake, helpdesk):
    return {"DEEPL_AUTH_KEY": DEEPL_KEY, "DEEPL_SERVER_URL": deepl_with_key.url, "GOOGLE_PROJECT": GOOGLE_PROJECT,
            "GOOGLE_API_ENDPOINT": google_fake.url, "ENGINE_ROUTES": "es=apertium;*=deepl,google",
            "ENGINE_TIMEOUT": 2.0, "SECRET_KEY": SIGNING_KEY, "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEBHOOK_URLS": [helpdesk.url], "DEFAULT_GLOSSARY": ""}


@pytest.fixture
def people(make_user):
    made = {role: make_user(role, languages="en" if role != "reviewer" else "de") for role in
            ("admin", "agent", "reviewer")}
    return {role: headers for role, (_user, headers) in made.items()}


def _tokens(people) -> list[str]:
    return [h["Authorization"].removeprefix("Bearer ") for h in people.values()]


def _secrets(people) -> list[str]:
    return [DEEPL_KEY, DEEPL_KEY.split(":")[0], WEBHOOK_SECRET, WEBHOOK_SECRET.removeprefix("whsec_"), SIGNING_KEY,
            *_tokens(people)]


def assert_clean(where: str, shown: str, secrets: list[str]) -> None:
    found = [s for s in secrets if s in shown]
    assert found == [], f"{where} shows {found}"


def test_health_cli_and_engine_listing_hide_secrets(client, runner, people):
    secrets = _secrets(people)
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["components"]["engines"]["deepl"]["configured"]
    assert_clean("/healthz", health.get_data(as_text=True), secrets)

    config = runner.invoke(args=["config"])
    assert config.exit_code == 0
    lines = dict(line.split("=", 1) for line in config.output.splitlines())
    assert {lines[k] for k in ("TOLK_DEEPL_AUTH_KEY", "TOLK_WEBHOOK_SECRET", "TOLK_SECRET_KEY")} == {"(set)"}
    assert_clean("tolk config", config.output, secrets)

    engines = runner.invoke(args=["engines", "--json"])
    assert engines.exit_code == 0 and json.loads(engines.output)["engines"]
    assert_clean("tolk engines --json", engines.output, secrets)
    users = runner.invoke(args=["users", "list"])
    assert users.exit_code == 0
    assert_clean("tolk users list", users.output, secrets)


def test_public_health_check_does_not_name_the_cloud_project(client):
    assert GOOGLE_PROJECT not in client.get("/healthz").get_data(as_text=True)


def test_tolk_config_hides_passwords_in_connection_urls(app):
    from tolk import create_app

    other = create_app({**app.config, "DATABASE_URL": "postgresql+psycopg://tolk:pg-pass-41d7@127.0.0.1:1/tolk",
                        "REDIS_URL": "redis://:redis-pass-9f3e@127.0.0.1:1/0", "INSTANCE_PATH": app.instance_path})
    try:
        result = other.test_cli_runner().invoke(args=["config"])
        assert result.exit_code == 0
        assert "pg-pass-41d7" not in result.output and "redis-pass-9f3e" not in result.output
        assert "127.0.0.1:1/tolk" in result.output  # the rest of the URL is still shown
    finally:
        other.extensions["tolk.db"][0].dispose()


def test_errors_audit_log_database_and_logs_hold_no_secret(app, client, runner, people, deepl_with_key,
                                                          google_fake, helpdesk, caplog):
    from workflows import webhooks

    secrets = _secrets(people)
    caplog.set_level(logging.DEBUG)
    shown: list[tuple[str, str]] = []

    def record(where: str, response) -> dict:
        shown.append((where, response.get_data(as_text=True)))
        return response.get_json()

    # Ordinary traffic, then DeepL refusing the key (403) and Google failing: the errors name engines only.
    record("translate ok", client.post("/api/v1/translate", headers=people["agent"],
                                       json={"text": "Thank you for your order.", "target_lang": "de"}))
    deepl_with_key.auth_key = "rotated-elsewhere:fx"
    google_fake.fail_next(500, times=3, path=":translateText")
    failed = record("translate failed", client.post("/api/v1/translate", headers=people["agent"],
                                                    json={"text": "Your parcel is late.", "target_lang": "fr"}))
    assert failed["error"]["code"] == "engines_failed"
    codes = {a["engine"]: a["code"] for a in failed["error"]["details"]["attempts"]}
    assert codes == {"deepl": "auth_failed", "google": "unavailable"}
    google_fake.fail_next(500, times=3, path=":translateText")
    reply = record("reply queued for a translator", client.post("/api/v1/replies", headers=people["agent"], json={
        "text": "Your parcel is late.", "ticket_ref": "T-1", "channel": "email", "customer_locale": "nl"}))
    assert reply["decision"] == "human_translation"
    for path, headers in [("/api/v1/replies/999", people["agent"]), ("/api/v1/glossaries", {}),
                          ("/api/v1/glossaries", {"Authorization": f"Bearer {_tokens(people)[0]}x"}),
                          ("/api/v1/reviews", people["agent"])]:
        response = client.get(path, headers=headers)
        assert response.status_code >= 400
        record(path, response)
    record("bad json", client.post("/api/v1/translate", headers=people["agent"], data="{not json",
                                   content_type="application/json"))
    deepl_with_key.auth_key = DEEPL_KEY
    record("released reply", client.post("/api/v1/replies", headers=people["agent"], json={
        "text": "Thank you for your patience.", "ticket_ref": "T-2", "channel": "email", "customer_locale": "es"}))

    # A helpdesk that is down: the delivery fails and is recorded, signed with the secret.
    helpdesk.stop()
    with app.app_context():
        app.config["WEBHOOK_URLS"] = [f"http://127.0.0.1:{free_port()}/hooks"]
    record("released reply, helpdesk down", client.post("/api/v1/replies", headers=people["agent"], json={
        "text": "We have sent a new link.", "ticket_ref": "T-3", "channel": "email", "customer_locale": "es"}))
    run_jobs(app)
    for where, body in shown:
        assert_clean(where, body, secrets)

    with app.app_context():
        failures = [row.last_error for row in db.session.scalars(select(webhooks.WebhookDelivery))
                    if row.last_error]
        assert failures, "the webhook delivery should have failed"
        dump = []
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                dump.append(f"{table.name}: {tuple(row)}")
        dumped = "\n".join(dump)
        assert "audit_events" in dumped and "api_tokens" in dumped
        assert_clean("the database", dumped, secrets)
        hashes = db.session.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
        assert len(hashes) == len(people) and all(len(h) == 64 for h in hashes)

    logged = "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "ConnectionError" in logged, "the failed delivery was not logged; the check would prove little"
    assert_clean("the log", logged, secrets)
    assert_clean("the log (formatted)", caplog.text, secrets)
