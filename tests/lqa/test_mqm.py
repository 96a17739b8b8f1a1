"""MQM typology validation, scoring profiles against hand-computed scores, and confidence intervals."""

from __future__ import annotations

import json

import pytest

from lqa.checks import Severity
from lqa.mqm import (
    Annotation,
    Custom,
    MQM2Linear,
    WMTSegment,
    confidence_interval,
    count_words,
    student_t_quantile,
    validate_category,
)


def ann(category: str, severity: str, segment: str = "s1", rater: str | None = "r1") -> Annotation:
    return Annotation(segment, category, severity, rater=rater)


# --- typology -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "canonical"), [
    ("accuracy/mistranslation", "accuracy/mistranslation"),
    ("Accuracy/Omission", "accuracy/omission"),
    ("accuracy", "accuracy"),
    ("fluency", "fluency"),
    ("terminology", "terminology"),
    ("locale_convention", "locale_convention"),
    ("non_translation", "non_translation"),
    ("other", "other"),
])
def test_known_categories_are_accepted(label: str, canonical: str) -> None:
    assert validate_category(label) == canonical
    assert Annotation("s", label, "minor").category == canonical


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"category": "fluency/typo", "severity": "minor"}, "unknown MQM category 'fluency/typo'"),
    ({"category": "style", "severity": "blocker"}, "unknown MQM severity 'blocker'"),
    ({"category": "style", "severity": "minor", "span": (5, 2)}, "invalid span"),
])
def test_invalid_annotations_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Annotation("s1", **kwargs)


def test_annotation_severity_is_parsed() -> None:
    assert Annotation("s", "style", "Major").severity is Severity.MAJOR


@pytest.mark.parametrize(("text", "words"), [
    ("Where is my order?", 4),
    ("  Where   is my order ? ", 4),  # a lone "?" is not a word
    ("我的订单在哪里？", 7),  # one word per Han character
    ("iPhone手机", 3),
    ("주문이 어디에 있나요?", 3),  # Korean is spaced: counted by tokens
    ("", 0),
])
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


# --- MQM 2.0 linear ---------------------------------------------------------------------------------

def test_mqm2_linear_score() -> None:
    annotations = [ann("fluency/spelling", "minor"), ann("style", "minor"), ann("accuracy/omission", "major"),
                   ann("style", "neutral"), ann("source_error", "major")]
    score = MQM2Linear().score(annotations, words=200)
    # penalty = 1 + 1 + 5 + 0 (neutral) + 0 (source error) = 7
    # score = 100 * (1 - 7 / 200) = 96.5; per 1,000 words = 7 * 1000 / 200 = 35
    assert score.penalty == pytest.approx(7)
    assert score.value == pytest.approx(96.5)
    assert score.penalty_per_1000_words == pytest.approx(35)
    assert score.passed is True and score.lower_is_better is False
    assert score.errors_by_severity == {"neutral": 1, "minor": 2, "major": 2, "critical": 0}
    assert score.errors_by_category["style"] == 2
    assert score.profile_signature == "mqm2|v:2.0-linear|w:neutral=0,minor=1,major=5,critical=25;source_error=0|t:95"


def test_mqm2_fails_below_threshold_or_on_any_critical() -> None:
    # penalty 5 + 5 = 10 over 150 words: 100 * (1 - 10/150) = 93.33 < 95
    low = MQM2Linear().score([ann("accuracy", "major"), ann("terminology", "major")], words=150)
    assert low.value == pytest.approx(93.3333, abs=1e-4) and low.passed is False
    # penalty 25 over 1000 words: 97.5 >= 95, but a critical error fails the text anyway
    critical = MQM2Linear().score([ann("accuracy/mistranslation", "critical")], words=1000)
    assert critical.value == pytest.approx(97.5) and critical.passed is False
    assert MQM2Linear(threshold=98).score([ann("style", "minor")], words=40).passed is False  # 97.5 < 98


@pytest.mark.parametrize("words", [None, 0, -3])
def test_mqm2_needs_evaluated_words(words: int | None) -> None:
    with pytest.raises(ValueError, match="evaluated words"):
        MQM2Linear().score([], words=words)


# --- custom -------------------------------------------------------------------------------------------

CUSTOM = {
    "name": "support-kb", "version": "3", "threshold": 90,
    "weights": {"*": {"minor": 1, "major": 10, "critical": 50},
                "fluency/punctuation": {"minor": 0.5},
                "accuracy": {"major": 20}},
}


def test_custom_weights_by_category_then_parent_then_default() -> None:
    profile = Custom.from_dict(CUSTOM)
    annotations = [ann("accuracy/omission", "major"), ann("fluency/punctuation", "minor"), ann("style", "minor"),
                   ann("fluency/grammar", "major")]
    score = profile.score(annotations, words=100)
    # accuracy/omission major -> parent "accuracy" = 20; punctuation minor = 0.5; style minor = 1;
    # fluency/grammar major -> "*" = 10. penalty = 31.5; score = 100 * (1 - 31.5/100) = 68.5
    assert score.penalty == pytest.approx(31.5)
    assert score.value == pytest.approx(68.5)
    assert score.passed is False
    assert str(profile.signature).startswith("support-kb|v:3|w:neutral=0,minor=1,major=10,critical=50;")
    assert "accuracy.major=20" in score.profile_signature and "|t:90" in score.profile_signature
    assert json.loads(json.dumps(profile.signature.to_dict()))["weights"]["accuracy"] == {"major": 20.0}


