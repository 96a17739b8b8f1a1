"""CSV/TSV glossaries: delimiters, BOM, variants, round trips and every rejection with its line."""

from __future__ import annotations

import csv
import io

import pytest

from glossaries.csv_format import VARIANT_SEPARATOR, read_csv, write_csv
from glossaries.formats import read_glossary
from glossaries.terms import Concept, GlossaryFormatError, Term, Termbase
from tolk.spreadsheet import FORMULA_STARTS

SEMICOLON_WITH_BOM = (
    "\ufeffen;pl;de;forbidden:pl;part_of_speech;do_not_translate;note\r\n"
    "refund;zwrot;Rückerstattung;refundacja|zwrot kasy;noun;false;Money back\r\n"
    "\r\n"
    ";;;;;;\r\n"
    "Tolk;Tolk;Tolk;;properNoun;true;\r\n"
    '"order; purchase";zamówienie;Bestellung;;noun;no;"Line one\nline two"\r\n'
).encode("utf-8")


def test_reads_semicolons_bom_and_skips_empty_rows():
    termbase = read_csv(SEMICOLON_WITH_BOM, name="Support")
    assert termbase.name == "Support"
    assert termbase.source_lang == "en"
    refund, brand, order = termbase.concepts
    assert refund.terms == [
        Term("en", "refund", "noun"),
        Term("pl", "zwrot", "noun"),
        Term("pl", "refundacja", "noun", status="forbidden"),
        Term("pl", "zwrot kasy", "noun", status="forbidden"),
        Term("de", "Rückerstattung", "noun"),
    ]
    assert refund.note == "Money back"
    assert brand.do_not_translate and not refund.do_not_translate
    assert order.preferred("en").text == "order; purchase"
    assert order.note == "Line one\nline two"
    assert termbase.pair_entries("en", "pl") == {"refund": "zwrot", "Tolk": "Tolk", "order; purchase": "zamówienie"}


def test_tabs_variants_and_regional_codes():
    data = b"en\tpt_br\tzh-hans\tcase_sensitive\nTicket|case\tchamado|ticket\t\xe5\xb7\xa5\xe5\x8d\x95\tTRUE\n"
    termbase = read_csv(data)
    (ticket,) = termbase.concepts
    assert termbase.languages() == ["en", "pt-BR", "zh-Hans"]
    assert ticket.allowed("en") == [Term("en", "Ticket", case_sensitive=True),
                                    Term("en", "case", case_sensitive=True, status="admitted")]
    assert ticket.preferred("pt-BR").text == "chamado"
    assert ticket.preferred("zh-Hans").text == "工单"


def test_single_language_column_is_enough():
    termbase = read_csv(b"en,do_not_translate\nTolk,true\n")
    assert termbase.concepts == [Concept([Term("en", "Tolk")], do_not_translate=True)]


