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
    health = client.get("/healthz", headers=people["admin"])
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


def test_public_health_check_does_not_name_the_cloud_project(client, people):
    assert GOOGLE_PROJECT not in client.get("/healthz").get_data(as_text=True)
    assert GOOGLE_PROJECT not in client.get("/healthz", headers=people["admin"]).get_data(as_text=True)


@pytest.fixture
def credential_urls(app, deepl_with_key, google_fake):
    """Engine and webhook URLs with credentials in them, as some installations configure them."""
    host = deepl_with_key.url.removeprefix("http://")
    app.config.update({"DEEPL_SERVER_URL": f"http://proxy-user:deepl-proxy-pw-77@{host}/?auth_key=url-key-31",
                       "WEBHOOK_URLS": ["https://hooks:hook-pw-5521@helpdesk.example/in?token=hook-token-88"]})
    app.extensions.pop("tolk.machinery", None)
    return ["deepl-proxy-pw-77", "url-key-31", "hook-pw-5521", "hook-token-88"]


def test_anonymous_healthz_gives_the_status_only_and_admins_see_urls_masked(client, people, credential_urls):
    anonymous = client.get("/healthz")
    assert anonymous.get_json() == {"ok": True}
    for role in ("agent", "reviewer"):
        assert client.get("/healthz", headers=people[role]).get_json() == {"ok": True}
    admin = client.get("/healthz", headers=people["admin"])
    shown = admin.get_data(as_text=True)
    assert_clean("/healthz (admin)", shown, credential_urls)
    server = admin.get_json()["components"]["engines"]["deepl"]["server_url"]
    assert server.startswith("http://proxy-user:***@127.0.0.1:") and server.endswith("/?auth_key=***")


def test_tolk_config_masks_webhook_and_engine_url_credentials(app, runner, credential_urls):
    result = runner.invoke(args=["config"])
    assert result.exit_code == 0
    assert_clean("tolk config", result.output, credential_urls)
    assert "TOLK_WEBHOOK_URLS=https://hooks:***@helpdesk.example/in?token=***" in result.output


def test_a_failed_webhook_is_logged_without_the_urls_credentials(app, client, people, credential_urls, caplog):
    from workflows import webhooks
    from workflows.models import WebhookDelivery

    app.config["WEBHOOK_URLS"] = [f"http://hooks:hook-pw-5521@127.0.0.1:{free_port()}/in?token=hook-token-88"]
    response = client.post("/api/v1/replies", headers=people["agent"], json={
        "text": "Your parcel is on its way.", "ticket_ref": "T-1", "channel": "email", "customer_locale": "en"})
    assert response.status_code == 201
    with app.app_context(), caplog.at_level(logging.WARNING):
        row_id = db.session.scalar(select(WebhookDelivery.id))
        with pytest.raises(webhooks.DeliveryFailed):
            webhooks.deliver(row_id)
        row = db.session.get(WebhookDelivery, row_id)
        assert_clean("webhook last_error", row.last_error, credential_urls)
    assert "webhook" in caplog.text and "hooks:***@127.0.0.1" in caplog.text
    assert_clean("log", caplog.text, credential_urls)


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
