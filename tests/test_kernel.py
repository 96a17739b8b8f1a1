"""The kernel: settings, JSON errors, health, tokens and the users CLI."""

from __future__ import annotations

import pytest

from tolk import config


def test_environment_overrides_defaults_and_overrides_win():
    values = config.load({"ENGINE_RETRIES": 5}, environ={"TOLK_ENGINE_RETRIES": "1", "TOLK_LANGUAGES": "en, pl"})
    assert values["ENGINE_RETRIES"] == 5
    assert values["LANGUAGES"] == ["en", "pl"]
    assert config.load(environ={})["LANGUAGES"][:2] == ["en", "es"]


def test_malformed_environment_value_names_the_variable():
    with pytest.raises(ValueError, match="TOLK_ENGINE_TIMEOUT"):
        config.load(environ={"TOLK_ENGINE_TIMEOUT": "soon"})


def test_the_readme_settings_table_is_the_generated_one():
    """`tolk config --markdown` prints the table; the README must hold it unchanged (regenerate it)."""
    readme = (config.PROJECT_ROOT / "README.md").read_text()
    assert config.markdown_table() in readme
    for setting in config.SETTINGS:
        assert f"`TOLK_{setting.name}`" in readme


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("true", True), (" Yes ", True), ("on", True),
                                            ("0", False), ("false", False), ("NO", False), ("off", False),
                                            ("", False)])
def test_boolean_settings_read_the_usual_spellings(raw, value):
    assert config._bool(raw) is value


def test_a_boolean_setting_refuses_anything_else():
    with pytest.raises(ValueError, match="not a boolean"):
        config._bool("maybe")


def test_healthz_reports_database_redis_and_engines_to_admins_and_only_the_status_to_others(
        client, admin_headers, agent_headers):
    assert client.get("/healthz").get_json() == {"ok": True}
    assert client.get("/healthz", headers=agent_headers).get_json() == {"ok": True}
    body = client.get("/healthz", headers=admin_headers).get_json()
    assert body["ok"] is True
    assert body["components"]["database"]["ok"] and body["components"]["redis"]["ok"]
    assert body["components"]["engines"]["apertium"]["configured"] is True
    assert body["components"]["engines"]["deepl"]["configured"] is False


@pytest.mark.parametrize("app_config", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_healthz_is_503_when_redis_is_down(client, admin_headers):
    assert client.get("/healthz").status_code == 503
    response = client.get("/healthz", headers=admin_headers)
    assert response.status_code == 503
    assert response.get_json()["components"]["redis"]["ok"] is False


def test_api_needs_a_token_and_errors_are_json(client):
    response = client.post("/api/v1/translate", json={"text": "hi", "target_lang": "es"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    response = client.post("/api/v1/translate", json={}, headers={"Authorization": "Bearer tolk_nope"})
    assert response.status_code == 401 and "invalid" in response.get_json()["error"]["message"]
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_users_cli_prints_a_working_token_that_can_be_revoked(runner, client):
    result = runner.invoke(args=["users", "add", "lucia", "--role", "reviewer", "--languages", "es,ca",
                                 "--timezone", "Europe/Madrid", "--token"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("tolk_")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/glossaries", headers=headers).status_code == 200
    assert runner.invoke(args=["users", "revoke", "lucia"]).exit_code == 0
    assert client.get("/api/v1/glossaries", headers=headers).status_code == 401


@pytest.mark.parametrize("args, message", [
    (["users", "add", "x1", "--role", "reviewer"], "native language"),
    (["users", "add", "x2", "--role", "agent", "--timezone", "Mars/Olympus"], "time zone"),
    (["users", "add", "x3", "--role", "agent", "--languages", "xx"], "unknown language"),
    (["users", "add", "x4", "--role", "agent", "--shift", "9-5"], "shift"),
])
def test_users_cli_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_tokens_are_stored_hashed(app, runner):
    from sqlalchemy import select

    from tolk.db import db
    from tolk.models import ApiToken

    token = runner.invoke(args=["users", "add", "ada", "--role", "admin", "--token"]).output.split()[-1]
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert stored and token not in stored


def test_seed_demo_is_idempotent(app, runner):
    from sqlalchemy import func, select

    from tolk.db import db
    from tolk.models import User

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 8


def test_the_command_line_app_has_every_command_and_no_views(tmp_path):
    """`tolk` builds create_app(web=False): the same commands, seeders and hooks, without views, pages or
    the API contract (they cost start-up time and a one-off command never serves a request)."""
    from tolk import create_app

    settings = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    full, lean = create_app(settings), create_app(settings, web=False)
    assert sorted(lean.cli.commands) == sorted(full.cli.commands)
    for hooks in ("tolk.seeders", "tolk.web_started", "tolk.worker_started", "tolk.budget_listeners"):
        assert [f.__qualname__ for f in lean.extensions[hooks]] == [f.__qualname__ for f in full.extensions[hooks]]
    assert lean.blueprints == {} and len(full.blueprints) > 10
    assert [rule.rule for rule in lean.url_map.iter_rules()] == ["/static/<path:filename>"]


def test_json_answers_keep_the_order_the_code_writes_their_keys(client, make_user):
    _user, headers = make_user("agent", "en")
    body = client.post("/api/v1/replies", headers=headers, json={
        "text": "Thank you for your patience, your parcel is on its way.", "ticket_ref": "T-1",
        "channel": "email", "customer_locale": "es"}).get_data(as_text=True)
    assert body.startswith('{"id":') and body.index('"ticket_ref"') < body.index('"channel"') < body.index('"status"')
