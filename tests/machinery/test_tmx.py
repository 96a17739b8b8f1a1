"""TMX 1.4: the shared fixtures import, round trips keep segments, bad or hostile files store nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

import machinery.models  # noqa: F401  (registers the tables)
from machinery.memory import TranslationMemory
from machinery.models import TmOrigin, TmSegment
from machinery.tmx import TmxError, TmxUnit, export_tmx, import_tmx, read_tmx, write_tmx
from tolk.db import Base, make_engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tmx"


@pytest.fixture
def tm(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tm.db'}")
    Base.metadata.create_all(engine)
    yield TranslationMemory(engine)
    engine.dispose()


@pytest.fixture
def session(tm):
    with tm.sessionmaker() as session:
        yield session


def stored(session) -> int:
    return session.scalar(select(func.count()).select_from(TmSegment))


def tmx(body: str, header: str = 'srclang="en"') -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
            f'<header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" '
            f'datatype="plaintext" {header}/>\n<body>\n{body}\n</body>\n</tmx>\n').encode()


# -- the shared fixtures --


def test_minimal_fixture_has_no_units():
    assert read_tmx((FIXTURES / "minimal.tmx").read_bytes()) == []


def test_namespaced_attributes_are_ignored():
    [unit] = read_tmx((FIXTURES / "namespaces.tmx").read_bytes())
    assert (unit.source_lang, unit.target_lang, unit.source, unit.target, unit.tuid) == (
        "en", "fr", "Text in English", "Texte en français", "tu1")


def test_standard_fixture_keeps_inline_native_codes_and_note():
    units = read_tmx((FIXTURES / "standard.tmx").read_bytes())
    assert [(u.source, u.target) for u in units] == [
        ("Hello world", "Bonjour le monde"),
        ("Press <b>OK</b>.", "Appuyez sur <b>OK</b>."),
    ]
    assert units[1].note == "Inline tags test"


def test_fixtures_import_into_the_memory(tm, session):
    total = sum(import_tmx(session, tm, (FIXTURES / name).read_bytes())
                for name in ("minimal.tmx", "namespaces.tmx", "standard.tmx"))
    session.commit()
    assert total == stored(session) == 3
    match = tm.lookup_exact(session, "en", "fr", "Hello world")
    assert (match.target_text, match.origin) == ("Bonjour le monde", TmOrigin.IMPORTED)
    assert tm.lookup_fuzzy("en", "fr", "Hello, world")[0].target_text == "Bonjour le monde"


# -- reading details --


def test_tu_srclang_old_lang_attribute_dates_and_context():
    data = tmx("""<tu srclang="de" creationid="anna" creationdate="20240102T030405Z">
  <prop type="x-context">kb:42</prop>
  <tuv lang="de-de"><seg>Hallo</seg></tuv>
  <tuv xml:lang="en" changedate="20240203T000000Z"><seg>Hello</seg></tuv>
  <tuv xml:lang="fr"><seg>Bonjour</seg></tuv>
</tu>""")
    units = read_tmx(data)
    assert [(u.source_lang, u.target_lang, u.target) for u in units] == [
        ("de-DE", "en", "Hello"), ("de-DE", "fr", "Bonjour")]
    assert units[0].creationid == "anna" and units[0].context == "kb:42"
    assert units[0].creationdate == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert units[0].changedate == dt.datetime(2024, 2, 3, tzinfo=dt.UTC)
    assert units[1].changedate is None


def test_srclang_all_makes_every_direction():
    units = read_tmx(tmx('<tu><tuv xml:lang="en"><seg>Yes</seg></tuv><tuv xml:lang="es"><seg>Sí</seg></tuv></tu>',
                         header='srclang="*all*"'))
    assert {(u.source_lang, u.source, u.target) for u in units} == {("en", "Yes", "Sí"), ("es", "Sí", "Yes")}


def test_hi_and_sub_text_kept_and_untranslated_tu_skipped():
    units = read_tmx(tmx("""<tu><tuv xml:lang="en"><seg>Click <hi type="b">Save</hi> <ph>&lt;img alt="<sub>Logo</sub>"&gt;</ph></seg></tuv>
