"""A confidence interval never leaves the score's range; human translations are no machine post-edits."""

from __future__ import annotations

import pytest
from sacrebleu.metrics import TER

from lqa.metrics import quality_report
from lqa.metrics.scores import mqm_figure
from lqa.mqm import MQM2Linear, WMTSegment, confidence_interval
from tests.factories import add_record


@pytest.fixture
def session(app):
    from tolk.db import db

    with app.app_context():
        yield db.session


def test_a_tiny_sample_whose_t_interval_passes_100_is_clamped_to_100(session) -> None:
    # Two records: one clean, one with a major error in 10 words. The t interval (1 degree of freedom)
    # is about +-75 points around 87.5: unclamped it would promise scores up to ~160.
    records = [add_record(session, words=10), add_record(session, words=10, errors=("major",))]
    figure = mqm_figure(records, MQM2Linear(), min_words=1)
    unclamped = confidence_interval([100.0, 75.0])
    assert unclamped.high is not None and unclamped.high > 100
    assert figure.score == pytest.approx(75.0)
    assert figure.ci_high == 100.0 and figure.ci_low is not None and figure.ci_low < figure.score


def test_the_wmt_interval_stays_between_0_and_25() -> None:
    ci = confidence_interval([0.0, 0.0, 25.0], bounds=WMTSegment.score_range)
    assert ci.low == 0.0 and ci.high == 25.0 and ci.mean == pytest.approx(25 / 3)
    assert confidence_interval([1.0, 2.0], bounds=(5.0, 10.0)).low == 5.0  # an interval wholly outside: at the edge


def test_human_translations_are_counted_apart_from_machine_post_edits(session) -> None:
    add_record(session, mt="Su pedido llega hoy.", final="Tu pedido llega hoy.")
    add_record(session, engine="human", mt="", final="Tu pedido llega hoy, sin falta.")
    add_record(session, engine="human", mt="", final="Gracias por escribirnos.")
    (language,) = quality_report(session)["languages"]
    figures = language["groups"][0]["post_edit"]
    assert figures["segments"] == 1 and figures["human_translations"] == 2
    assert figures["ter"] == pytest.approx(TER().corpus_score(["Su pedido llega hoy."],
                                                              [["Tu pedido llega hoy."]]).score)
    assert figures["ter"] < 100  # a human translation would count as a 100% edit of an empty text


def test_only_human_translations_give_no_post_edit_distance(session) -> None:
    add_record(session, engine="human", mt="", final="Tu pedido llega hoy.")
    figures = quality_report(session)["languages"][0]["groups"][0]["post_edit"]
    assert (figures["segments"], figures["ter"], figures["human_translations"]) == (0, None, 1)
