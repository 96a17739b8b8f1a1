"""Migrations: they build exactly the schema the models declare, and go down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from tolk.db import Base, alembic_config, upgrade


def test_models_match_the_migrations(database):
    """Checked on the session's migrated database: SQLite, and PostgreSQL on the second run."""
    import glossaries.models  # noqa: F401 - every package's tables register on the one metadata
    import lqa.models  # noqa: F401
    import machinery.models  # noqa: F401
    import tolk.models  # noqa: F401
    import workflows.models  # noqa: F401

    kind, where = database
    engine = create_engine(where if kind == "postgresql" else f"sqlite:///{where}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def _state(url: str) -> tuple[str | None, set[str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        state = MigrationContext.configure(conn).get_current_revision(), set(inspect(conn).get_table_names())
    engine.dispose()
    return state


def test_downgrade_to_nothing_and_up_again(tmp_path):
    """Down to base leaves no table but Alembic's; up again reaches the newest revision with every table."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    upgrade(url)
    revision, tables = _state(url)
    assert revision == head and head is not None
    assert set(Base.metadata.tables) <= tables
    command.downgrade(alembic_config(url), "base")
    assert _state(url) == (None, {"alembic_version"})
    upgrade(url)
    assert _state(url) == (head, tables)
