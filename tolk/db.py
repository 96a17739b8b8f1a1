"""The one SQLAlchemy declarative base, the engine per app, request-scoped sessions and migrations."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app, g
from sqlalchemy import (
    Column,
    ColumnDefault,
    Connection,
    DateTime,
    Engine,
    Enum,
    MetaData,
    Result,
    Table,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapper,
    ORMExecuteState,
    Session,
    SessionTransaction,
    make_transient_to_detached,
    object_mapper,
    sessionmaker,
)
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Server connections older than this are replaced at checkout (below common idle timeouts of proxies and servers).
POOL_RECYCLE_SECONDS = 1800

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every package's models.py."""

    metadata = MetaData(naming_convention=NAMING)


def str_enum(cls: type[enum.StrEnum], length: int = 24) -> Enum:
    """A column type for a state enum: stored as its value in a VARCHAR, refused at flush if unknown."""
    return Enum(cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda e: [m.value for m in e])


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout for concurrent workers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # No ping on every checkout (a round trip per request): connections are replaced before a server's idle
    # timeout would drop them (pool_recycle), and a statement that finds its connection dropped at the start
    # of a transaction runs again on a new one (_retry_first_statement).
    return create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, pool_size=5, max_overflow=10)


class Database:
    """Binds an engine and a session factory to each app; ``db.session`` is one session per app context."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["tolk.db"] = (engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(self._remove)

    @staticmethod
    def _remove(_exc: BaseException | None) -> None:
        session = g.pop("_tolk_session", None)
        if session is not None:
            session.close()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["tolk.db"][0]

    @property
    def session(self) -> Session:
        session = g.get("_tolk_session")
        if session is None:
            session = current_app.extensions["tolk.db"][1]()
            g._tolk_session = session
        return session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))


db = Database()

_DEFERRED = "tolk.deferred_writes"
_INSERTS = "tolk.deferred_inserts"
_CONNECTED = "tolk.transaction_connected"
_AFTER_COMMIT = "tolk.after_commit"


@event.listens_for(Session, "after_begin")
def _mark_connected(session: Session, _transaction: SessionTransaction, _connection: Connection) -> None:
    session.info[_CONNECTED] = True


@event.listens_for(Session, "after_transaction_end")
def _mark_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CONNECTED, None)


@event.listens_for(Session, "do_orm_execute")
def _retry_first_statement(state: ORMExecuteState) -> Result | None:
    """Run the first statement of a transaction again on a new connection when the pooled one was dropped
    (a restarted server, a killed backend): nothing was done in that transaction yet, so nothing is lost.
    A connection dropped later in a transaction fails the request, as it must."""
    session = state.session
    if session.info.get(_CONNECTED):
        return None
    try:
        return state.invoke_statement()
    except DBAPIError as exc:
        # Objects added or changed before this statement would be lost by the rollback: then the request fails.
        if not exc.connection_invalidated or session.new or session.dirty or session.deleted:
            raise
    kept = dict(session.info)  # writes deferred to the commit (tolk.db.defer_write) are not lost
    session.rollback()  # the pool has already dropped the dead connection (and every older one)
    session.info.update(kept)
    return state.invoke_statement()


def defer_write(session: Session, write: Callable[[], object]) -> None:
    """Run ``write`` just before ``session`` commits (dropped on rollback); what it returns is ignored.

    Bookkeeping writes (metering, translation-memory write-back) made while engines are still being
    called would otherwise take SQLite's database-wide write lock early and hold it across network
    calls, serialising every concurrent request behind them.
    """
    session.info.setdefault(_DEFERRED, []).append(write)


def defer_insert(session: Session, statement: Insert, values: Mapping[str, Any] | None = None) -> None:
    """Run the Core INSERT (or upsert) ``statement`` with ``values`` when ``session`` commits (dropped on
    rollback).

    For bookkeeping rows nobody reads back in the same transaction (audit events, engine-call records, a
    ticket's language): on PostgreSQL they travel with the COMMIT, pipelined in one round trip, instead of
    one round trip each; elsewhere they run one by one just before the commit. Pass one statement built
    once (``insert(Model)``) and the row as ``values``: building a statement per row costs more
    CPU than running it.
    """
    if not session.in_transaction():
        session.begin()  # so that a rollback before any other statement drops it too
    session.info.setdefault(_INSERTS, []).append((statement, values))


def after_commit(session: Session, callback: Callable[[], object]) -> None:
    """Run ``callback`` once ``session`` has committed (dropped on rollback). The transaction stands whatever
    it does: an exception is logged, and the later callbacks still run.

    For work outside the database about rows the transaction wrote, such as queueing a job: the job never
    looks for a row that was rolled back, and the transaction (on SQLite, the database's one write lock) is
    not held across a round trip to Redis.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def whole_transaction(session: Session) -> bool:
    """In an ``after_commit`` or ``after_rollback`` listener: whether the event ends the whole transaction.
    SQLAlchemy fires both for a savepoint too (``begin_nested``): its release is not the commit, and its
    rollback leaves the rest of the transaction to be committed."""
    return not session.in_nested_transaction()


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if whole_transaction(session):
        for callback in session.info.pop(_AFTER_COMMIT, ()):
            try:
                callback()
            except Exception:  # noqa: BLE001 - committed already: one failed job must not drop the others
                log.exception("work after a commit failed (the commit stands): %r", callback)


_ROW_INSERTS: dict[tuple[Table, bool], Insert] = {}


def insert_at_once(session: Session, obj: object, children: str | None = None) -> None:
    """INSERT the new ``obj``, and the new objects of its one-to-many collection ``children``, with one Core
    statement each, then attach them to ``session`` as if loaded: persistent, nothing left to flush.

    For the hot write path (a drafted reply and its transitions), where the unit of work's flush costs more
    CPU than the statements. Each column takes the value set on the object, else its Python-side default (set
    on the object too, so nothing is read back); the primary key comes back by RETURNING. Errors (an
    IntegrityError) are raised as a flush would raise them, before anything is attached.
    """
    mapper = object_mapper(obj)
    # On the transaction's connection once it has one: the ORM's execution layer (an execution state, its events,
    # bind lookup) adds nothing to a Core INSERT. The first statement of a transaction keeps it, for the retry
    # on a dropped connection (_retry_first_statement).
    run = session.connection().execute if session.info.get(_CONNECTED) else session.execute
    setattr(obj, _primary_key(mapper), run(_row_insert(mapper), _row_values(obj)).scalar_one())
    kids: list[object] = []
    if children is not None:
        relation = mapper.relationships[children]
        kids = list(getattr(obj, children))
        for kid in kids:
            for parent_column, kid_column in relation.local_remote_pairs:
                value = getattr(obj, mapper.get_property_by_column(parent_column).key)
                setattr(kid, relation.mapper.get_property_by_column(kid_column).key, value)
        if kids:
            ids = session.connection().execute(_row_insert(relation.mapper, many=True),
                                               [_row_values(kid) for kid in kids]).scalars().all()
            for kid, kid_id in zip(kids, ids, strict=True):
                setattr(kid, _primary_key(relation.mapper), kid_id)
    for instance in (*kids, obj):
        make_transient_to_detached(instance)
    session.add(obj)


def _primary_key(mapper: Mapper[Any]) -> str:
    (column,) = mapper.primary_key
    return mapper.get_property_by_column(column).key


def _row_insert(mapper: Mapper[Any], many: bool = False) -> Insert:
    """``INSERT INTO table ... RETURNING id``, built once per table (for many rows: ids in parameter order)."""
    table = mapper.local_table
    if not isinstance(table, Table):
        raise TypeError(f"{mapper.class_.__name__} is not mapped to one table")
    statement = _ROW_INSERTS.get((table, many))
    if statement is None:
        (key,) = table.primary_key.columns
        statement = insert(table).returning(key, sort_by_parameter_order=many)
        _ROW_INSERTS[(table, many)] = statement
    return statement


def _row_values(obj: object) -> dict[str, Any]:
    """Every column of the new ``obj`` but an unset primary key or server default: the value set, else the
    Python default."""
    values: dict[str, Any] = {}
    state = obj.__dict__
    mapper = object_mapper(obj)
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if prop.key in state:
            value = state[prop.key]
        elif column.primary_key:
            continue
        else:
            value = _python_default(column)
            if value is None and column is mapper.version_id_col and callable(mapper.version_id_generator):
                value = mapper.version_id_generator(None)  # the first version, as a flush would set it
            if value is None and isinstance(column, Column) and column.server_default is not None:
                continue  # the database's own value, read back when first used
            setattr(obj, prop.key, value)
        values[column.key] = value
    return values


def _python_default(column: object) -> Any:
    """The column's Python-side default (a value, or a function called now); None for anything else."""
    default = column.default if isinstance(column, Column) else None
    if not isinstance(default, ColumnDefault):
        return None
    return default.arg(None) if default.is_callable else default.arg


@event.listens_for(Session, "before_commit")
def _run_deferred_writes(session: Session) -> None:
    while session.info.get(_DEFERRED):
        for write in session.info.pop(_DEFERRED):
            write()
    inserts = session.info.pop(_INSERTS, None)
    if not inserts:
        return
    session.flush()  # the ORM's rows first: their INSERTs read ids back, which a pipeline cannot give SQLAlchemy
    conn = session.connection()
    if conn.dialect.driver != "psycopg" or session.in_nested_transaction():
        for statement, values in inserts:
            conn.execute(statement, values)
        return
    # psycopg: the INSERTs (inline: no RETURNING, so no result to wait for) and the COMMIT in one pipeline,
    # answered by one round trip. The session's own commit then finds the transaction closed and sends
    # nothing; an error in any of them fails this commit as a whole.
    driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
    try:
        with driver.pipeline():
            for statement, values in inserts:
                conn.execute(statement.inline(), values)
            with driver.cursor() as cursor:
                cursor.execute("COMMIT")
    except conn.dialect.loaded_dbapi.Error as exc:  # raised by the pipeline's sync, outside SQLAlchemy: wrap it
        raise DBAPIError.instance("COMMIT", None, exc, conn.dialect.loaded_dbapi.Error) from exc


@event.listens_for(Session, "after_soft_rollback")
def _drop_deferred_writes(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_DEFERRED, None)
        session.info.pop(_INSERTS, None)
        session.info.pop(_AFTER_COMMIT, None)


_UNMANAGED = re.compile(r"^[a-z0-9_]+_fts(?:_[a-z]+)?$")


def managed_table(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Alembic's ``include_name``: full-text index tables (``*_fts`` and SQLite's FTS5 shadow tables
    ``*_fts_data``...) are made by migrations and have no model, so autogenerate leaves them alone."""
    return not (type_ == "table" and name is not None and _UNMANAGED.match(name))


def alembic_config(url: str):
    """An Alembic config for this project's migrations against ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
