"""TBX import and export: TBX v3 (DCA and DCT), TBX 2 martif, round trips and hostile or broken files."""

from __future__ import annotations

import pytest

from glossaries.formats import read_glossary
from glossaries.tbx import read_tbx, write_tbx
from glossaries.terms import Concept, GlossaryFormatError, Term, Termbase

TBX3 = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader>
    <fileDesc>
      <titleStmt><title>Acme support</title></titleStmt>
      <sourceDesc><p>Terms for refund replies</p></sourceDesc>
    </fileDesc>
  </tbxHeader>
  <text>
    <body>
      <conceptEntry id="c-refund">
        <descrip type="subjectField">billing</descrip>
        <descrip type="definition">Money returned to a customer.</descrip>
        <langSec xml:lang="en">
          <termSec>
            <term>refund</term>
            <termNote type="partOfSpeech">noun</termNote>
            <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          </termSec>
        </langSec>
        <langSec xml:lang="pl">
          <termSec>
            <term>zwrot</term>
            <termNote type="partOfSpeech">noun</termNote>
            <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          </termSec>
          <termSec>
            <term>refundacja</term>
            <termNote type="partOfSpeech">noun</termNote>
            <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>
            <note>Sounds like insurance.</note>
          </termSec>
        </langSec>
        <langSec xml:lang="pt-BR">
          <termSec>
            <term>estorno</term>
            <termNoteGrp>
              <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
            </termNoteGrp>
          </termSec>
          <termSec>
            <term>reembolso</term>
            <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote>
          </termSec>
        </langSec>
      </conceptEntry>
      <conceptEntry id="c-brand">
        <langSec xml:lang="en">
          <termSec>
            <term>Acme<hi type="italics">Desk</hi></term>
            <termNote type="partOfSpeech">properNoun</termNote>
            <termNote type="transferComment">do not translate</termNote>
            <termNote type="usageNote">case sensitive</termNote>
          </termSec>
        </langSec>
      </conceptEntry>
    </body>
  </text>
</tbx>
"""

TBX3_DCT = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"
     xmlns:min="http://www.tbxinfo.net/ns/min" xmlns:basic="http://www.tbxinfo.net/ns/basic">
  <tbxHeader><fileDesc><sourceDesc><p>DCT sample</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="1">
      <min:subjectField>orders</min:subjectField>
      <langSec xml:lang="en">
        <termSec>
          <term>order</term>
          <min:partOfSpeech>noun</min:partOfSpeech>
          <basic:administrativeStatus>preferredTerm-admn-sts</basic:administrativeStatus>
        </termSec>
      </langSec>
      <langSec xml:lang="et">
        <termSec><term>tellimus</term><min:partOfSpeech>noun</min:partOfSpeech></termSec>
        <termSec>
          <term>order</term>
          <basic:administrativeStatus>deprecatedTerm-admn-sts</basic:administrativeStatus>
        </termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""

TBX2 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en">
  <martifHeader>
    <fileDesc><titleStmt><title>Legacy export</title></titleStmt></fileDesc>
    <encodingDesc><p type="XCSURI">TBXBasicXCSV02.xcs</p></encodingDesc>
  </martifHeader>
  <text>
    <body>
      <termEntry id="te1">
        <descrip type="subjectField">accounts</descrip>
        <note>Customer account, not a bank account.</note>
        <langSet xml:lang="en">
          <tig>
            <term>account</term>
            <termNote type="partOfSpeech">noun</termNote>
          </tig>
        </langSet>
        <langSet xml:lang="de">
          <ntig>
            <termGrp>
              <term>Konto</term>
              <termNote type="partOfSpeech">noun</termNote>
            </termGrp>
            <admin type="source">Style guide 2019</admin>
          </ntig>
          <tig>
            <term>Account</term>
            <termNote type="normativeAuthorization">deprecatedTerm</termNote>
          </tig>
        </langSet>
      </termEntry>
      <termEntry id="te2">
        <langSet xml:lang="en">
          <tig><term>Tolk</term><termNote type="transferComment">do not translate</termNote></tig>
        </langSet>
        <langSet xml:lang="de">
          <tig><term>Tolk</term></tig>
        </langSet>
      </termEntry>
    </body>
  </text>
</martif>
"""


