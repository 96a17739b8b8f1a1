"""Per-language quality figures computed from quality records, feedback and engine-call metering."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from sacrebleu.metrics import CHRF, TER
from sqlalchemy import func, select

from lqa.metrics import (
    QualityFilters,
    customer_satisfaction,
    headline_mqm,
    mqm_figure,
    post_edit_distance,
    quality_report,
    recent_quality,
    record_feedback,
    report_csv,
    store_score,
)
from lqa.models import CustomerFeedback, QualityScore
from lqa.mqm import MQM2Linear, WMTSegment
from machinery.metering import cost_figures
from machinery.models import EngineCall
from tests.factories import MQM2_SIGNATURE, T0, add_record
from tolk.errors import ValidationError


@pytest.fixture
def session(app):
    from tolk.db import db

    with app.app_context():
        yield db.session


def only_group(report: dict, lang: str) -> dict:
    (language,) = [entry for entry in report["languages"] if entry["lang"] == lang]
    (group,) = language["groups"]
    return group


# --- MQM ------------------------------------------------------------------------------------------


def test_mqm_per_language_matches_hand_computed_scores(session) -> None:
    add_record(session, "es", words=10, errors=("major", "minor"))
    add_record(session, "es", words=30)
    add_record(session, "de", words=20, errors=("minor",))
    report = quality_report(session)
    assert [entry["lang"] for entry in report["languages"]] == ["de", "es"]
    es, de = only_group(report, "es")["mqm"], only_group(report, "de")["mqm"]
    # es: (5 + 1) penalty points over 40 words -> 100 * (1 - 6/40) = 85; de: 100 * (1 - 1/20) = 95
    assert es["score"] == pytest.approx(85.0) and es["words"] == 40 and es["segments"] == 2
    assert de["score"] == pytest.approx(95.0) and de["segments"] == 1
    assert es["inconclusive"] and de["inconclusive"]  # 40 and 20 words
    assert es["signature"] == report["profile"] == MQM2_SIGNATURE

    wmt = quality_report(session, profile=WMTSegment())
    # WMT: mean penalty per segment, (5 + 1 + 0) / 2 = 3, lower is better
    assert only_group(wmt, "es")["mqm"]["score"] == pytest.approx(3.0)
    assert wmt["profile"].startswith("wmt|v:freitag2021") and wmt["lower_is_better"]


def test_score_is_inconclusive_below_1000_evaluated_words(session) -> None:
    many = [add_record(session, words=100, errors=("minor",) * (i % 3)) for i in range(10)]
    assert mqm_figure(many, MQM2Linear()).inconclusive is False  # exactly 1,000 words
    fewer = many[:-1] + [add_record(session, words=99)]
    figure = mqm_figure(fewer, MQM2Linear())
    assert figure.words == 999 and figure.inconclusive is True
    assert mqm_figure(fewer, MQM2Linear(), min_words=500).inconclusive is False  # the threshold is a setting


def test_confidence_interval_contains_the_score_and_shrinks_with_more_records(session) -> None:
    # Segments of different lengths: the interval is built from length-weighted per-record values.
    pattern = [(8, ()), (25, ("minor",)), (12, ("major",)), (40, ("minor", "minor")), (15, ())]
    few = [add_record(session, words=w, errors=e) for w, e in pattern * 2]
    many = few + [add_record(session, words=w, errors=e) for w, e in pattern * 6]
    small, large = mqm_figure(few, MQM2Linear()), mqm_figure(many, MQM2Linear())
    # Same proportions, so the same score: 100 * (1 - 2 * 8 / 200) = 92
    assert small.score == pytest.approx(92.0) and large.score == pytest.approx(92.0)
    assert small.ci_low < small.score < small.ci_high
    assert large.ci_low < large.score < large.ci_high
    assert large.ci_high - large.ci_low < (small.ci_high - small.ci_low) / 2


def test_spot_checks_are_reported_apart_from_targeted_reviews(session) -> None:
    for _ in range(10):
        add_record(session, words=100, errors=("minor",), spot_check=True)  # 10 points over 1,000 words
    for _ in range(5):
        add_record(session, words=20, errors=("major",))  # hard content: 25 points over 100 words
    group = only_group(quality_report(session), "es")
    assert group["spot_check"]["segments"] == 10 and group["targeted"]["segments"] == 5
    assert group["spot_check"]["mqm"]["score"] == pytest.approx(99.0)
    assert group["targeted"]["mqm"]["score"] == pytest.approx(75.0)
    # Spot checks cover 1,000 words, so they make the headline; the biased targeted sample does not.
    assert group["mqm"]["basis"] == "spot_check" and group["mqm"]["score"] == pytest.approx(99.0)
    assert group["segments"] == 15 and group["words"] == 1100


def test_headline_falls_back_to_all_records_when_spot_checks_are_few(session) -> None:
    records = [add_record(session, words=100, spot_check=True), add_record(session, words=100, errors=("major",))]
    headline = headline_mqm(records, MQM2Linear())
    assert headline.basis == "all" and headline.score == pytest.approx(97.5) and headline.words == 200


# --- post-edit distance, acceptance, checks, review times ----------------------------------------

PAIRS = [("Su pedido llega hoy.", "Tu pedido llega hoy."),
         ("Gracias por su paciencia.", "Gracias por tu paciencia."),
         ("El reembolso fue procesado ayer.", "Procesamos el reembolso ayer."),
         ("Hola.", "Hola.")]


def test_ter_and_chrf_equal_sacrebleu_on_the_same_segments(session) -> None:
    records = [add_record(session, mt=mt, final=final) for mt, final in PAIRS]
    add_record(session, outcome="rejected", final=None)  # nothing to compare against
    figures = only_group(quality_report(session), "es")["post_edit"]
    hypotheses, references = [mt for mt, _ in PAIRS], [[final for _, final in PAIRS]]
    assert figures["segments"] == 4
    assert figures["ter"] == pytest.approx(TER().corpus_score(hypotheses, references).score)
    assert figures["chrf"] == pytest.approx(CHRF().corpus_score(hypotheses, references).score)
    assert figures["edit_rate_mean"] == pytest.approx(
        statistics.fmean(TER().sentence_score(mt, [final]).score for mt, final in PAIRS))
    assert 0 < figures["ter"] < 100 and post_edit_distance(records[-1:], "es")["ter"] == 0.0


def test_ter_splits_chinese_into_characters(session) -> None:
    pairs = [("您的订单今天到达。", "你的订单今天到。"), ("谢谢您的耐心。", "谢谢你的耐心。")]
    records = [add_record(session, "zh-Hans", mt=mt, final=final) for mt, final in pairs]
    hypotheses, references = [mt for mt, _ in pairs], [[final for _, final in pairs]]
    expected = TER(normalized=True, asian_support=True).corpus_score(hypotheses, references).score
    figures = post_edit_distance(records, "zh-Hans")
    assert figures["ter"] == pytest.approx(expected)
    # Without character splitting each sentence is one word and every edit costs 100%.
    assert TER().corpus_score(hypotheses, references).score == 100.0 and expected < 50


def test_first_pass_acceptance_counts_unchanged_approvals_only(session) -> None:
    add_record(session, outcome="approved", mt="Hola.", final="Hola.")
    add_record(session, outcome="approved", mt="Adiós.", final="Adiós.")
    add_record(session, outcome="approved_edited", mt="Su pedido.", final="Tu pedido.")
    add_record(session, outcome="rejected", mt="Xx.", final=None)
    assert only_group(quality_report(session), "es")["first_pass_acceptance"] == 0.5


def test_turnaround_and_sla_met_rate_from_frozen_timestamps(session) -> None:
    due = T0 + dt.timedelta(hours=1)
    for minutes in (30, 60, 120, 240):
        add_record(session, queued_at=T0, due_at=due, reviewed_at=T0 + dt.timedelta(minutes=minutes))
    add_record(session)  # a spot check with no queue times is not judged
    review = only_group(quality_report(session), "es")["review"]
    assert review["reviews_timed"] == 4 and review["sla_reviews"] == 4
    assert review["turnaround_median_minutes"] == pytest.approx(90.0)
    assert review["turnaround_p90_minutes"] == pytest.approx(204.0)  # 120 + 0.7 * (240 - 120)
    assert review["sla_met_rate"] == 0.5  # reviewed at 30 and 60 minutes: on or before the due time


def test_check_rates_per_100_segments_and_glossary_adherence(session) -> None:
    add_record(session, check_findings={"numbers": 2, "placeholders": 1}, glossary_terms=4, glossary_violations=1)
    add_record(session, check_findings={"numbers": 1}, glossary_terms=6)
    add_record(session)
    add_record(session)
    group = only_group(quality_report(session), "es")
    assert group["check_findings_per_100"] == {"numbers": 75.0, "placeholders": 25.0}
    assert group["glossary_adherence"] == pytest.approx(0.9)  # 1 violation in 10 terms


# --- filters and grouping -------------------------------------------------------------------------


def test_filters_and_group_by_week(session) -> None:
    add_record(session, words=10, created_at=T0)  # 2026-W10
    add_record(session, words=20, errors=("minor",), created_at=T0 + dt.timedelta(days=7))  # 2026-W11
    add_record(session, words=40, engine="apertium", created_at=T0 + dt.timedelta(days=7, hours=14, minutes=59))
    add_record(session, words=80, created_at=T0 + dt.timedelta(days=8))  # 2026-03-10, after the period

    filters = QualityFilters(lang="es", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 9))
    report = quality_report(session, filters, group_by="week")
    groups = report["languages"][0]["groups"]
    assert [(g["key"], g["segments"], g["words"]) for g in groups] == [("2026-W10", 1, 10), ("2026-W11", 2, 60)]
    assert report["filters"]["from"] == "2026-03-02" and report["group_by"] == "week"

    by_engine = quality_report(session, QualityFilters(lang="es"), group_by="engine")["languages"][0]["groups"]
    assert [(g["key"], g["segments"]) for g in by_engine] == [("apertium", 1), ("deepl", 3)]
    only_deepl = quality_report(session, QualityFilters(engine="deepl", end=dt.date(2026, 3, 9)))
    assert only_group(only_deepl, "es")["words"] == 30

    with pytest.raises(ValidationError, match="group_by"):
        quality_report(session, group_by="rater")
    with pytest.raises(ValidationError, match="after"):
        QualityFilters(start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 1))


def test_reviewer_languages_limit_the_report(session) -> None:
    add_record(session, "es-MX")
    add_record(session, "ca")
    add_record(session, "de")
    report = quality_report(session, QualityFilters(visible_languages=("es", "ca")))
    assert [entry["lang"] for entry in report["languages"]] == ["ca", "es-MX"]


# --- routing, stored scores -----------------------------------------------------------------------


def test_recent_quality_crosses_the_threshold_once_200_words_are_evaluated(session) -> None:
    now = T0 + dt.timedelta(days=40)
    add_record(session, "pl", words=500, created_at=T0)  # clean, but older than 30 days
    for _ in range(3):
        add_record(session, "pl", words=50, errors=("major",), created_at=now - dt.timedelta(days=2))
    recent = recent_quality(session, "pl", now=now)
    assert recent.words == 150 and recent.score == pytest.approx(90.0)  # 15 points over 150 words
    assert recent.inconclusive and not recent.below(95.0)  # too few words to act on

    add_record(session, "pl", words=50, errors=("major",), created_at=now - dt.timedelta(days=1))
    recent = recent_quality(session, "pl", now=now)
    assert recent.words == 200 and recent.score == pytest.approx(90.0)
    assert recent.below(95.0) and not recent.below(85.0)
    assert recent.signature == MQM2_SIGNATURE and recent.days == 30

    wmt = recent_quality(session, "pl", now=now, profile=WMTSegment())
    assert wmt.score == pytest.approx(5.0) and wmt.below(2.0) and not wmt.below(6.0)  # lower is better
    assert recent_quality(session, "et", now=now).score is None
    assert not recent_quality(session, "et", now=now).below(95.0)


def test_store_score_keeps_the_profile_signature(session) -> None:
    records = [add_record(session, "nl", words=30, errors=("minor",)) for _ in range(3)]
    row = store_score(session, "nl", "recent", mqm_figure(records, MQM2Linear()))
    stored = session.get(QualityScore, row.id)
    assert (stored.target_lang, stored.scope, stored.profile_signature) == ("nl", "recent", MQM2_SIGNATURE)
    assert stored.score == pytest.approx(100 * (1 - 3 / 90)) and stored.words == 90 and stored.inconclusive
    with pytest.raises(ValueError, match="no evaluated words"):
        store_score(session, "nl", "recent", mqm_figure([], MQM2Linear()))


# --- customer feedback ----------------------------------------------------------------------------


def test_csat_is_split_by_delivery(session) -> None:
    for delivery, csat in (("machine", 3), ("machine", 4), ("reviewed", 5)):
        record_feedback(session, object_ref="reply:1", target_lang="es", delivery=delivery, engine="deepl",
                        csat=csat, comment=None)
    record_feedback(session, object_ref="reply:2", target_lang="de", delivery="machine", csat=1)
    session.flush()
    assert customer_satisfaction(session, "es", QualityFilters()) == {
        "machine": {"csat_mean": 3.5, "count": 2}, "reviewed": {"csat_mean": 5.0, "count": 1}}
    # A language with feedback but no reviewed segment is still reported.
    report = quality_report(session)
    assert [e["lang"] for e in report["languages"]] == ["de", "es"]
    assert report["languages"][0]["customer_feedback"]["machine"]["count"] == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"csat": 0}, "csat"), ({"csat": 6}, "csat"), ({"csat": "5"}, "csat"), ({"csat": True}, "csat"),
    ({"csat": 4.5}, "csat"), ({"comment": "x" * 2001}, "comment"), ({"delivery": "human"}, "delivery"),
    ({"target_lang": "xx-Qqqq"}, "target_lang"), ({"object_ref": ""}, "object_ref"),
])
def test_record_feedback_refuses_bad_input_and_stores_nothing(session, changes, field) -> None:
    values = {"object_ref": "reply:9", "target_lang": "es", "delivery": "machine", "engine": "deepl", "csat": 4,
              "comment": "ok", **changes}
    with pytest.raises(ValidationError) as caught:
        record_feedback(session, **values)
    assert caught.value.details["field"] == field and field in caught.value.message
    session.flush()
    assert session.scalar(select(func.count()).select_from(CustomerFeedback)) == 0


def test_record_feedback_accepts_a_2000_character_comment(session) -> None:
    row = record_feedback(session, object_ref="reply:9", target_lang="ES", delivery="reviewed", engine=None, csat=5,
                          comment="x" * 2000)
    session.flush()
    assert row.id and row.target_lang == "es" and len(row.comment) == 2000


# --- cost figures ---------------------------------------------------------------------------------


def add_calls(session) -> None:
    # (engine, lang, characters, billed, ok, at, content type, cost; for tm: money saved)
    rows = [("deepl", "es", 100, 100, True, T0, "reply", 0.0025), ("deepl", "es", 50, 0, False, T0, "reply", 0.0),
            ("google", "es", 30, 30, True, T0, "kb", 0.0006), ("tm", "es", 70, 0, True, T0, "reply", 0.00175),
            ("deepl", "de", 500, 500, True, T0, "reply", 0.0125),
            ("deepl", "es", 999, 999, True, T0 - dt.timedelta(days=30), "api", 0.024975)]
    for engine, lang, chars, billed, ok, at, content_type, cost in rows:
        session.add(EngineCall(engine=engine, source_lang="en", target_lang=lang, segments=1, characters=chars,
                               billed_characters=billed, ok=ok, error_code=None if ok else "timeout",
                               created_at=at, content_type=content_type, cost=cost))
    session.flush()


def money(characters=0, billed=0, cost=0.0, saved_chars=0, saved=0.0):
    return {"characters": characters, "billed_characters": billed, "cost": pytest.approx(cost),
            "tm_characters_saved": saved_chars, "tm_cost_saved": pytest.approx(saved)}


def test_cost_figures_group_engine_calls_and_count_tm_hits_as_savings(session) -> None:
    add_calls(session)
    rows = cost_figures(session, lang="es", start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=1))
    assert rows == [
        {"engine": "deepl", **money(150, 100, 0.0025), "segments": 2, "errors": 1, "input_tokens": 0,
         "output_tokens": 0, "content_types": {"reply": money(150, 100, 0.0025)}},
        {"engine": "google", **money(30, 30, 0.0006), "segments": 1, "errors": 0, "input_tokens": 0,
         "output_tokens": 0, "content_types": {"kb": money(30, 30, 0.0006)}},
        {"engine": "tm", **money(70, 0, 0.0, 70, 0.00175), "segments": 1, "errors": 0, "input_tokens": 0,
         "output_tokens": 0, "content_types": {"reply": money(70, 0, 0.0, 70, 0.00175)}},
    ]
    assert [r["engine"] for r in cost_figures(session, lang="es", engine="deepl")] == ["deepl"]
    assert cost_figures(session, lang="es", engine="deepl")[0]["billed_characters"] == 1099  # no period


def test_report_reads_cost_through_the_provider_or_says_not_available(session) -> None:
    add_calls(session)
    add_record(session, "es")
    filters = QualityFilters(lang="es", start=T0.date(), end=T0.date())
    cost = quality_report(session, filters, cost_figures=cost_figures)["languages"][0]["cost"]
    assert cost["available"] and cost["billed_characters"] == 130 and cost["tm_characters_saved"] == 70
    assert cost["cost"] == pytest.approx(0.0031) and cost["tm_cost_saved"] == pytest.approx(0.00175)
    assert cost["content_types"] == {"kb": money(30, 30, 0.0006), "reply": money(220, 100, 0.0025, 70, 0.00175)}
    missing = quality_report(session, filters)["languages"][0]["cost"]
    assert missing == {"available": False, "note": "not available: no cost provider is registered"}


def test_csv_has_one_row_per_language_and_group(session) -> None:
    add_record(session, "es", channel="chat", words=10, errors=("minor",))
    add_record(session, "es", channel="=HYPERLINK(1)", words=10)
    add_record(session, "de", channel="chat", words=10)
    lines = report_csv(quality_report(session, group_by="channel")).splitlines()
    assert lines[0].startswith("lang,group_by,group,segments,words,mqm_score,mqm_ci_low,mqm_ci_high,")
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["de", "channel", "chat", "1"], ["es", "channel", "'=HYPERLINK(1)", "1"], ["es", "channel", "chat", "1"]]
    assert lines[3].split(",")[5] == "90.0"
