"""Migrations: they build exactly the schema the models declare, and go down and up again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from glossaries.models import GlossaryTerm
from lqa.models import QualityRecord
from tolk.db import Base, alembic_config, managed_table, upgrade
from workflows.models import ReplyTransition, ReviewItem, WebhookDelivery


def test_models_match_the_migrations(database):
    """Checked on the session's migrated database: SQLite, and PostgreSQL on the second run."""
    import glossaries.models  # noqa: F401 - every package's tables register on the one metadata
    import lqa.models  # noqa: F401
    import machinery.models  # noqa: F401
    import tolk.models  # noqa: F401
    import workflows.kb.models  # noqa: F401
    import workflows.models  # noqa: F401
    import workflows.notify.models  # noqa: F401

    kind, where = database
    engine = create_engine(where if kind == "postgresql" else f"sqlite:///{where}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": managed_table}), Base.metadata)
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



STATES = {(GlossaryTerm, "status"), (QualityRecord, "outcome"), (ReplyTransition, "from_status"),
          (ReplyTransition, "to_status"), (ReviewItem, "kind"), (ReviewItem, "task"), (WebhookDelivery, "status")}


@pytest.mark.parametrize(("model", "name"), sorted(STATES, key=str), ids=lambda v: getattr(v, "__name__", v))
def test_state_columns_are_enums_that_refuse_unknown_values(model, name):
    """A misspelt state is refused before it reaches the database."""
    column_type = model.__table__.c[name].type
    assert isinstance(column_type, sa.Enum), f"{model.__name__}.{name} is {column_type!r}"
    with pytest.raises(LookupError, match="bogus"):
        column_type.bind_processor(create_engine("sqlite://").dialect)("bogus")


def test_no_state_column_is_a_bare_string():
    bare = {f"{table.name}.{column.name}" for table in Base.metadata.tables.values() for column in table.columns
            if column.name.split("_")[-1] in ("status", "state", "outcome", "task")
            and isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)}
    assert bare == set()
