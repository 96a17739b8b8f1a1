"""Storing an imported glossary in bulk: rows inserted in batches as the file is read, in the caller's
transaction, so memory stays bounded and a refused file (or a failed job) stores nothing at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, Connection, Dialect, delete, func, select
from sqlalchemy.orm import Session

from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm, search_form
from glossaries.store import check_name
from glossaries.terms import Concept, TermStatus
from tolk.db import utcnow
from tolk.errors import Conflict

#: Concepts per INSERT: few round trips, little memory.
BATCH = 1000
_CONCEPT_COLUMNS = ("glossary_id", "external_id", "do_not_translate", "note", "subject")
_TERM_COLUMNS = ("concept_id", "lang", "text", "search_text", "part_of_speech", "case_sensitive", "status", "note")
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":{n}", "named": ":p{n}"}


def insert_rows(connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple], *,
                unless_present: tuple[str, ...] = ()) -> None:
    """INSERT ``rows`` (values in the order of ``columns``, as the driver takes them) in one executemany.

    Straight to the driver: SQLAlchemy's per-row parameter processing was a third of a 200,000-row import.
    The values must be what the columns store (an enum's value, search_form of a term, a timestamp as
    ``bound_value`` gives it): no Python-side default or type conversion runs here. With ``unless_present``
    (the columns of a unique constraint), a row whose key is taken is skipped (``ON CONFLICT DO NOTHING``,
    SQLite and PostgreSQL).
    """
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(connection, len(columns))})"  # noqa: S608
    if unless_present:
        sql += f" ON CONFLICT ({', '.join(unless_present)}) DO NOTHING"
    _executemany(connection, sql, rows)


def update_rows(connection: Connection, table: str, columns: tuple[str, ...], key: str, rows: list[tuple]) -> None:
    """UPDATE ``columns`` of the rows whose ``key`` is each row's last value, in one executemany (as
    ``insert_rows``: values as the driver takes them)."""
    marks = _marks(connection, len(columns) + 1).split(", ")
    assignments = ", ".join(f"{column} = {mark}" for column, mark in zip(columns, marks, strict=False))
    _executemany(connection, f"UPDATE {table} SET {assignments} WHERE {key} = {marks[-1]}", rows)  # noqa: S608


def bound_value(column: ColumnElement[Any], value: Any, dialect: Dialect) -> Any:
    """``value`` as SQLAlchemy would hand it to the driver for ``column`` (an enum's stored value, a timestamp
    in the dialect's form): compute it once for a value every row shares, then pass it to ``insert_rows``."""
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(value) if processor is not None else value


def _marks(connection: Connection, count: int) -> str:
    return ", ".join(_MARKS[connection.dialect.paramstyle].format(n=n) for n in range(1, count + 1))


def _executemany(connection: Connection, sql: str, rows: list[tuple]) -> None:
    """Names are ours (tables and columns), values go as parameters."""
    style = connection.dialect.paramstyle
    if style in ("named", "numeric"):
        connection.exec_driver_sql(sql, [{f"p{n}" if style == "named" else str(n): v
                                          for n, v in enumerate(row, start=1)} for row in rows])
    else:
        connection.exec_driver_sql(sql, rows)


def glossary_free(session: Session, name: str, replace: bool) -> str:
    """``name`` checked; Conflict when a glossary has it and ``replace`` is not set."""
    name = check_name(name)
    if not replace and session.scalar(select(Glossary.id).where(Glossary.name == name)) is not None:
        raise Conflict(f"glossary {name!r} exists; import with replace to overwrite it")
    return name


def store_glossary(session: Session, *, name: str, source_lang: str, description: str, concepts: Iterable[Concept],
                   replace: bool = False, progress: Callable[[int], None] | None = None) -> tuple[Glossary, int]:
    """Create (or, with ``replace``, empty and refill) the glossary ``name`` from ``concepts`` as they come;
    the glossary and how many entries it got. The caller commits, or rolls back on an error."""
    name = glossary_free(session, name, replace)
    glossary = session.scalar(select(Glossary).where(Glossary.name == name))
    if glossary is None:
        glossary = Glossary(name=name, source_lang=source_lang, description=description or "")
        session.add(glossary)
        session.flush()
    else:
        old = select(GlossaryConcept.id).where(GlossaryConcept.glossary_id == glossary.id)
        session.execute(delete(GlossaryTerm).where(GlossaryTerm.concept_id.in_(old)))
        session.execute(delete(GlossaryConcept).where(GlossaryConcept.glossary_id == glossary.id))
        session.expire(glossary, ["concepts"])
        glossary.source_lang = source_lang
        glossary.description = description or glossary.description
        glossary.version += 1
        glossary.updated_at = utcnow()
    session.flush()
    connection = session.connection()
    last = session.scalar(select(func.max(GlossaryConcept.id))) or 0
    stored = 0
    rows = iter(concepts)
    while batch := list(islice(rows, BATCH)):
        insert_rows(connection, GlossaryConcept.__tablename__, _CONCEPT_COLUMNS, [
            (glossary.id, c.id, c.do_not_translate, c.note, c.subject) for c in batch])
        # The batch's ids, read back in insertion order (RETURNING with that order is row by row on SQLite).
        ids = connection.execute(select(GlossaryConcept.id).where(
            GlossaryConcept.glossary_id == glossary.id, GlossaryConcept.id > last).order_by(GlossaryConcept.id)
        ).scalars().all()
        if len(ids) != len(batch):
            raise Conflict(f"glossary {name!r} was changed while it was imported; import it again")
        last = ids[-1]
        terms = [(concept_id, t.lang, t.text, search_form(t.text), t.part_of_speech, t.case_sensitive,
                  TermStatus(t.status).value, t.note)
                 for concept_id, c in zip(ids, batch, strict=True) for t in c.terms]
        if terms:
            insert_rows(connection, GlossaryTerm.__tablename__, _TERM_COLUMNS, terms)
        stored += len(batch)
        if progress is not None:
            progress(stored)
    session.flush()
    return glossary, stored
