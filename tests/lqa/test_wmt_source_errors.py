"""`tolk lqa score --profile wmt` counts "Source error" annotations at their severity, as Google's MQM tables do."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lqa.cli import lqa
from lqa.mqm import Annotation, MQM2Linear, WMTSegment

# An excerpt in the layout of Google's published MQM TSV files (zh-en, where source errors are common):
# system, doc, doc_id, seg_id, rater, source, target, category, severity; <v>...</v> marks the error.
EXCERPT = """system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity
sysX\tnews-1\t1\t1\trater1\t<v>他们在</v>周二宣布了新的计划。\tThey announced the new plan on Tuesday.\tSource error\tMajor
sysX\tnews-1\t1\t1\trater1\t他们在周二宣布了新的计划。\tThey announced the <v>new</v> plan on Tuesday.\tAccuracy/Mistranslation\tMinor
sysX\tnews-1\t1\t2\trater1\t会议将于明天上午举行。\tThe meeting will be held tomorrow morning.\tNo-error\tNo-error
sysX\tnews-1\t1\t3\trater2\t价格上涨了百分之五，\tPrices rose by five percent<v>.</v>\tFluency/Punctuation\tMinor
sysX\tnews-1\t1\t3\trater2\t价格上涨了百分之五<v>，</v>\tPrices rose by five percent.\tSource error\tMinor
sysY\tnews-1\t1\t1\trater2\t他们在周二宣布了新的计划。\tThey announced <v></v>on Tuesday.\tAccuracy/Omission\tMajor
sysY\tnews-1\t1\t2\trater2\t会议将于明天上午举行。\tThe meeting <v>will be holding</v> tomorrow morning.\tStyle/Awkward\tMinor
sysY\tnews-1\t1\t3\trater1\t价格上涨了百分之五，\tPrices went up five percent.\tNo-error\tNo-error
"""

# Hand-computed mean penalty per (segment, rater) rating, lower is better:
#   sysX: seg1/rater1 = 5 (source error, major) + 1 (minor)           = 6
#         seg2/rater1 = 0 (no error)
#         seg3/rater2 = 0.1 (minor punctuation) + 1 (source error, minor) = 1.1
#         (6 + 0 + 1.1) / 3 = 7.1 / 3 = 2.3667
#   sysY: seg1/rater2 = 5 (major omission), seg2/rater2 = 1 (minor), seg3/rater1 = 0
#         (5 + 1 + 0) / 3 = 6 / 3 = 2.0
# sysY ranks first. Weighting source errors at 0 (the old profile) gave sysX (1 + 0 + 0.1) / 3 = 0.3667 and
# ranked it first: the swap the published zh-en table does not show.
EXPECTED = {"sysY": 2.0, "sysX": 7.1 / 3}


@pytest.fixture
def excerpt(tmp_path):
    path = tmp_path / "mqm_newstest2020_zhen.excerpt.tsv"
    path.write_text(EXCERPT, encoding="utf-8")
    return path


def test_wmt_profile_counts_source_errors_at_their_severity(excerpt):
    result = CliRunner().invoke(lqa, ["score", str(excerpt), "--profile", "wmt", "--json"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["group"] for r in rows] == ["sysY", "sysX"]
    assert {r["group"]: r["value"] for r in rows} == {k: pytest.approx(v) for k, v in EXPECTED.items()}
    assert {r["group"]: r["penalty"] for r in rows} == {"sysY": pytest.approx(6.0), "sysX": pytest.approx(7.1)}
    assert rows[0]["profile_signature"].startswith("wmt|v:freitag2021-google")


def test_the_table_prints_the_per_system_scores(excerpt):
    result = CliRunner().invoke(lqa, ["score", str(excerpt), "--profile", "wmt"])

    lines = result.stdout.splitlines()
    assert lines[1].startswith("sysY") and " 2.00 " in lines[1]
    assert lines[2].startswith("sysX") and " 2.37 " in lines[2]


def test_source_errors_weigh_their_severity_in_wmt_but_nothing_in_mqm2():
    major, minor = Annotation("s1", "source_error", "major"), Annotation("s1", "source_error", "minor")
    assert WMTSegment().weight(major) == 5 and WMTSegment().weight(minor) == 1
    assert MQM2Linear().weight(major) == 0
