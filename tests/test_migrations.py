"""Migrations: they build exactly the schema the models declare, and go down and up again."""

from __future__ import annotations

import ast

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from glossaries.models import GlossaryTerm
from lqa.models import QualityRecord
from tolk.db import MIGRATIONS_DIR, Base, alembic_config, managed_table, upgrade
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


#: Tables that grow with traffic. From revision 0024 on, an index added to or dropped from one of them is built
#: ``CONCURRENTLY`` on PostgreSQL, outside the migration's transaction: a plain CREATE INDEX blocks every write
#: to the table while it runs (drafting replies, for a big table, for minutes). 0023 came before the rule.
LARGE_TABLES = {"tm_segments", "engine_calls", "audit_events", "replies", "reply_transitions", "review_items",
                "quality_records", "mqm_annotations", "customer_feedback", "notifications", "webhook_deliveries",
                "customer_languages", "glossary_terms"}
FIRST_CHECKED = "0024"


def blocking_index_changes(source: str) -> list[str]:
    """The ``op.create_index`` / ``op.drop_index`` calls on a large table in a migration's source that would
    block writes: not ``postgresql_concurrently=True`` inside ``op.get_context().autocommit_block()``."""
    found: list[str] = []

    def visit(node: ast.AST, in_autocommit: bool) -> None:
        if isinstance(node, ast.With):
            in_autocommit = in_autocommit or any(
                isinstance(item.context_expr, ast.Call) and isinstance(item.context_expr.func, ast.Attribute)
                and item.context_expr.func.attr == "autocommit_block" for item in node.items)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("create_index", "drop_index"):
            keywords = {k.arg: k.value for k in node.keywords}
            table = node.args[1] if node.func.attr == "create_index" and len(node.args) > 1 \
                else keywords.get("table_name")
            concurrently = keywords.get("postgresql_concurrently")
            if isinstance(table, ast.Constant) and table.value in LARGE_TABLES and not (
                    in_autocommit and isinstance(concurrently, ast.Constant) and concurrently.value is True):
                found.append(f"line {node.lineno}: {node.func.attr} on {table.value}")
        for child in ast.iter_child_nodes(node):
            visit(child, in_autocommit)

    visit(ast.parse(source), False)
    return found


def test_index_changes_on_large_tables_do_not_block_writes():
    import machinery.models  # noqa: F401 - the tables named above register on the one metadata
    import tolk.models  # noqa: F401
    import workflows.notify.models  # noqa: F401

    assert not LARGE_TABLES - set(Base.metadata.tables)
    versions = MIGRATIONS_DIR / "versions"
    checked = [p for p in sorted(versions.glob("[0-9][0-9][0-9][0-9]_*.py")) if p.name[:4] >= FIRST_CHECKED]
    assert {p.name: blocking_index_changes(p.read_text()) for p in checked} == {p.name: [] for p in checked}


def test_the_index_rule_tells_a_blocking_build_from_a_concurrent_one():
    blocking = """
def upgrade():
    op.create_index('ix_tm_segments_x', 'tm_segments', ['x'])
    with op.get_context().autocommit_block():
        op.drop_index('ix_engine_calls_y', table_name='engine_calls')
    op.create_index('ix_users_z', 'users', ['z'])  # a small table: allowed
"""
    concurrent = """
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_tm_segments_x', 'tm_segments', ['x'], postgresql_concurrently=True)
        op.drop_index('ix_engine_calls_y', table_name='engine_calls', postgresql_concurrently=True)
"""
    assert blocking_index_changes(blocking) == ["line 3: create_index on tm_segments",
                                                "line 5: drop_index on engine_calls"]
    assert blocking_index_changes(concurrent) == []
