"""Machine translations written to the translation memory in bulk: what ``TranslationMemory.add`` does one by one,
for the segments of one translate call in a few statements."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from machinery.memory import EXACT_BATCH, TranslationMemory, language_tag, normalize, source_hash
from machinery.models import TmOrigin, TmSegment
from machinery.pii import Customer
from machinery.protection import memory_form, memory_translation
from tolk.db import utcnow


def add_machine_many(memory: TranslationMemory, session: Session, source_lang: str, target_lang: str,
                     units: Sequence[tuple[str, str, str]], *, context: str | None = None,
                     customer: Customer | None = None) -> None:
    """``memory.add`` of machine translations ``(source, target, engine)`` of one pair, as calls one by one would
    leave them (the last of a repeated source wins), in a few statements: one query for those stored, one
    multi-row insert, the changed ones updated in one flush. A translated KB article wrote two statements
    per segment, half the CPU of its job."""
    src, tgt, origin = language_tag(source_lang), language_tag(target_lang), TmOrigin.MACHINE
    wanted: dict[str, dict[str, str]] = {}
    for source, target, engine in units:
        if not normalize(source) or not target.strip():
            raise ValueError("a translation-memory segment needs a non-empty source and target")
        memory_source, spans = memory_form(memory.protector, source, customer)
        protected = memory_translation(memory.protector, target, spans, customer)
        if protected is None:
            continue
        key = source_hash(memory_source)
        wanted.pop(key, None)  # keep the order of the last occurrence
        wanted[key] = {"source_text": memory_source, "target_text": protected, "engine": engine}
    if not wanted:
        return
    stored: dict[str, TmSegment] = {}
    keys = list(wanted)
    for start in range(0, len(keys), EXACT_BATCH):
        for segment in session.scalars(
                select(TmSegment)
                .where(TmSegment.source_lang == src, TmSegment.target_lang == tgt, TmSegment.origin == origin,
                       TmSegment.source_hash.in_(keys[start:start + EXACT_BATCH]))
                .order_by(TmSegment.id)):
            stored.setdefault(segment.source_hash, segment)
    fresh = [key for key in keys if key not in stored]
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    if fresh:
        # One statement run with many rows: SQLAlchemy sends them as multi-row INSERTs ("insertmanyvalues")
        # from one cached compilation, where a statement with the rows in it was compiled at every call.
        statement = (insert(TmSegment)
                     .on_conflict_do_nothing(index_elements=["source_lang", "target_lang", "source_hash", "origin"])
                     .returning(TmSegment.id, TmSegment.source_hash))
        rows = [{**wanted[key], "source_lang": src, "target_lang": tgt, "source_hash": key, "origin": origin,
                 "context": context, "approved_by": None, "created_at": now, "updated_at": now} for key in fresh]
        session.flush()  # what the session holds first, as an ORM statement would
        inserted = {digest: seg_id for seg_id, digest in session.connection().execute(statement, rows)}
        for key in fresh:
            if key in inserted:
                memory._on_commit(session, (src, tgt), inserted[key], normalize(wanted[key]["source_text"]),
                                origin.rank)
            else:  # another worker stored it meanwhile: update theirs, as ``add`` does
                values = wanted[key]
                memory._add(session, src, tgt, values["source_text"], values["target_text"], origin,
                          context=context, engine=values["engine"], approved_by=None)
    changed = False
    for key, segment in stored.items():
        values = wanted[key]
        if (segment.target_text, segment.source_text, segment.context, segment.engine, segment.approved_by) != (
                values["target_text"], values["source_text"], context, values["engine"], None):
            segment.source_text, segment.target_text = values["source_text"], values["target_text"]
            segment.context, segment.engine, segment.approved_by = context, values["engine"], None
            segment.updated_at = now
            changed = True
    if changed:
        session.flush()
