"""XLIFF files written by other tools: the OASIS XLIFF 2.0 test suite and an XLIFF 1.2 sample are read,
written again (2.1 and 1.2) and read back unchanged; bad files are refused with the line."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.conftest import FIXTURES
from workflows.kb.xliff import read, write
from workflows.kb.xliff_doc import (
    Code,
    Document,
    File,
    Segment,
    SegmentState,
    Unit,
    XliffError,
    html_to_content,
)

XLIFF20 = sorted((FIXTURES / "xliff20").glob("*.xlf"))
XLIFF12 = FIXTURES / "xliff12" / "Sample_AlmostEverything_1.2_transitional.xlf"
THIRD_PARTY = [*XLIFF20, XLIFF12]


def _segments(doc, *, for_12: bool = False):
    """(id, source, target, state) of every segment; 1.2 has no segment ids (a trans-unit is one segment)
    and cannot carry control characters."""
    out = []
    for _unit, seg in doc.segments():
        def clean(content):
            if content is None or not for_12:
                return content
            return [p if isinstance(p, Code) else "".join(c for c in p if c >= " " or c in "\t\n\r")
                    for p in content]
        out.append((None if for_12 else seg.id, clean(seg.source), clean(seg.target), seg.state))
    return out


class _LocalXmlXsd(etree.Resolver):
    """The schema imports the W3C xml.xsd by URL: read the copy beside it instead (no network in tests)."""

    def resolve(self, system_url, public_id, context):
        if system_url.endswith("xml.xsd"):
            return self.resolve_filename(str(FIXTURES / "xliff12" / "xml.xsd"), context)
        return None


def xliff12_schema() -> etree.XMLSchema:
    """The OASIS XLIFF 1.2 transitional schema."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXmlXsd())
    return etree.XMLSchema(etree.parse(str(FIXTURES / "xliff12" / "xliff-core-1.2-transitional.xsd"), parser))


@pytest.mark.parametrize("path", THIRD_PARTY, ids=lambda p: p.name)
def test_third_party_files_round_trip_through_xliff_21(path):
    doc = read(path.read_bytes())
    again = read(write(doc, "2.1"))
    assert again.version == "2.1" and again.source_lang == doc.source_lang
    assert _segments(again) == _segments(doc)
    assert [u.notes for _f in again.files for u in _f.units] == [u.notes for _f in doc.files for u in _f.units]


@pytest.mark.parametrize("path", THIRD_PARTY, ids=lambda p: p.name)
def test_third_party_files_round_trip_through_xliff_12_and_validate(path):
    doc = read(path.read_bytes())
    data = write(doc, "1.2")
    schema = xliff12_schema()
    assert schema.validate(etree.fromstring(data)), schema.error_log
    assert _segments(read(data), for_12=True) == _segments(doc, for_12=True)


def test_oasis_everything_core_is_read_with_codes_original_data_and_states():
    doc = read((FIXTURES / "xliff20" / "everything-core.xlf").read_bytes())
    assert (doc.version, doc.source_lang, doc.target_lang) == ("2.0", "en", "fr")
    segs = {(u.id, s.id): s for u, s in doc.segments()}
    first = segs[("tu1", "1")]
    assert (first.source, first.target, first.state) == (["Sample segment."], ["Exemple de segment."],
                                                         SegmentState.TRANSLATED)
    coded = segs[("tu2", "s1")].source
    assert coded[0] == Code("open", "1", "[b [#$tu3]   ]")
    assert coded[2] == Code("close", "1", "[/b [#t3end]   ]")
    assert Code("standalone", "2", "[rtl-data   ]") in coded
    assert [u.id for u in doc.files[0].units] == ["tu1", "tu3", "tu3end", "tu2"]  # groups flattened in order
    assert doc.files[0].notes == ["Text of note1", "Text of note-g1"]  # a group's notes are the file's