def test_reads_tbx3_basic():
    termbase = read_tbx(TBX3.encode())
    assert (termbase.name, termbase.description, termbase.source_lang) == (
        "Acme support", "Terms for refund replies", "en")
    refund, brand = termbase.concepts
    assert refund.id == "c-refund"
    assert refund.subject == "billing"
    assert refund.note == "Money returned to a customer."
    assert refund.terms[2] == Term("pl", "refundacja", "noun", status="forbidden", note="Sounds like insurance.")
    assert refund.preferred("pl").text == "zwrot"
    assert [t.text for t in refund.forbidden("pl")] == ["refundacja"]
    assert refund.preferred("pt-BR") == Term("pt-BR", "estorno", status="admitted")
    assert [t.text for t in refund.forbidden("pt-BR")] == ["reembolso"]
    assert not refund.do_not_translate
    assert brand.do_not_translate
    assert brand.terms == [Term("en", "AcmeDesk", "properNoun", case_sensitive=True)]


def test_reads_tbx3_dct_style():
    termbase = read_tbx(TBX3_DCT.encode())
    (order,) = termbase.concepts
    assert termbase.description == "DCT sample"
    assert order.subject == "orders"
    assert order.terms == [
        Term("en", "order", "noun"),
        Term("et", "tellimus", "noun"),
        Term("et", "order", status="forbidden"),
    ]


def test_reads_tbx2_martif_with_tig_and_ntig():
    termbase = read_tbx(TBX2.encode())
    assert termbase.name == "Legacy export"
    account, brand = termbase.concepts
    assert account.note == "Customer account, not a bank account."
    assert account.subject == "accounts"
    assert account.terms == [
        Term("en", "account", "noun"),
        Term("de", "Konto", "noun"),
        Term("de", "Account", status="forbidden"),
    ]
    assert brand.do_not_translate
    assert termbase.pair_entries("en", "de") == {"account": "Konto", "Tolk": "Tolk"}


def rich_termbase() -> Termbase:
    return Termbase(
        name="Support & billing",
        source_lang="en",
        description="Refunds, orders\nand brand names",
        concepts=[
            Concept(
                [
                    Term("en", "refund", "noun"),
                    Term("en", "reimbursement", "noun", status="admitted"),
                    Term("pl", "zwrot", "noun", note="Not \"refundacja\" <ever>."),
                    Term("pl", "refundacja", status="forbidden"),
                    Term("zh-Hans", "退款"),
                ],
                id="c1",
                note="Money back.\nSecond line.",
                subject="billing",
            ),
            Concept([Term("en", "Tolk", "properNoun", case_sensitive=True)], id="c2", do_not_translate=True),
            Concept([Term("en", "order number"), Term("de", "Bestellnummer")], id="c3"),
        ],
    )


def test_round_trip_keeps_everything():
    termbase = rich_termbase()
    data = write_tbx(termbase)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<tbx type="TBX-Basic" style="dca"')
    assert b'xmlns="urn:iso:std:iso:30042:ed-2"' in data
    assert b"deprecatedTerm-admn-sts" in data
    assert b'<termNote type="transferComment">do not translate</termNote>' in data
    assert read_tbx(data) == termbase
    assert read_tbx(write_tbx(read_tbx(TBX3.encode()))) == read_tbx(TBX3.encode())


def test_concepts_without_id_get_one_on_export():
    termbase = Termbase("t", "en", [Concept([Term("en", "ticket")]), Concept([Term("en", "queue")], id="q")])
    assert [c.id for c in read_tbx(write_tbx(termbase)).concepts] == ["c1", "q"]