<tuv xml:lang="it"><seg>Fai clic su <hi>Salva</hi></seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Only a source</seg></tuv></tu>"""))
    assert [(u.source, u.target) for u in units] == [('Click Save <img alt="Logo">', "Fai clic su Salva")]


# -- round trip --


def test_write_then_read_round_trips_units():
    units = [
        TmxUnit("en", "de", "Tom & Jerry <3 \"quotes\"", "Tom & Jerry <3 „Zitate“", creationid="anna",
                creationdate=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC), context="reply:17", tuid="1"),
        TmxUnit("fr", "en", "Ligne\nsuivante", "Next\nline", note="from a KB article"),
    ]
    assert read_tmx(write_tmx(units, "en")) == units


def test_export_import_round_trip_between_memories(tm, session, tmp_path):
    tm.add(session, "en", "de", "Your refund is on its way.", "Ihre Erstattung ist unterwegs.", "human",
           approved_by="lena", context="reply:9")
    tm.add(session, "en", "fr", "Your refund is on its way.", "Votre remboursement est en route.", "machine",
           engine="deepl")
    tm.add(session, "de", "en", "Danke!", "Thanks!", "imported")
    session.commit()
    data = export_tmx(session)
    assert b'srclang="*all*"' in data
    assert export_tmx(session, source_lang="en", target_lang="de").count(b"<tu ") == 1

    other_engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    Base.metadata.create_all(other_engine)
    other = TranslationMemory(other_engine)
    with other.sessionmaker() as s2:
        assert import_tmx(s2, other, data) == 3
        s2.commit()
        rows = s2.scalars(select(TmSegment).order_by(TmSegment.id)).all()
        assert [(r.source_lang, r.target_lang, r.source_text, r.target_text, r.context) for r in rows] == [
            ("en", "de", "Your refund is on its way.", "Ihre Erstattung ist unterwegs.", "reply:9"),
            ("en", "fr", "Your refund is on its way.", "Votre remboursement est en route.", None),
            ("de", "en", "Danke!", "Thanks!", None),
        ]
        assert rows[0].approved_by == "lena" and {r.origin for r in rows} == {TmOrigin.IMPORTED}
    other_engine.dispose()


# -- rejection --


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&lol3;</seg></tuv>
<tuv xml:lang="de"><seg>x</seg></tuv></tu></body></tmx>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&secret;</seg></tuv>
<tuv xml:lang="de"><seg>x</seg></tuv></tu></body></tmx>"""

GOOD_TU = '<tu><tuv xml:lang="en"><seg>Good</seg></tuv><tuv xml:lang="de"><seg>Gut</seg></tuv></tu>'


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (tmx(GOOD_TU).replace(b"</body>", b"</bdy>"), r"line 6, column \d+: not well-formed XML \(mismatched tag\)"),
    (BILLION_LAUGHS, "refused for safety"),
    (EXTERNAL_ENTITY, "refused for safety"),
    (b'<tmx version="1.4"><body/></tmx>', "no <header>"),
    (tmx(GOOD_TU, header=""), "line 3, <header>: the header has no srclang"),
    (tmx(GOOD_TU).replace(b"<body>\n", b"").replace(b"</body>\n", b""), "no <body>"),
    (tmx(GOOD_TU + '\n<tu><tuv xml:lang="fr"><seg>a</seg></tuv><tuv xml:lang="de"><seg>b</seg></tuv></tu>'),
     "line 6, <tu>: no <tuv> in the source language 'en'"),
    (tmx(GOOD_TU + '\n<tu><tuv><seg>a</seg></tuv></tu>'), "line 6, <tuv>: <tuv> without xml:lang"),
    (tmx('<tu><tuv xml:lang="en"><seg>a <b>b</b></seg></tuv></tu>'), "line 5, <b>: <b> is not allowed"),
    (tmx('<tu changedate="2024-01-01"><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="de"><seg>b</seg>'
         '</tuv></tu>'), "line 5, <tu>: date '2024-01-01'"),
    (b"<html><body/></html>", "root element must be <tmx>"),
])
def test_bad_tmx_is_rejected_and_nothing_is_stored(tm, session, data, message):
    with pytest.raises(TmxError, match=message):
        import_tmx(session, tm, data)
    session.commit()
    assert stored(session) == 0


def test_oversized_tmx_is_rejected():
    with pytest.raises(TmxError, match="more than the limit"):
        read_tmx(tmx(GOOD_TU), max_bytes=100)


def test_control_characters_cannot_break_the_written_xml():
    data = write_tmx([TmxUnit("en", "de", "bell\x07 here", "Glocke")], "en")
    assert read_tmx(data)[0].source == "bell\ufffd here"
