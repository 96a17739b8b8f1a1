"""The checks of a translated article: the same findings as the checks run one by one, each (segment, translation)
checked once per process for the same languages and check config, never a stale or shared finding."""

from __future__ import annotations

import logging

import pytest

from lqa.checks import CheckConfig, run_checks
from lqa.checks import Segment as CheckedSegment
from workflows.kb import checking, sanitize
from workflows.kb.checking import FindingsMemo, check_segments
from workflows.kb.segmentation import segment

SOURCE = sanitize("<p>Open the <b>Orders</b> page. Pay 25 EUR by 3 May.</p><p>Write to help@example.com.</p>")
TEXTS = ["Abre la página <b>Pedidos</b>.",  # fine
         "Paga 52 EUR antes del 3 de mayo.",  # a number changed
         "Escribe a ayuda@example.com."]  # the e-mail address changed


@pytest.fixture
def counted(monkeypatch):
    """How many segments the checks actually ran on."""
    calls: list[str] = []

    def run(segment, *, config=None):
        calls.append(segment.target)
        return run_checks(segment, config=config)

    monkeypatch.setattr(checking, "run_checks", run)
    return calls


def expected(segments, texts, target="es", config=None):
    found = []
    for i, (seg, text) in enumerate(zip(segments, texts, strict=True)):
        found.extend({**f.to_dict(), "segment": i}
                     for f in run_checks(CheckedSegment(seg.text_html, text, "en", target, fmt="html"), config=config))
    return found


def test_the_findings_are_those_of_the_checks_run_one_by_one():
    segments = segment(SOURCE, "en")
    first = check_segments(segments, TEXTS, "en", "es", {}, memo=FindingsMemo())
    assert first == expected(segments, TEXTS)
    assert {f["segment"] for f in first} == {1, 2}  # the test data does have findings


def test_a_pair_checked_before_is_not_checked_again(counted):
    memo, segments = FindingsMemo(), segment(SOURCE, "en")
    first = check_segments(segments, TEXTS, "en", "es", {}, memo=memo)
    assert len(counted) == 3
    assert check_segments(segments, TEXTS, "en", "es", {}, memo=memo) == first
    assert len(counted) == 3


def test_a_changed_translation_language_or_config_is_checked_again(counted):
    memo, segments = FindingsMemo(), segment(SOURCE, "en")
    check_segments(segments, TEXTS, "en", "es", {}, memo=memo)
    counted.clear()
    edited = [TEXTS[0], "Paga 25 EUR antes del 3 de mayo.", TEXTS[2]]
    assert check_segments(segments, edited, "en", "es", {}, memo=memo) == expected(segments, edited)
    assert counted == [edited[1]]  # only the changed translation
    counted.clear()
    assert check_segments(segments, TEXTS, "en", "ca", {}, memo=memo) == expected(segments, TEXTS, "ca")
    assert len(counted) == 3
    counted.clear()
    config = {"disabled": ["numbers", "emails"]}
    got = check_segments(segments, TEXTS, "en", "es", config, memo=memo)
    assert got == expected(segments, TEXTS, config=CheckConfig.from_dict(config))
    assert not any(f["check"] in ("numbers", "emails") for f in got) and len(counted) == 3


def test_what_a_caller_changes_in_its_findings_does_not_reach_the_next_caller():
    memo, segments = FindingsMemo(), segment(SOURCE, "en")
    first = check_segments(segments, TEXTS, "en", "es", {}, memo=memo)
    pristine = expected(segments, TEXTS)
    for finding in first:
        finding["spans"].append([0, 1])
        finding["data"]["edited"] = True
    assert check_segments(segments, TEXTS, "en", "es", {}, memo=memo) == pristine


def test_an_invalid_config_falls_back_to_the_default_checks(caplog):
    segments = segment(SOURCE, "en")
    with caplog.at_level(logging.WARNING, logger="workflows.kb.checking"):
        got = check_segments(segments, TEXTS, "en", "es", {"disabled": ["no_such_check"]}, memo=FindingsMemo())
    assert got == expected(segments, TEXTS)
    assert "invalid check config for es" in caplog.text


def test_the_memo_is_bounded_and_drops_the_least_recently_used(counted):
    memo = FindingsMemo(size=4)
    segments = segment(sanitize("".join(f"<p>Open page {n}.</p>" for n in range(6))), "en")
    texts = [f"Abre la página {n}." for n in range(6)]
    check_segments(segments[:4], texts[:4], "en", "es", {}, memo=memo)
    check_segments(segments[:1], texts[:1], "en", "es", {}, memo=memo)  # segment 0 used again
    check_segments(segments[4:], texts[4:], "en", "es", {}, memo=memo)  # two more: 1 and 2 are dropped
    assert len(memo) == 4
    counted.clear()
    kept = [0, 3, 4, 5]
    check_segments([segments[i] for i in kept], [texts[i] for i in kept], "en", "es", {}, memo=memo)
    assert counted == []
    check_segments(segments[1:3], texts[1:3], "en", "es", {}, memo=memo)
    assert counted == texts[1:3]
