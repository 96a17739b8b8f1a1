"""Machine translations written to the memory in bulk (``add_machine_many``) end as ``add`` one by one leaves them."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

import machinery.models  # noqa: F401  (registers the tables)
from machinery.memory import TranslationMemory
from machinery.memory_machine import add_machine_many
from machinery.models import TmOrigin, TmSegment
from machinery.pii import Customer


@pytest.fixture
def tm(engine):
    return TranslationMemory(engine, refresh_interval=3600)


def stored(session, target_lang: str) -> list[tuple]:
    return [tuple(row) for row in session.execute(
        select(TmSegment.source_text, TmSegment.target_text, TmSegment.origin, TmSegment.engine, TmSegment.context,
               TmSegment.approved_by)
        .where(TmSegment.target_lang == target_lang).order_by(TmSegment.source_text))]


UNITS = [("Open the settings.", "Abre los ajustes.", "deepl"),
         ("Sign in  to your account.", "Inicia sesión.", "deepl"),
         ("Open the settings.", "Abra la configuración.", "google"),  # repeated: the last one wins
         ("Print the label.", "Imprime la etiqueta.", "apertium")]


def test_the_bulk_write_leaves_what_adding_one_by_one_leaves(tm):
    with tm.sessionmaker() as session:
        for lang in ("es", "ca"):  # the same earlier state in both pairs
            tm.add(session, "en", lang, "Sign in to your account.", "Entra.", TmOrigin.MACHINE, engine="google")
            tm.add(session, "en", lang, "Print the label.", "Imprime la etiqueta.", TmOrigin.MACHINE,
                   engine="apertium", context="kb:1")
            tm.add(session, "en", lang, "Open the settings.", "Configuración.", TmOrigin.HUMAN, approved_by="ana")
        session.commit()
        for source, target, engine in UNITS:
            tm.add(session, "en", "es", source, target, TmOrigin.MACHINE, engine=engine, context="kb:1")
        add_machine_many(tm, session, "en", "ca", UNITS, context="kb:1")
        session.commit()
        assert stored(session, "ca") == stored(session, "es")
        assert ("Open the settings.", "Abra la configuración.", TmOrigin.MACHINE, "google", "kb:1", None) in stored(
            session, "ca")


def test_new_segments_are_inserted_in_one_statement_and_served_at_once(tm, engine):
    units = [(f"Step {n}: open the settings page.", f"Paso {n}: abre los ajustes.", "deepl") for n in range(120)]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0].upper())

    with tm.sessionmaker() as session:
        event.listen(engine, "before_cursor_execute", seen)
        try:
            add_machine_many(tm, session, "en", "es", units)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        session.commit()
        assert statements == ["SELECT", "INSERT"]
        assert len(stored(session, "es")) == 120
        match = tm.lookup_exact(session, "en", "es", "Step 7: open the settings page.")
        assert match is not None and (match.target_text, match.engine) == ("Paso 7: abre los ajustes.", "deepl")
    # The local fuzzy index learns of them when the session commits, as with ``add``.
    assert tm.lookup_fuzzy("en", "es", "Step 7: open the settings pages.")[0].target_text == "Paso 7: abre los ajustes."


def test_nothing_is_written_when_the_session_rolls_back(tm):
    with tm.sessionmaker() as session:
        add_machine_many(tm, session, "en", "es", UNITS)
        session.rollback()
        assert stored(session, "es") == []
    assert tm.lookup_fuzzy("en", "es", "Open the settings") == []


def test_a_translation_with_customer_data_its_source_lacks_is_not_stored(tm):
    customer = Customer(name="Maria Lopez", email="maria@example.com")
    with tm.sessionmaker() as session:
        add_machine_many(tm, session, "en", "es", [
            ("Thanks for waiting.", "Gracias, Maria Lopez, por esperar.", "deepl"),
            ("Your parcel has left.", "Tu paquete ha salido.", "deepl")], customer=customer)
        session.commit()
        assert [row[0] for row in stored(session, "es")] == ["Your parcel has left."]


def test_an_empty_translation_is_refused_like_add_refuses_it(tm):
    with tm.sessionmaker() as session, pytest.raises(ValueError, match="non-empty"):
        add_machine_many(tm, session, "en", "es", [("Hello.", "  ", "deepl")])


def test_a_segment_another_worker_stored_meanwhile_is_updated_not_duplicated(tm, engine):
    """Between the query for stored segments and the insert, another worker stores one of them: the insert skips
    it and the segment is updated, as ``add`` does when it loses that race."""
    raced: list[bool] = []

    def other_worker_first(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("INSERT INTO tm_segments") and not raced:
            raced.append(True)
            with tm.sessionmaker() as other:
                tm.add(other, "en", "es", "Open the settings.", "Abre la configuración.", TmOrigin.MACHINE,
                       engine="google")
                other.commit()

    with tm.sessionmaker() as session:
        event.listen(engine, "before_cursor_execute", other_worker_first)
        try:
            add_machine_many(tm, session, "en", "es", [("Open the settings.", "Abre los ajustes.", "deepl"),
                                                      ("Print the label.", "Imprime la etiqueta.", "deepl")])
        finally:
            event.remove(engine, "before_cursor_execute", other_worker_first)
        session.commit()
        assert raced == [True]
        assert stored(session, "es") == [
            ("Open the settings.", "Abre los ajustes.", TmOrigin.MACHINE, "deepl", None, None),
            ("Print the label.", "Imprime la etiqueta.", TmOrigin.MACHINE, "deepl", None, None)]