def test_read_glossary_picks_tbx_by_extension_or_content():
    assert read_glossary(TBX2.encode(), "legacy.tbx").name == "Legacy export"
    assert read_glossary(TBX3_DCT.encode(), "upload").name == "upload"
    assert read_glossary(TBX3_DCT.encode(), "x.xml", name="Orders").name == "Orders"


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def broken(xml: str, **kwargs) -> GlossaryFormatError:
    with pytest.raises(GlossaryFormatError) as info:
        read_tbx(xml.encode(), **kwargs)
    return info.value


def test_malformed_xml_names_the_line():
    error = broken(TBX3.replace("<term>zwrot</term>", "<term>zwrot</trem>"))
    assert error.line == line_of(TBX3, "<term>zwrot</term>") == 24
    assert "line 24" in str(error)
    assert "mismatched tag" in str(error)


def test_unknown_language_names_line_and_element():
    error = broken(TBX3.replace('<langSec xml:lang="pl">', '<langSec xml:lang="xx-YY">'))
    assert (error.line, error.element) == (line_of(TBX3, '<langSec xml:lang="pl">'), "langSec")
    assert "xx-YY" in str(error)


def test_missing_language_is_rejected():
    error = broken(TBX2.replace('<langSet xml:lang="de">', "<langSet>"))
    assert (error.line, error.element) == (line_of(TBX2, '<langSet xml:lang="de">'), "langSet")


def test_unknown_status_is_rejected():
    error = broken(TBX3.replace("supersededTerm-admn-sts", "obsoleteTerm-admn-sts"))
    assert error.element == "termNote"
    assert error.line == line_of(TBX3, "supersededTerm-admn-sts")
    assert "obsoleteTerm-admn-sts" in str(error)


def test_entry_without_terms_and_empty_terms_are_rejected():
    error = broken(TBX3.replace("<term>refund</term>", "<term> </term>"))
    assert (error.line, error.element) == (line_of(TBX3, "<term>refund</term>"), "term")
    error = broken(TBX2.replace('<langSet xml:lang="en">\n          <tig><term>Tolk</term>'
                                '<termNote type="transferComment">do not translate</termNote></tig>\n'
                                '        </langSet>\n        <langSet xml:lang="de">\n'
                                '          <tig><term>Tolk</term></tig>\n        </langSet>', ""))
    assert (error.line, error.element) == (line_of(TBX2, '<termEntry id="te2">'), "termEntry")
    assert "te2" in str(error)


def test_other_xml_is_not_a_termbase():
    error = broken('<?xml version="1.0"?>\n<tmx version="1.4"><body/></tmx>')
    assert (error.line, error.element) == (2, "tmx")
    assert broken('<tbx xml:lang="en"><tbxHeader/></tbx>').element == "tbx"


def test_billion_laughs_is_rejected_without_expanding():
    bomb = """<?xml version="1.0"?>
<!DOCTYPE tbx [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<tbx xml:lang="en"><text><body><conceptEntry id="c1"><langSec xml:lang="en">
<termSec><term>&lol9;</term></termSec></langSec></conceptEntry></body></text></tbx>
"""
    error = broken(bomb)
    assert error.line == 3
    assert "entity" in str(error)


def test_external_entity_is_rejected_and_the_file_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE tbx [<!ENTITY x SYSTEM "file://{secret}">]>
<tbx xml:lang="en"><text><body><conceptEntry id="c1"><langSec xml:lang="en">
<termSec><term>&x;</term></termSec></langSec></conceptEntry></body></text></tbx>
"""
    error = broken(xxe)
    assert error.line == 2
    assert "TOP-SECRET-TOKEN" not in str(error)
    passwd = broken(xxe.replace(f"file://{secret}", "file:///etc/passwd"))
    assert "root:" not in str(passwd)


def test_oversized_file_is_rejected_before_parsing():
    error = broken(TBX3, max_bytes=1000)
    assert "over the limit of 1000" in str(error)
    assert read_tbx(TBX3.encode(), max_bytes=len(TBX3.encode())).name == "Acme support"
