"""The ``lqa score`` command on small annotation files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lqa.cli import lqa

HEADER = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\n"
ROWS = [
    # sysA: two segments of 5 and 5 words; one major + one minor punctuation error
    "sysA\tdoc1\t1\t1\trater1\tWhere is my order now?\tWo ist <v>meine</v> Bestellung jetzt?\tAccuracy/Mistranslation\tMajor",
    "sysA\tdoc1\t1\t1\trater1\tWhere is my order now?\tWo ist meine Bestellung jetzt<v>?</v>\tFluency/Punctuation\tMinor",
    "sysA\tdoc1\t1\t2\trater2\tThank you very much indeed.\tVielen herzlichen Dank.\tNo-error\tNo-error",
    # sysB: same segments; a non-translation and a clean segment
    "sysB\tdoc1\t1\t1\trater2\tWhere is my order now?\txx yy\tNon-translation!\tMajor",
    "sysB\tdoc1\t1\t2\trater1\tThank you very much indeed.\tDanke vielmals.\tNo-error\tNo-error",
]


@pytest.fixture
def ratings_file(tmp_path):
    path = tmp_path / "mqm.tsv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(lqa, ["score", *args])


def test_mqm2_table_ranks_best_first_with_signature(ratings_file) -> None:
    result = invoke(str(ratings_file))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["system", "ratings", "words"]
    # sysA: penalty 5 + 1 = 6 over 10 words -> 100 * (1 - 6/10) = 40.00
    # sysB: non-translation is Major (5) under MQM2 -> 100 * (1 - 5/10) = 50.00
    assert lines[1].split()[0] == "sysB" and "50.00" in lines[1].split()
    assert lines[2].split()[0] == "sysA" and "40.00" in lines[2].split()
    assert "fail (inconclusive)" in lines[2]  # 10 words is far below 1,000
    assert lines[-1] == ("profile: mqm2|v:2.0-linear|w:neutral=0,minor=1,major=5,critical=25;source_error=0|t:95 "
                         "(higher is better)")
    # columns line up: every row is as wide as the header up to the verdict column
    assert lines[1].index("50.00") == lines[2].index("40.00")


def test_wmt_json_lists_groups_lower_is_better(ratings_file) -> None:
    result = invoke(str(ratings_file), "--profile", "wmt", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # sysA: (5 + 0.1 + 0) / 2 ratings = 2.55; sysB: (25 + 0) / 2 = 12.5
    assert [(r["group"], r["value"]) for r in rows] == [("sysA", pytest.approx(2.55)), ("sysB", 12.5)]
    assert all(r["lower_is_better"] and r["profile_signature"].startswith("wmt|v:freitag2021") for r in rows)
    assert rows[0]["ci"]["mean"] == pytest.approx(2.55) and rows[0]["segments"] == 2


def test_table_says_lower_is_better_for_wmt(ratings_file) -> None:
    result = invoke(str(ratings_file), "--profile", "wmt")
    assert result.stdout.splitlines()[-1].endswith("(lower is better)")


def test_group_by_rater(ratings_file) -> None:
    rows = json.loads(invoke(str(ratings_file), "--by", "rater", "--profile", "wmt", "--json").stdout)
    # rater1: sysA/1 (5.1) + sysB/2 (0) -> 2.55; rater2: sysA/2 (0) + sysB/1 (25) -> 12.5
    assert {r["group"]: r["value"] for r in rows} == {"rater1": pytest.approx(2.55), "rater2": 12.5}
    assert all(r["by"] == "rater" for r in rows)


def test_custom_profile_reads_weights(ratings_file, tmp_path) -> None:
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"name": "kb", "version": "2",
                                   "weights": {"*": {"minor": 2, "major": 3, "critical": 10}}}))
    rows = json.loads(invoke(str(ratings_file), "--profile", "custom", "--weights", str(weights), "--json").stdout)
    # sysA: 3 + 2 = 5 over 10 words -> 50; sysB: 3 over 10 -> 70
    assert {r["group"]: r["value"] for r in rows} == {"sysA": pytest.approx(50), "sysB": pytest.approx(70)}
    assert rows[0]["profile_signature"].startswith("kb|v:2|w:neutral=0,minor=2,major=3,critical=10")


@pytest.mark.parametrize(("args", "message"), [
    (["--profile", "custom"], "--weights"),
    (["--weights", "PLACEHOLDER"], "only applies to --profile custom"),
])
def test_weights_and_custom_go_together(ratings_file, tmp_path, args, message) -> None:
    weights = tmp_path / "w.json"
    weights.write_text("{}")
    result = invoke(str(ratings_file), *[str(weights) if a == "PLACEHOLDER" else a for a in args])
    assert result.exit_code == 2 and message in result.stderr


def test_bad_weights_file_is_a_usage_error(ratings_file, tmp_path) -> None:
    weights = tmp_path / "w.json"
    weights.write_text('{"weights": {"*": {"minor": 1}}}')
    result = invoke(str(ratings_file), "--profile", "custom", "--weights", str(weights))
    assert result.exit_code == 2 and "lack major, critical" in result.stderr


def test_malformed_file_exits_2_with_line_numbers(tmp_path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(HEADER + ROWS[0] + "\n" + "sysA\tdoc1\t1\t\trater1\ta\tb\tOther\tMinor\n"
                    + "sysA\tdoc1\t1\t3\trater1\ta\tb\tOther\n", encoding="utf-8")
    result = invoke(str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{path}:3: empty seg_id" in result.stderr
    assert f"{path}:4: expected 9 columns, found 8" in result.stderr
    assert "nothing was scored" in result.stderr
