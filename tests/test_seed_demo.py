"""`tolk seed-demo`: all or nothing, and instance/demo-tokens.txt holds one working token per demo user."""

from __future__ import annotations

import shutil
import stat
import uuid

import pytest
from sqlalchemy import func, select

from tolk.errors import ValidationError


def tokens_file(app):
    from pathlib import Path

    return Path(app.instance_path) / "demo-tokens.txt"


def alex_tokens(app) -> list[str]:
    """What the README's ``awk '$1=="alex"{print $3}' instance/demo-tokens.txt`` prints, line by line."""
    return [line.split("\t")[2] for line in tokens_file(app).read_text().splitlines() if line.split("\t")[0] == "alex"]


def users(app) -> int:
    from tolk.db import db
    from tolk.models import User

    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


@pytest.fixture
def other_database_app(database, redis_url, tmp_path, app):
    """A second app on a fresh database that shares the first app's instance folder."""
    from tolk import create_app

    kind, where = database
    if kind != "sqlite":
        pytest.skip("a second fresh database is made by copying the SQLite template")
    path = tmp_path / "other.db"
    shutil.copy(where, path)
    other = create_app({"DATABASE_URL": f"sqlite:///{path}", "REDIS_URL": redis_url,
                        "QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}", "INSTANCE_PATH": app.instance_path,
                        "SECRET_KEY": "test-secret", "TESTING": True})
    yield other
    other.extensions["tolk.db"][0].dispose()


def test_a_failed_seed_stores_nothing_and_writes_no_tokens(app, runner):
    def broken(_session):
        raise ValidationError("the demo articles are broken")

    app.extensions["tolk.seeders"].append(broken)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "the demo articles are broken" in result.output
    assert users(app) == 0
    assert not tokens_file(app).exists()


def test_seeding_a_new_database_replaces_the_tokens_of_the_old_one(app, runner, other_database_app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = tokens_file(app).read_text()
    assert len(first.splitlines()) == 8 and len(alex_tokens(app)) == 1
    assert stat.S_IMODE(tokens_file(app).stat().st_mode) == 0o600

    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # same database: nothing new to print
    assert tokens_file(app).read_text() == first

    old_token = alex_tokens(app)[0]
    again = other_database_app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert len(tokens_file(app).read_text().splitlines()) == 8
    [token] = alex_tokens(app)
    client = other_database_app.test_client()
    assert client.get("/api/v1/templates", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/templates", headers={"Authorization": f"Bearer {old_token}"}).status_code == 401
