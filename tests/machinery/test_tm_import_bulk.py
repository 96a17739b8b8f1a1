"""``TranslationMemory.add_many`` stores an import's batch straight through the driver: new segments inserted,
stored ones updated in place (a later duplicate wins), customer data masked, timestamps as the ORM writes them;
on SQLite and, with TOLK_TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from machinery.memory import TranslationMemory
from machinery.models import TmOrigin, TmSegment
from tolk.db import make_engine


@pytest.fixture
def tm(database_url):
    engine = make_engine(database_url)
    yield TranslationMemory(engine)
    engine.dispose()


def rows(session) -> list[tuple]:
    return [(s.source_lang, s.target_lang, s.source_text, s.target_text, s.context, s.approved_by, s.origin)
            for s in session.scalars(select(TmSegment).order_by(TmSegment.id))]


def test_a_second_import_updates_the_stored_segments_and_adds_the_new_ones(tm):
    with tm.sessionmaker() as session:
        assert tm.add_many(session, [("en", "es", "Your order shipped.", "Su pedido salió.", None, None),
                                     ("en_us", "DE", "Thanks!", "Danke!", "reply:1", "ana")], "imported") == 2
        session.commit()
        first = session.scalar(select(TmSegment).where(TmSegment.target_lang == "de"))
        assert first is not None and first.created_at.tzinfo is not None
        created = first.created_at
        assert tm.add_many(session, [
            ("en-US", "de", "Thanks!", "Vielen Dank!", "reply:2", "bob"),   # same key: updated in place
            ("en", "es", "Your  order shipped.", "Tu pedido salió.", None, None),  # same normalized source
            ("en", "es", "Your  order shipped.", "Su pedido ha salido.", None, "eva"),  # a later duplicate wins
            ("en", "fr", "Thanks!", "Merci !", None, None),  # new
        ], TmOrigin.IMPORTED) == 4
        session.commit()
        got = {(r[0], r[1]): r for r in rows(session)}
        assert len(got) == 3 and session.scalar(select(func.count()).select_from(TmSegment)) == 3
        assert got[("en", "es")][3:6] == ("Su pedido ha salido.", None, "eva")
        assert got[("en-US", "de")][3:6] == ("Vielen Dank!", "reply:2", "bob")
        assert got[("en", "fr")][3] == "Merci !"
        updated = session.scalar(select(TmSegment).where(TmSegment.target_lang == "de"))
        assert updated is not None and updated.created_at == created and updated.updated_at >= created
        assert isinstance(updated.updated_at, dt.datetime) and updated.updated_at.tzinfo is not None
        match = tm.lookup_exact(session, "en-US", "de", "Thanks!")
        assert match is not None and match.target_text == "Vielen Dank!"


def test_customer_data_is_masked_and_a_target_with_data_of_its_own_is_left_out(tm):
    with tm.sessionmaker() as session:
        assert tm.add_many(session, [
            ("en", "es", "Write to ana@example.com today.", "Escriba a ana@example.com hoy.", None, None),
            ("en", "es", "Write to us today.", "Escriba a bob@example.com hoy.", None, None),
        ], "imported") == 1
        session.commit()
        assert [(r[2], r[3]) for r in rows(session)] == [
            ("Write to [[email:1]] today.", "Escriba a [[email:1]] hoy.")]


def test_an_empty_side_is_refused_and_stores_nothing(tm):
    with tm.sessionmaker() as session:
        with pytest.raises(ValueError, match="non-empty"):
            tm.add_many(session, [("en", "es", "Fine.", "Bien.", None, None), ("en", "es", " ", "x", None, None)],
                        "imported")
        session.rollback()
        assert rows(session) == []