def test_xliff_12_sample_maps_states_and_inline_codes():
    doc = read(XLIFF12.read_bytes())
    first = next(s for u, s in doc.segments() if u.id == "_1_ski_041")
    assert first.state == SegmentState.REVIEWED  # needs-translation, but the unit is approved="yes"
    assert next(s for u, s in doc.segments() if u.id == "_1_ski_2203").state == SegmentState.TRANSLATED
    kinds = [(p.kind, p.id) for p in first.source if isinstance(p, Code)]
    assert kinds[:2] == [("open", "_1_ski_040"), ("close", "_1_ski_040")]  # <g> is a pair
    assert ("standalone", "_1_ski_535") in kinds  # <x/>


def test_segment_html_becomes_paired_and_standalone_codes():
    content = html_to_content('Open <a href="/o?a=1&amp;b=2">the <b>Orders</b></a> page<img src="x.png"> &amp; '
                              "pay.</i>")
    assert content == ["Open ", Code("open", "1", '<a href="/o?a=1&amp;b=2">'), "the ", Code("open", "2", "<b>"),
                       "Orders", Code("close", "2", "</b>"), Code("close", "1", "</a>"), " page",
                       Code("standalone", "3", '<img src="x.png">'), " & pay.", Code("standalone", "4", "</i>")]
    written = write_one(content)
    assert b'<pc id="1" dataRefStart="d1" dataRefEnd="d4">' in written
    assert b'<ph id="3" dataRef="d5"/>' in written


def write_one(content):
    doc = Document("2.1", "en", "es", [File("f", "x", [Unit("u", [Segment("s", content)])])])
    data = write(doc, "2.1")
    assert _segments(read(data)) == _segments(doc)
    return data


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en"><file id="f">
<unit id="u"><segment><source>&b;</source></segment></unit></file></xliff>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en"><file id="f">
<unit id="u"><segment><source>&x;</source></segment></unit></file></xliff>"""
HEAD = b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="es">\n<file id="f">\n'


@pytest.mark.parametrize(("data", "line", "reason"), [
    (b"<xliff><file", 1, "not well-formed XML"),
    (HEAD + b'<unit id="u">\n<segment>\n<source>a</sourc>', 5, "not well-formed XML"),
    (BILLION_LAUGHS, 1, "a DOCTYPE is not allowed"),
    (EXTERNAL, 1, "a DOCTYPE is not allowed"),
    (b'<?xml version="1.0"?>\n<tmx version="1.4"/>', 2, "the root element is <tmx>"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="3.0" srcLang="en"/>', 1, "version '3.0'"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1"/>', 1, "no srcLang"),
    (b'<xliff xmlns="urn:example:other" version="2.1"/>', 1, "unknown XLIFF namespace"),
    (HEAD + b'<unit id="u">\n<segment state="done">\n<source>a</source></segment></unit></file></xliff>', 4,
     "segment state 'done'"),
    (HEAD + b'<unit>\n<segment><source>a</source></segment></unit></file></xliff>', 3, "<unit> has no id"),
    (HEAD + b'<unit id="u">\n<segment>\n<target>a</target></segment></unit></file></xliff>', 4, "no <source>"),
    (HEAD + b'<unit id="u"><segment><source>a\n<cp hex="zz"/></source></segment></unit></file></xliff>', 4,
     "not a hexadecimal"),
    (HEAD + b'<unit id="u"><segment><source>a\n<b>x</b></source></segment></unit></file></xliff>', 4,
     "<b> is not allowed"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">\n<file original="x" '
     b'source-language="en" datatype="html"><body>\n<trans-unit id="1"><source>a</source>\n'
     b'<target state="almost">b</target></trans-unit></body></file></xliff>', 4, "target state 'almost'"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">\n<file original="x" '
     b'datatype="html"><body/></file></xliff>', 2, "no source-language"),
])
def test_bad_files_are_refused_with_the_reason_and_line(data, line, reason):
    with pytest.raises(XliffError) as caught:
        read(data)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"line {line}: ")