def round_trip_termbase() -> Termbase:
    return Termbase(
        name="Support",
        source_lang="en",
        concepts=[
            Concept(
                [
                    Term("en", "refund", "noun"),
                    Term("en", "reimbursement", "noun", status="admitted"),
                    Term("pl", "zwrot", "noun"),
                    Term("pl", "refundacja", "noun", status="forbidden"),
                    Term("zh-Hans", "退款", "noun"),
                ],
                id="c1",
                note='Says "refund", never\n"money back"; ok, really',
                subject="billing",
            ),
            Concept([Term("en", "Tolk", case_sensitive=True), Term("pl", "Tolk", case_sensitive=True)],
                    id="c2", do_not_translate=True),
            Concept([Term("en", "order number"), Term("pt-BR", "número do pedido")], id="c3"),
        ],
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_round_trip(delimiter):
    termbase = round_trip_termbase()
    data = write_csv(termbase, delimiter=delimiter)
    assert data.startswith("\ufeff".encode())
    assert read_csv(data, name="Support") == termbase


def test_header_of_written_csv():
    header = write_csv(round_trip_termbase()).decode("utf-8-sig").splitlines()[0]
    assert header == "en,pl,zh-Hans,pt-BR,forbidden:pl,id,subject,note,part_of_speech,do_not_translate,case_sensitive"


def test_read_glossary_picks_csv_by_extension_or_content():
    assert read_glossary(SEMICOLON_WITH_BOM, "uploads/brand terms.csv").name == "brand terms"
    assert len(read_glossary(SEMICOLON_WITH_BOM, "terms").concepts) == 3


def rejected(data: bytes) -> GlossaryFormatError:
    with pytest.raises(GlossaryFormatError) as info:
        read_csv(data)
    return info.value


def test_missing_language_header():
    error = rejected(b"note,part_of_speech\nMoney back,noun\n")
    assert error.line == 1
    assert "no language column" in str(error)


def test_header_that_is_data_is_not_a_language():
    error = rejected(b"refund,zwrot\norder,zamowienie\n")
    assert error.line == 1
    assert "column 1" in str(error) and "'refund'" in str(error)


def test_unknown_language_code():
    error = rejected(b"\n\nen;xx;de\nrefund;?;Rueckerstattung\n")
    assert error.line == 3
    assert "column 2" in str(error) and "'xx'" in str(error)
    assert "'forbidden:'" in str(rejected(b"en,forbidden:\nrefund,x\n"))
    assert "'klingon'" in str(rejected(b"en,forbidden:klingon\nrefund,x\n"))


def test_wrong_column_count_names_the_line():
    error = rejected(b"en,pl,de\nrefund,zwrot,R\xc3\xbcckerstattung\n\norder,zam\xc3\xb3wienie\n")
    assert error.line == 4
    assert "expected 3 columns" in str(error) and "found 2" in str(error)
    assert rejected(b"en,pl\nrefund,zwrot,extra\n").line == 2


def test_duplicate_column():
    error = rejected(b"en,pl,PL\nrefund,zwrot,zwrot\n")
    assert "duplicate column 'PL'" in str(error)


def test_bad_boolean_names_the_line():
    error = rejected(b"en,do_not_translate\nTolk,true\nTicket,maybe\n")
    assert error.line == 3
    assert "'maybe'" in str(error)


def test_row_without_any_term():
    error = rejected(b"en,pl,note\nrefund,zwrot,\n,,orphan note\n")
    assert error.line == 3


def test_not_utf8_names_the_line():
    error = rejected(b"en,de\nrefund,R\xfcckerstattung\n")
    assert error.line == 2
    assert "UTF-8" in str(error)


def test_empty_file_and_oversized_file():
    assert rejected(b"\xef\xbb\xbf\r\n  \r\n").line == 1
    with pytest.raises(GlossaryFormatError, match="over the limit"):
        read_csv(SEMICOLON_WITH_BOM, max_bytes=10)


def test_unterminated_quote():
    error = rejected(b'en,pl\n"refund,zwrot\n')
    assert "malformed CSV" in str(error)


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_export_escapes_cells_a_spreadsheet_would_run(formula):
    term = formula.split(VARIANT_SEPARATOR)[0]  # "|" separates variants in a term cell
    termbase = Termbase(name="t", source_lang="en", concepts=[
        Concept([Term("en", term), Term("pl", "zwrot"), Term("pl", term, status="forbidden")],
                id=formula, note=formula, subject=formula),
    ])
    rows = list(csv.reader(io.StringIO(write_csv(termbase).decode("utf-8-sig"))))
    header, row = rows
    assert header == ["en", "pl", "forbidden:pl", "id", "subject", "note"]
    for cell in row:
        assert not cell.startswith(FORMULA_STARTS)
    assert row[0] == "'" + term and row[1] == "zwrot" and row[5] == "'" + formula
    # Reading the export back gives the terms as they were: the apostrophe is the escape, not the text.
    assert read_csv(write_csv(termbase), name="t") == termbase


def test_an_apostrophe_before_ordinary_text_is_kept():
    (concept,) = read_csv(b"en,pl\n'quoted',zwrot\n").concepts
    assert concept.preferred("en").text == "'quoted'"