@pytest.mark.parametrize(("data", "message"), [
    ({"weights": {"accuracy": {"major": 5}}}, '"\\*" entry'),
    ({"weights": {"*": {"minor": 1, "major": 5}}}, "lack critical"),
    ({"weights": {"*": {"minor": 1, "major": 5, "critical": -1}}}, "non-negative"),
    ({"weights": {"*": {"minor": 1, "major": 5, "critical": 25}, "grammar": {"minor": 1}}}, "unknown MQM category"),
    ({"weights": {"*": {"minor": 1, "major": 5, "critical": 25, "severe": 9}}}, "unknown MQM severity 'severe'"),
    ({"*": {"minor": 1}}, '"weights" key'),
    ({"weights": {"*": {"minor": 1, "major": 5, "critical": 25}}, "colour": "red"}, "colour"),
])
def test_custom_rejects_bad_weights(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Custom.from_dict(data)


# --- WMT (Freitag et al. 2021) ----------------------------------------------------------------------------

def test_wmt_mean_penalty_per_rated_segment() -> None:
    annotations = [
        ann("accuracy/mistranslation", "major", "s1", "r1"),   # s1/r1: 5 + 0.1 = 5.1
        ann("fluency/punctuation", "minor", "s1", "r1"),
        ann("non_translation", "major", "s1", "r2"),           # s1/r2: non-translation = 25
        ann("style", "minor", "s1", "r2"),
        *[ann("style", "minor", "s2", "r1") for _ in range(6)],     # s2/r1: 6 minors, capped at 5 -> 5
        *[ann("accuracy", "major", "s2", "r2") for _ in range(6)],  # s2/r2: 6 majors, capped at 5 -> 25
    ]
    # s3/r1 was rated clean: it has no annotation but counts as a rated segment.
    score = WMTSegment().score(annotations, segments=5)
    # (5.1 + 25 + 5 + 25 + 0) / 5 = 60.1 / 5 = 12.02
    assert score.penalty == pytest.approx(60.1)
    assert score.value == pytest.approx(12.02)
    assert score.lower_is_better is True and score.passed is None
    assert "non_translation:25|cap:5" in score.profile_signature


def test_wmt_cap_keeps_the_heaviest_five_errors() -> None:
    profile = WMTSegment()
    five_minors_and_a_major = [ann("style", "minor") for _ in range(5)] + [ann("accuracy", "major")]
    # the five heaviest: 5 + 1 + 1 + 1 + 1 = 9
    assert profile.rating_penalty(five_minors_and_a_major) == pytest.approx(9)
    # punctuation is 0.1 only when minor; a major punctuation error weighs 5; neutral 0; critical as major
    assert profile.rating_penalty([ann("fluency/punctuation", "major"), ann("style", "neutral")]) == 5
    assert profile.rating_penalty([ann("accuracy", "critical")]) == 5
    assert profile.rating_penalty([ann("non_translation", "neutral")]) == 0


def test_wmt_needs_every_rated_segment_counted() -> None:
    annotations = [ann("style", "minor", "s1"), ann("style", "minor", "s2")]
    with pytest.raises(ValueError, match="rated segments"):
        WMTSegment().score(annotations)
    with pytest.raises(ValueError, match="2 \\(segment, rater\\) ratings"):
        WMTSegment().score(annotations, segments=1)


# --- confidence intervals -------------------------------------------------------------------------------

def test_student_t_quantiles_match_tables() -> None:
    for df, expected in [(1, 12.706), (4, 2.776), (9, 2.262), (30, 2.042)]:
        assert student_t_quantile(0.975, df) == pytest.approx(expected, abs=1e-3)
    assert student_t_quantile(0.025, 9) == pytest.approx(-2.262, abs=1e-3)


def test_confidence_interval_of_the_mean() -> None:
    ci = confidence_interval([1, 2, 3, 4, 5], words=1500)
    # mean 3, s = sqrt(2.5) = 1.5811, se = s / sqrt(5) = 0.7071, t(0.975, 4) = 2.7764 -> half 1.9633
    assert ci.mean == pytest.approx(3)
    assert ci.low == pytest.approx(1.0367, abs=1e-3) and ci.high == pytest.approx(4.9633, abs=1e-3)
    assert ci.inconclusive is False
    wider = confidence_interval([1, 2, 3, 4, 5], confidence=0.99)
    assert wider.half_width > ci.half_width
    narrower = confidence_interval([1, 2, 3, 4, 5] * 8)
    assert narrower.half_width < ci.half_width / 2


def test_confidence_interval_inconclusive_rule() -> None:
    assert confidence_interval([0, 5, 1], words=999).inconclusive is True
    assert confidence_interval([0, 5, 1], words=1000).inconclusive is False
    assert confidence_interval([0, 5, 1], words=400, min_words=300).inconclusive is False
    single = confidence_interval([5.0], words=5000)
    assert single.inconclusive is True and single.low is None and single.high is None
    with pytest.raises(ValueError, match="at least one value"):
        confidence_interval([])
