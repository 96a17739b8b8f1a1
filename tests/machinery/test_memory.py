"""Translation memory: exact reuse, origin ranking, no duplicates, fuzzy index against brute force."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

import machinery.models  # noqa: F401  (registers the tables)
from machinery.fuzzy import FuzzyIndex, length_bounds
from machinery.memory import TranslationMemory, language_tag, normalize
from machinery.models import TmOrigin, TmSegment


@pytest.fixture
def tm(engine):
    return TranslationMemory(engine, refresh_interval=3600)


@pytest.fixture
def session(tm):
    with tm.sessionmaker() as session:
        yield session


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(TmSegment))


# -- normalization and exact reuse --


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Your order  has\tshipped. ", "Your order has shipped.", True),
    ("Caf\u0065\u0301 open", "Caf\u00e9 open", True),  # NFD vs NFC
    ("Reset\u00a0the router", "Reset the router", True),  # no-break space
    ("Sign in.", "sign in.", False),  # case can mark a product name
    ("Sign in.", "Sign in?", False),  # punctuation changes meaning
])
def test_normalize_ignores_only_whitespace_and_encoding(a, b, same):
    assert (normalize(a) == normalize(b)) is same


def test_language_tags_are_canonical():
    assert language_tag("en_us") == "en-US"
    assert language_tag("ZH-hant-tw") == "zh-Hant-TW"


def test_exact_match_reuses_a_stored_segment_despite_spacing(tm, session):
    tm.add(session, "en", "de", "Your refund was issued.", "Ihre Erstattung wurde veranlasst.", "machine",
           engine="deepl", context="reply:17")
    session.commit()
    match = tm.lookup_exact(session, "en", "de", "  Your refund  was issued. ")
    assert match is not None
    assert (match.target_text, match.score, match.origin, match.engine, match.context) == (
        "Ihre Erstattung wurde veranlasst.", 100.0, TmOrigin.MACHINE, "deepl", "reply:17")
    assert tm.lookup_exact(session, "en", "fr", "Your refund was issued.") is None
    assert tm.lookup_exact(session, "en", "de", "Your refund was issued!") is None


def test_exact_match_prefers_human_then_imported_then_machine(tm, session):
    src = "Please restart the router."
    tm.add(session, "en", "es", src, "Por favor reinicie el enrutador.", TmOrigin.MACHINE, engine="deepl")
    tm.add(session, "en", "es", src, "Reinicie el router, por favor.", TmOrigin.IMPORTED)
    assert tm.lookup_exact(session, "en", "es", src).origin is TmOrigin.IMPORTED
    tm.add(session, "en", "es", src, "Reinicia el router, por favor.", TmOrigin.HUMAN, approved_by="lucia")
    session.commit()
    best = tm.lookup_exact(session, "en", "es", src)
    assert (best.origin, best.target_text) == (TmOrigin.HUMAN, "Reinicia el router, por favor.")
    assert count(session) == 3  # the machine and imported rows are kept, only outranked


def test_exact_lookups_in_one_batch_answer_as_one_at_a_time(tm, session, monkeypatch):
    pairs = {f"Step {i}: open the settings and check option {i}.": f"Paso {i}: abra los ajustes." for i in range(7)}
    for source, target in pairs.items():
        tm.add(session, "en", "es", source, target, TmOrigin.IMPORTED)
    tm.add(session, "en", "es", "Step 0: open the settings and check option 0.", "Paso 0 (revisado).", TmOrigin.HUMAN)
    session.commit()
    asked = ["", *pairs, "Step 3:  open the settings and check option 3.", "Not stored at all.", "   "]
    monkeypatch.setattr("machinery.memory.EXACT_BATCH", 3)  # several queries, a duplicate across them
    batch = tm.lookup_exact_many(session, "en", "es", asked)
    assert [m and m.target_text for m in batch] == [tm.lookup_exact(session, "en", "es", t) and
                                                    tm.lookup_exact(session, "en", "es", t).target_text for t in asked]
    assert batch[1].target_text == "Paso 0 (revisado)." and batch[-3].target_text == "Paso 3: abra los ajustes."
    assert batch[0] is None and batch[-2] is None and batch[-1] is None


def test_repeated_add_updates_instead_of_duplicating(tm, session):
    for _ in range(2):  # a retried job
        tm.add(session, "en", "de", "Thanks for waiting.", "Danke fürs Warten.", "machine", engine="deepl")
        session.commit()
    tm.add(session, "en", "de", "Thanks  for waiting.", "Danke für Ihre Geduld.", "machine", engine="google")
    session.commit()
    assert count(session) == 1
    match = tm.lookup_exact(session, "en", "de", "Thanks for waiting.")
    assert (match.target_text, match.engine) == ("Danke für Ihre Geduld.", "google")


def test_add_rejects_empty_sides(tm, session):
    with pytest.raises(ValueError, match="source"):
        tm.add(session, "en", "de", "  ", "x", "human")
    with pytest.raises(ValueError, match="target"):
        tm.add(session, "en", "de", "Hello", " ", "human")


# -- fuzzy lookups through the memory --


def test_fuzzy_scores_are_rapidfuzz_ratio_and_human_wins_ties(tm, session):
    query = "Your order has shipped and will arrive on Monday."
    near = "Your order has shipped and will arrive on Tuesday."
    tm.add(session, "en", "de", near, "maschinell", "machine")
    tm.add(session, "en", "de", near, "menschlich", "human", approved_by="anna")
    tm.add(session, "en", "de", "Your order was cancelled.", "storniert", "human")
    session.commit()
    matches = tm.lookup_fuzzy("en", "de", query)
    assert [m.target_text for m in matches] == ["menschlich"]  # one per source, best origin
    assert matches[0].score == fuzz.ratio(normalize(query), normalize(near))
    assert matches[0].origin is TmOrigin.HUMAN


def test_fuzzy_orders_by_score_and_respects_threshold_and_limit(tm, session):
    sources = ["Please restart the device.", "Please restart the devices now.", "Please reset the device.",
               "Delivery takes three days."]
    for i, src in enumerate(sources):
        tm.add(session, "en", "fr", src, f"t{i}", "imported")
    session.commit()
    query = "Please restart the device!"
    expected = sorted(((fuzz.ratio(query, s), s) for s in sources if fuzz.ratio(query, s) >= 75), reverse=True)
    got = tm.lookup_fuzzy("en", "fr", query)
    assert [(m.score, m.source_text) for m in got] == expected
    assert len(tm.lookup_fuzzy("en", "fr", query, limit=1)) == 1
    assert tm.lookup_fuzzy("en", "fr", query, threshold=99) == []


def test_fuzzy_index_learns_on_commit_not_on_rollback(tm, session):
    tm.add(session, "en", "de", "Your parcel is on its way.", "unterwegs", "machine")
    session.commit()
    assert tm.lookup_fuzzy("en", "de", "Your parcel is on its way!")  # builds the index
    tm.add(session, "en", "de", "Your parcel was delivered today.", "zugestellt", "machine")
    session.rollback()
    assert all(m.target_text != "zugestellt" for m in tm.lookup_fuzzy("en", "de", "Your parcel was delivered today"))
    tm.add(session, "en", "de", "Your parcel was delivered today.", "zugestellt", "human")
    session.commit()
    assert tm.lookup_fuzzy("en", "de", "Your parcel was delivered today")[0].target_text == "zugestellt"


def test_refresh_sees_segments_added_by_another_process(engine, tm, session):
    tm.add(session, "en", "de", "The warranty covers two years.", "zwei Jahre", "human")
    session.commit()
    assert len(tm.lookup_fuzzy("en", "de", "The warranty covers two years")) == 1
    other = TranslationMemory(sessionmaker(engine))  # another gunicorn worker
    with other.sessionmaker() as s2:
        other.add(s2, "en", "de", "The warranty covers three years.", "drei Jahre", "human")
        s2.commit()
    assert len(tm.lookup_fuzzy("en", "de", "The warranty covers three years")) == 1  # not refreshed yet
    tm.refresh()
    assert tm.lookup_fuzzy("en", "de", "The warranty covers three years")[0].target_text == "drei Jahre"


def test_refresh_interval_zero_refreshes_on_every_lookup(engine, session):
    tm = TranslationMemory(engine, refresh_interval=0)
    assert tm.lookup_fuzzy("en", "de", "Hello there") == []
    other = TranslationMemory(engine)
    other.add(session, "en", "de", "Hello there!", "Hallo!", "human")
    session.commit()
    assert [m.target_text for m in tm.lookup_fuzzy("en", "de", "Hello there")] == ["Hallo!"]


# -- the index itself, against brute force --


WORDS = ["order", "refund", "parcel", "device", "router", "warranty", "invoice", "account", "password", "delivery", "address", "label", "restart", "reset", "update", "cancel", "return", "replace", "confirm", "check", "send", "ship", "arrive", "issue"]


def sentences(rng: random.Random, n: int) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 9))]
        if rng.random() < 0.5:
            words.append(f"#{rng.randint(1000, 99999)}")
        out.add(" ".join(words).capitalize() + rng.choice(".!?"))
    return sorted(out)


def edited(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(chars))
        chars[i] = rng.choice("abcdefghij ")
    return "".join(chars)


@pytest.mark.parametrize("max_candidates", [1500, 300])
def test_index_finds_what_brute_force_finds(max_candidates):
    rng = random.Random(5)
    base = sentences(rng, 3000)
    texts = sorted(set(base + [edited(rng, rng.choice(base)) for _ in range(1000)]))  # near neighbours
    index = FuzzyIndex(max_candidates=max_candidates, frequent_grams=64, exhaustive_below=0)
    index.add_many(range(1, 1501), texts[:1500])  # small: posted to the dict of recent additions
    for i, text in enumerate(texts[1500:], start=1501):  # one by one: a merge into arrays midway
        index.add(i, text)
    assert 0 < index._merged < len(texts) - 1
    queries = [edited(rng, rng.choice(texts)) for _ in range(60)] + sentences(random.Random(9), 40)
    hits = total = 0
    for query in queries:
        truth = process.extract(query, texts, scorer=fuzz.ratio, score_cutoff=75, limit=5)
        got = index.search(query, limit=5, threshold=75)
        for doc_id, score in got:
            assert score == fuzz.ratio(query, texts[doc_id - 1])
        total += len(truth)
        hits += sum(1 for k, (_, score, _) in enumerate(truth) if k < len(got) and got[k][1] == score)
    assert total > 100
    assert hits / total >= (1.0 if max_candidates == 1500 else 0.95)


def test_index_ties_go_to_priority_then_newest():
    index = FuzzyIndex(exhaustive_below=0)
    index.add(1, "Restart the router now.", priority=1)
    index.add(2, "Restart the router now.", priority=3)
    index.add(3, "Restart the router now.", priority=1)
    assert [doc for doc, _ in index.search("Restart the router now!")] == [2, 3, 1]


def test_index_empty_and_unmatched_queries():
    index = FuzzyIndex(exhaustive_below=0)
    assert index.search("anything") == []
    index.add(1, "Hello")
    assert index.search("") == []
    assert index.search("zzzz qqqq") == []


@pytest.mark.parametrize("length", [1, 7, 40, 123])
@pytest.mark.parametrize("threshold", [50, 75, 90])
def test_length_bounds_are_tight_and_safe(length, threshold):
    lo, hi = length_bounds(length, threshold)
    best = lambda other: 200 * min(length, other) / (length + other)  # noqa: E731 (LCS <= shorter)
    assert best(lo) >= threshold and best(hi) >= threshold
    assert best(lo - 1) < threshold and best(hi + 1) < threshold
