"""Reading MQM annotation files: Google's TSV layout, CSV, category mapping and malformed rows."""

from __future__ import annotations

import pytest

from lqa.annotations import AnnotationFileError, map_category, parse_csv, parse_tsv, read_ratings
from lqa.checks import Severity

HEADER = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\n"


def tsv(*rows: str, header: str = HEADER) -> str:
    return header + "".join(row + "\n" for row in rows)


def test_rows_of_one_rating_are_grouped_with_spans_and_literal_quotes() -> None:
    text = tsv(
        'sysA\tdoc1\t1\t1\trater1\tShe said "fine".\tSie sagte <v>"gut</v>".\tAccuracy/Mistranslation\tMajor',
        'sysA\tdoc1\t1\t1\trater1\tShe said "fine".\tSie sagte "gut"<v>.</v>\tFluency/Punctuation\tMinor',
        'sysA\tdoc1\t1\t2\trater1\t"Thanks"\t"Danke"\tNo-error\tNo-error',
    )
    ratings = parse_tsv(text)
    assert [(r.seg_id, len(r.annotations)) for r in ratings] == [("1", 2), ("2", 0)]
    first = ratings[0]
    assert first.target == 'Sie sagte "gut".'
    assert first.source == 'She said "fine".'
    assert ratings[1].source == '"Thanks"'  # csv quoting would have eaten these quotes
    mistranslation, punctuation = first.annotations
    assert (mistranslation.category, mistranslation.severity) == ("accuracy/mistranslation", Severity.MAJOR)
    assert first.target[slice(*mistranslation.span)] == '"gut'
    assert first.target[slice(*punctuation.span)] == "."
    assert mistranslation.rater == "rater1" and mistranslation.segment == "sysA|doc1|1"
    assert first.words == 3


def test_extra_trailing_column_is_optional() -> None:
    text = tsv("sysA\td\t1\t1\tr1\tHi\tHallo\tStyle/Awkward\tMinor\tnice try",
               "sysA\td\t1\t2\tr1\tBye\tTschüss\tNo-error\tNo-error",
               header=HEADER.rstrip("\n") + "\tcomment\n")
    assert [len(r.annotations) for r in parse_tsv(text)] == [1, 0]


def test_unicode_line_separator_inside_a_segment_is_text() -> None:
    ratings = parse_tsv(tsv("s\td\t1\t1\tr\tA\u2028B\tC\u2028D\tOther\tMinor"))
    assert ratings[0].source == "A\u2028B"


@pytest.mark.parametrize(("label", "category"), [
    ("Accuracy/Mistranslation", "accuracy/mistranslation"),
    ("Accuracy/Omission", "accuracy/omission"),
    ("Accuracy/Untranslated text", "accuracy/untranslated"),
    ("Accuracy/Source language fragment", "accuracy/untranslated"),
    ("Fluency/Punctuation", "fluency/punctuation"),
    ("Fluency/Register", "fluency"),
    ("Terminology/Inappropriate for context", "terminology"),
    ("Style/Awkward", "style"),
    ("Locale convention/Currency format", "locale_convention"),
    ("Non-translation!", "non_translation"),
    ("Other", "other"),
    ("Source error", "source_error"),
    ("Source error/-", "source_error"),
    ("No-error", None),
])
def test_google_categories_map_to_the_typology(label: str, category: str | None) -> None:
    assert map_category(label) == category


def test_unknown_category_is_an_error() -> None:
    with pytest.raises(ValueError, match="'Vibes/Off'"):
        map_category("Vibes/Off")


def test_malformed_file_is_rejected_with_every_bad_line() -> None:
    text = tsv(
        "sysA\td\t1\t1\tr1\tHi\tHallo\tStyle/Awkward\tMinor",          # line 2: fine
        "sysA\td\t1\t2\tr1\tHi\tHallo\tStyle/Awkward",                 # line 3: 8 columns
        "sysA\td\t1\t3\tr1\tHi\tHallo\tStyle/Awkward\tSevere",         # line 4: severity
        "sysA\td\t1\t\tr1\tHi\tHallo\tStyle/Awkward\tMinor",           # line 5: empty seg_id
        "",                                                            # line 6: blank, skipped
        "sysA\td\t1\t4\tr1\tHi\tHallo\tVibes/Off\tMinor",              # line 7: category
        "sysA\td\t1\t5\tr1\tHi\tHallo\tNo-error\tMajor",               # line 8: half a No-error
    )
    with pytest.raises(AnnotationFileError) as caught:
        parse_tsv(text, source="ratings.tsv")
    errors = caught.value.errors
    assert [line for line, _ in errors] == [3, 4, 5, 7, 8]
    assert "expected 9 columns, found 8" in errors[0][1]
    assert "unknown severity 'Severe'" in errors[1][1]
    assert "empty seg_id" in errors[2][1]
    assert "Vibes/Off" in errors[3][1]
    assert "No-error" in errors[4][1]
    assert "ratings.tsv: 5 malformed line(s)" in str(caught.value)
    assert caught.value.to_dict()["error"]["details"]["errors"][0] == {"line": 3, "message": errors[0][1]}


def test_header_must_name_the_columns() -> None:
    with pytest.raises(AnnotationFileError) as caught:
        parse_tsv("system\tdoc\tseg_id\nA\tB\tC\n")
    assert caught.value.errors[0][0] == 1
    assert "doc_id, rater, source, target, category, severity" in caught.value.errors[0][1]
    with pytest.raises(AnnotationFileError, match="empty file"):
        parse_tsv("\n\n")


def test_csv_with_quoting_and_line_numbers() -> None:
    text = ("system,doc,doc_id,seg_id,rater,source,target,category,severity\n"
            'sysA,d,1,1,r1,"Hello, world","Hallo, <v>Welt</v>",Accuracy/Mistranslation,Minor\n'
            'sysA,d,1,2,r1,"two\nlines","zwei\nZeilen",No-error,No-error\n'
            "sysA,d,1,3,r1,Hi,Hallo,Style,Enormous\n")
    with pytest.raises(AnnotationFileError) as caught:
        parse_csv(text)
    assert [line for line, _ in caught.value.errors] == [6]  # the quoted newlines span lines 3-5
    ratings = parse_csv(text.replace("Enormous", "Minor"))
    assert ratings[0].source == "Hello, world" and ratings[0].target == "Hallo, Welt"
    assert ratings[1].source == "two\nlines"


def test_read_ratings_picks_the_format_by_extension(tmp_path) -> None:
    (tmp_path / "a.tsv").write_text(tsv("s\td\t1\t1\tr\tHi\tHallo\tOther\tMinor"), encoding="utf-8")
    (tmp_path / "a.csv").write_text("system,doc,doc_id,seg_id,rater,source,target,category,severity\n"
                                    "s,d,1,1,r,Hi,Hallo,Other,Minor\n", encoding="utf-8")
    assert read_ratings(tmp_path / "a.tsv")[0].annotations[0].category == "other"
    assert read_ratings(tmp_path / "a.csv")[0].annotations[0].category == "other"


def test_invalid_utf8_names_the_line(tmp_path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_bytes(tsv("s\td\t1\t1\tr\tHi\tHallo\tOther\tMinor").encode() + b"s\td\t1\t2\tr\t\xff\tx\tOther\tMinor\n")
    with pytest.raises(AnnotationFileError) as caught:
        read_ratings(path)
    assert caught.value.errors == [(3, "not valid UTF-8")]
