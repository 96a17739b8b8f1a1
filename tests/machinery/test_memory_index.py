"""Fuzzy-index snapshots: built once, mapped by every process, kept current, rebuilt after an erasure."""

from __future__ import annotations

import ast
import random
import threading

import pytest
from sqlalchemy import delete, func, select

import machinery.memory
import machinery.models  # noqa: F401  (registers the tables)
from machinery import memory_index
from machinery.fuzzy import FuzzyIndex
from machinery.memory import TranslationMemory
from machinery.models import TmOrigin, TmSegment
from tolk.db import Base, make_engine

WORDS = ["order", "refund", "parcel", "courier", "invoice", "warranty", "router", "battery", "account",
         "password", "delivery", "address", "label", "return", "screen", "charger", "subscription"]


def sentences(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add(f"Your {rng.choice(WORDS)} and {rng.choice(WORDS)} for {rng.choice(WORDS)} #{rng.randint(1, 10**6)}")
    return sorted(out)


@pytest.fixture
def index_dir(tmp_path):
    return tmp_path / "tm-index"


def memory(engine, index_dir, **kwargs) -> TranslationMemory:
    """A memory as a fresh process would build it (its own indexes, the shared directory)."""
    return TranslationMemory(engine, index_dir=index_dir, refresh_interval=kwargs.pop("refresh_interval", 3600),
                             **kwargs)


def fill(tm: TranslationMemory, texts: list[str], pair=("en", "de")) -> None:
    with tm.sessionmaker() as session:
        for text in texts:
            tm.add(session, *pair, text, text.upper(), TmOrigin.MACHINE)
        session.commit()


def test_a_snapshot_answers_exactly_as_the_index_it_was_written_from(tmp_path):
    texts = sentences(3000)
    built = FuzzyIndex(exhaustive_below=0, max_candidates=200)
    built.add_many(range(1, len(texts) + 1), texts, [i % 3 for i in range(len(texts))])
    memory_index.write_snapshot(tmp_path, ("en", "de"), built, seen_max=len(texts), recent_ids={len(texts)})
    snapshot = memory_index.open_snapshot(tmp_path, ("en", "de"), exhaustive_below=0, max_candidates=200)
    assert snapshot is not None and snapshot.seen_max == 3000 and snapshot.recent_ids == {3000}
    rng = random.Random(5)
    for query in [rng.choice(texts)[:-2] for _ in range(50)] + ["nothing alike at all"]:
        assert snapshot.index.ranked(query, 10, 60) == built.ranked(query, 10, 60)
    with pytest.raises(RuntimeError, match="read-only"):
        snapshot.index.add(99999, "new text")


def test_a_snapshot_of_an_older_format_is_not_opened(tmp_path):
    # Its arrays lack the block signatures: the pair is built again rather than read wrongly.
    built = FuzzyIndex()
    built.add_many([1, 2], ["Order shipped", "Refund issued"])
    generation = memory_index.write_snapshot(tmp_path, ("en", "de"), built, seen_max=2, recent_ids=set())
    assert memory_index.open_snapshot(tmp_path, ("en", "de")) is not None
    meta = tmp_path / "en~de" / generation / "meta.json"
    meta.write_text(meta.read_text().replace(f'"format": {memory_index.FORMAT}', '"format": 2'))
    assert memory_index.open_snapshot(tmp_path, ("en", "de")) is None


def test_a_memory_replaces_a_snapshot_of_an_older_format(engine, index_dir):
    texts = sentences(200)
    fill(TranslationMemory(engine), texts)
    memory(engine, index_dir).lookup_fuzzy("en", "de", "warm up")
    old = memory_index.current_generation(index_dir, ("en", "de"))
    meta = index_dir / "en~de" / str(old) / "meta.json"
    meta.write_text(meta.read_text().replace(f'"format": {memory_index.FORMAT}', f'"format": {memory_index.FORMAT - 1}'))
    later = memory(engine, index_dir)
    assert [m.source_text for m in later.lookup_fuzzy("en", "de", texts[4][:-1])][:1] == [texts[4]]
    assert memory_index.current_generation(index_dir, ("en", "de")) not in (None, old)
    assert later.indexes._pairs[("en", "de")].snapshot is not None


def test_opening_a_snapshot_parses_no_python_literal(tmp_path, monkeypatch):
    """numpy.load reads an .npy header with ast.literal_eval, and CPython 3.11's AST constructor is not
    thread-safe: threads opening snapshots at once failed with "AST constructor recursion depth mismatch"."""
    built = FuzzyIndex()
    built.add_many(range(1, 301), sentences(300))
    memory_index.write_snapshot(tmp_path, ("en", "de"), built, seen_max=300, recent_ids=set())

    def no_ast(*args, **kwargs):
        raise AssertionError("a snapshot is opened without the ast module")

    with monkeypatch.context() as patched:
        patched.setattr(ast, "literal_eval", no_ast)
        patched.setattr(ast, "parse", no_ast)
        snapshot = memory_index.open_snapshot(tmp_path, ("en", "de"))
    query = sentences(300)[9][:-1]
    assert snapshot is not None and snapshot.index.ranked(query, 3, 60) == built.ranked(query, 3, 60)


def test_texts_of_a_snapshot_keep_every_script(tmp_path):
    texts = ["Zamówienie wysłane", "注文は発送されました", "الطلب في الطريق", "", "Ok"]
    built = FuzzyIndex()
    built.add_many(range(1, 6), texts)
    memory_index.write_snapshot(tmp_path, ("pl", "en"), built, seen_max=5, recent_ids=set())
    snapshot = memory_index.open_snapshot(tmp_path, ("pl", "en"))
    assert snapshot is not None
    assert sorted(snapshot.index.snapshot()[1]) == sorted(texts)  # a bulk load orders documents


def test_an_empty_memory_gets_an_empty_snapshot_that_still_answers(engine, index_dir):
    tm = memory(engine, index_dir)
    assert tm.lookup_fuzzy("en", "de", "Your order has shipped") == []
    assert memory_index.current_generation(index_dir, ("en", "de")) is not None
    fill(tm, ["Your order has shipped today"])
    assert [m.source_text for m in tm.lookup_fuzzy("en", "de", "Your order has shipped today!")] == [
        "Your order has shipped today"]


def test_the_first_process_builds_the_snapshot_and_the_next_maps_it(engine, index_dir, monkeypatch):
    texts = sentences(500)
    fill(TranslationMemory(engine), texts)
    first = memory(engine, index_dir)
    expected = first.lookup_fuzzy("en", "de", texts[7][:-1])
    generation = memory_index.current_generation(index_dir, ("en", "de"))
    assert expected and generation

    def no_build(*args, **kwargs):
        raise AssertionError("a second process must map the snapshot, not build one")

    monkeypatch.setattr(memory_index, "write_snapshot", no_build)
    second = memory(engine, index_dir)
    assert second.lookup_fuzzy("en", "de", texts[7][:-1]) == expected
    assert second.indexes._pairs[("en", "de")].snapshot is not None
    assert len(second.indexes._pairs[("en", "de")].index) == 0  # nothing of its own


def test_concurrent_first_lookups_build_one_snapshot(engine, index_dir, monkeypatch):
    fill(TranslationMemory(engine), sentences(300))
    writes = []
    real = memory_index.write_snapshot
    monkeypatch.setattr(memory_index, "write_snapshot", lambda *a, **k: writes.append(1) or real(*a, **k))
    memories = [memory(engine, index_dir) for _ in range(4)]
    threads = [threading.Thread(target=tm.lookup_fuzzy, args=("en", "de", "Your order and refund")) for tm in memories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(writes) == 1


def test_segments_added_after_the_snapshot_are_found_here_at_once_and_elsewhere_on_refresh(engine, index_dir):
    fill(TranslationMemory(engine), sentences(200))
    here, elsewhere = memory(engine, index_dir), memory(engine, index_dir)
    here.lookup_fuzzy("en", "de", "warm up")
    elsewhere.lookup_fuzzy("en", "de", "warm up")
    fill(here, ["The courier lost parcel 4411 near the depot"])
    query = "The courier lost parcel 4411 near the depot."
    assert [m.source_text for m in here.lookup_fuzzy("en", "de", query)] == [query[:-1]]
    assert elsewhere.lookup_fuzzy("en", "de", query) == []  # not refreshed yet
    elsewhere.refresh()
    assert [m.source_text for m in elsewhere.lookup_fuzzy("en", "de", query)] == [query[:-1]]


def test_a_refresh_reads_the_texts_of_new_segments_only(engine, index_dir, monkeypatch):
    """The window below the highest id seen is checked again for late commits by id; the texts already indexed
    there (up to 1,000) are not read and normalised again on every refresh."""
    fill(TranslationMemory(engine), sentences(1500))
    here = memory(engine, index_dir)
    here.lookup_fuzzy("en", "de", "warm up")
    fill(TranslationMemory(engine), ["The courier lost parcel 4411 near the depot"])
    read: list[str] = []
    real = machinery.memory.normalize
    monkeypatch.setattr(machinery.memory, "normalize", lambda text: read.append(text) or real(text))
    here.refresh()
    assert read == ["The courier lost parcel 4411 near the depot"]
    query = "The courier lost parcel 4411 near the depot."
    assert [m.source_text for m in here.lookup_fuzzy("en", "de", query)] == [query[:-1]]
    read.clear()
    here.refresh()
    assert read == []


def test_a_pair_that_outgrows_its_snapshot_is_reported_once_and_the_new_one_is_taken_up(engine, index_dir):
    fill(TranslationMemory(engine), sentences(100))
    stale: list[tuple[str, str]] = []
    tm = memory(engine, index_dir, on_stale=lambda src, tgt, **kw: stale.append((src, tgt)), refresh_interval=0)
    tm.indexes.STALE_MIN = 20
    tm.lookup_fuzzy("en", "de", "warm up")
    old = memory_index.current_generation(index_dir, ("en", "de"))
    fill(tm, sentences(60, seed=9))
    tm.lookup_fuzzy("en", "de", "again")
    tm.lookup_fuzzy("en", "de", "and again")
    assert stale == [("en", "de")]
    assert tm.rebuild("en", "de", force=True) != old  # what the worker job does
    tm.lookup_fuzzy("en", "de", "after the rebuild")
    state = tm.indexes._pairs[("en", "de")]
    assert state.generation != old and len(state.index) == 0 and len(state.snapshot) == 160


def test_an_erasure_writes_the_snapshot_again_without_the_erased_text(engine, index_dir):
    tm = memory(engine, index_dir)
    fill(tm, sentences(50))
    with tm.sessionmaker() as session:
        tm.add(session, "en", "de", "Secret plan for the Kowalski account", "GEHEIM", TmOrigin.MACHINE,
               context="reply:7")
        session.commit()
    assert tm.rebuild("en", "de", force=True)
    generation = memory_index.current_generation(index_dir, ("en", "de"))
    assert b"Kowalski" in (index_dir / "en~de" / generation / "texts.bin").read_bytes()
    with tm.sessionmaker() as session:
        session.execute(delete(TmSegment).where(TmSegment.context == "reply:7"))
        tm.forget(session, [("en", "de")])
        session.commit()
    generation = memory_index.current_generation(index_dir, ("en", "de"))
    files = b"".join(path.read_bytes() for path in (index_dir / "en~de").rglob("*") if path.is_file())
    assert b"Kowalski" not in files
    assert len(list((index_dir / "en~de").iterdir())) == 3  # CURRENT, lock and one generation


def test_a_snapshot_of_another_database_is_not_trusted(engine, index_dir, tmp_path):
    fill(TranslationMemory(engine), sentences(300))
    memory(engine, index_dir).lookup_fuzzy("en", "de", "warm up")
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    Base.metadata.create_all(other)
    fill(TranslationMemory(other), ["Your invoice was sent to the billing address"])
    found = memory(other, index_dir).lookup_fuzzy("en", "de", "Your invoice was sent to the billing address!")
    assert [m.source_text for m in found] == ["Your invoice was sent to the billing address"]
    other.dispose()


def test_a_hit_whose_segment_changed_since_it_was_indexed_is_dropped(engine, index_dir):
    fill(TranslationMemory(engine), ["A refund was issued today"] + sentences(20))
    tm = memory(engine, index_dir)
    assert tm.lookup_fuzzy("en", "de", "A refund was issued today!")
    with tm.sessionmaker() as session:
        segment = session.scalars(select(TmSegment).where(TmSegment.source_text.like("A refund%"))).one()
        segment.source_text = "Something else entirely now"
        session.commit()
        assert session.scalar(select(func.count()).select_from(TmSegment)) == 21
    assert tm.lookup_fuzzy("en", "de", "A refund was issued today!") == []
