"""``tolk quality report``: the aligned table, JSON, grouping and bad options."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lqa.metrics import record_feedback
from machinery.metering import cost_figures
from machinery.models import EngineCall
from tests.factories import MQM2_SIGNATURE, T0, add_record


@pytest.fixture
def records(app):
    from tolk.db import db

    with app.app_context():
        for _ in range(10):
            add_record(db.session, "es", words=100, errors=("minor",), outcome="approved", mt="Hola.", final="Hola.",
                       spot_check=True,
                       queued_at=T0, due_at=T0 + dt.timedelta(hours=1), reviewed_at=T0 + dt.timedelta(minutes=20),
                       check_findings={"numbers": 1}, glossary_terms=2)
        add_record(db.session, "de", words=20, errors=("major",), engine="google",
                   check_findings={"placeholders": 1, "numbers": 2})
        db.session.add(EngineCall(engine="tm", source_lang="en", target_lang="es", segments=3, characters=120,
                                  billed_characters=0, created_at=T0))
        db.session.add(EngineCall(engine="deepl", source_lang="en", target_lang="es", segments=3, characters=300,
                                  billed_characters=300, created_at=T0))
        record_feedback(db.session, object_ref="reply:1", target_lang="es", delivery="machine", csat=4)
        record_feedback(db.session, object_ref="reply:2", target_lang="es", delivery="reviewed", csat=5)
        db.session.commit()


def cells(line: str) -> list[str]:
    return line.split()


def test_table_lists_each_language_with_aligned_columns(app, runner, records) -> None:
    app.extensions.pop("tolk.cost_figures")  # as an installation without machinery metering would be
    result = runner.invoke(args=["quality", "report"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert cells(lines[0])[:4] == ["lang", "segments", "words", "MQM"]
    de, es = lines[1], lines[2]
    # de: 5 points over 20 words = 75, a single segment (no interval): inconclusive
    assert cells(de)[:7] == ["de", "1", "20", "75.00*", "-", "all", "25.00"]  # TER: 1 edit in 4 words
    assert "numbers 200.0, placeholders 100.0" in de
    # es: 10 points over 1,000 words = 99, conclusive; all approved unchanged, all on time
    assert cells(es)[:6] == ["es", "10", "1000", "99.00", "±0.00", "spot"]  # spot checks cover 1,000 words
    assert cells(es)[7:11] == ["100.00", "100.0", "100.0", "100.0"]  # chrF, first-pass, SLA, glossary
    assert "4.00 (1)" in es and "5.00 (1)" in es  # CSAT machine vs reviewed
    assert lines[0].index("MQM") + 3 == de.index("75.00*") + 6  # right-aligned under the header
    assert de.index("75.00") == es.index("99.00")  # decimal points line up whether marked or not
    assert "n/a" in es and "cost figures: not available" in result.output
    assert lines[-1] == f"profile: {MQM2_SIGNATURE} (higher is better)"


def test_table_shows_billed_and_tm_saved_characters_with_a_provider(app, runner, records) -> None:
    assert app.extensions["tolk.cost_figures"] is cost_figures  # machinery registers it
    result = runner.invoke(args=["quality", "report", "--lang", "es"])
    assert result.exit_code == 0, result.output
    header, es = result.output.splitlines()[:2]
    assert "billed chars" in header and "TM-saved chars" in header
    assert es.split()[-6:-4] == ["300", "120"] and "not available" not in result.output


def test_json_output_and_group_by_engine(runner, records) -> None:
    result = runner.invoke(args=["quality", "report", "--json", "--group-by", "engine", "--from", "2026-03-01"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(e["lang"], [g["key"] for g in e["groups"]]) for e in report["languages"]] == [
        ("de", ["google"]), ("es", ["deepl"])]
    table = runner.invoke(args=["quality", "report", "--group-by", "engine"]).output.splitlines()
    assert cells(table[0])[:2] == ["lang", "engine"] and cells(table[1])[:2] == ["de", "google"]


def test_empty_period_and_bad_options(runner, records) -> None:
    result = runner.invoke(args=["quality", "report", "--from", "2027-01-01"])
    assert result.exit_code == 0 and result.output.strip() == "no quality records in this period"
    bad_date = runner.invoke(args=["quality", "report", "--to", "31/03/2026"])
    assert bad_date.exit_code == 2 and "'--to' must be an ISO date" in bad_date.output
    bad_lang = runner.invoke(args=["quality", "report", "--lang", "qq"])
    assert bad_lang.exit_code == 2 and "qq" in bad_lang.output
    reversed_period = runner.invoke(args=["quality", "report", "--from", "2026-04-01", "--to", "2026-03-01"])
    assert reversed_period.exit_code == 1 and "after" in reversed_period.output


def test_lqa_score_stays_registered(runner) -> None:
    result = runner.invoke(args=["lqa", "--help"])
    assert result.exit_code == 0 and "score" in result.output
