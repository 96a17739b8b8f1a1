"""The TMX reader streams (lxml iterparse): units come as the file is parsed, errors name their line (also past
line 65,535), and what lxml would let through that expat did not (undeclared entities under an outside DTD,
declarations the byte scan misses) is refused."""

from __future__ import annotations

import pytest

from machinery.tmx import TmxError, TmxUnit, iter_tmx, read_tmx, write_tmx


def units(count: int) -> list[TmxUnit]:
    return [TmxUnit("en", "es", f"Your order {n} has shipped.", f"Tu pedido {n} ha salido.") for n in range(count)]


def line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def test_units_come_before_the_rest_of_the_file_is_read():
    data = write_tmx(units(3000), "en").replace(b"</body>", b"<tu><tuv><seg>no language</seg></tuv></tu></body>")
    stream = iter_tmx(data)
    assert next(stream).source == "Your order 0 has shipped."
    with pytest.raises(TmxError, match="without xml:lang"):
        list(stream)


def test_errors_name_lines_past_65535():
    data = write_tmx(units(17000), "en")
    bad = b'<tu><tuv xml:lang="fr"><seg>a</seg></tuv><tuv xml:lang="de"><seg>b</seg></tuv></tu>'
    data = data.replace(b"</body>", bad + b"</body>")
    line = line_of(data, bad)
    assert line > 65535
    with pytest.raises(TmxError, match=f"^line {line}, <tu>: no <tuv> in the source language"):
        read_tmx(data)
    broken = data.replace(bad, b"<tu><tuv></tu>")
    with pytest.raises(TmxError, match=rf"^line {line}, column \d+: not well-formed XML \(mismatched tag\)"):
        read_tmx(broken)


def test_an_element_other_than_tu_in_body_is_refused_with_its_line():
    data = write_tmx(units(3), "en").replace(b"    <tu>", b"    <note>x</note><tu>", 1)
    with pytest.raises(TmxError, match=f"^line {line_of(data, b'<note>')}, <note>: only <tu> may appear in <body>"):
        read_tmx(data)
    trailing = write_tmx(units(3), "en").replace(b"</body>", b"<prop/></body>")
    with pytest.raises(TmxError, match="<prop>: only <tu> may appear in <body>"):
        read_tmx(trailing)


@pytest.mark.parametrize("where", ["seg", "between units", "attribute"])
def test_an_undeclared_entity_with_an_outside_dtd_is_refused(tmp_path, where):
    dtd = tmp_path / "leak.dtd"
    dtd.write_text('<!ENTITY leak "TOP-SECRET">')
    data = write_tmx(units(3), "en").replace(b'"tmx14.dtd"', f'"{dtd.as_uri()}"'.encode())
    target = {"seg": (b"<seg>Your order 1 has shipped.</seg>", b"<seg>&leak;</seg>"),
              "between units": (b"    <tu>", b"    &leak;<tu>"),
              "attribute": (b'<tuv xml:lang="es">', b'<tuv xml:lang="es" creationid="&leak;">')}[where]
    data = data.replace(*target, 1)
    with pytest.raises(TmxError, match=rf"^line {line_of(data, b'&leak;')}\b.*undefined entity &leak;") as info:
        read_tmx(data)
    assert "TOP-SECRET" not in str(info.value)


def test_entity_declarations_the_byte_scan_misses_are_still_refused():
    data = write_tmx(units(1), "en").replace(b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">',
                                             b'<!-- <x --><!DOCTYPE tmx [<!ENTITY e "expanded">]>')
    with pytest.raises(TmxError, match="refused for safety"):
        read_tmx(data)


def test_the_written_doctype_is_accepted_and_its_dtd_never_fetched():
    data = write_tmx(units(2), "en").replace(b'"tmx14.dtd"', b'"http://127.0.0.1:9/tmx14.dtd"')
    assert [u.target for u in read_tmx(data)] == ["Tu pedido 0 ha salido.", "Tu pedido 1 ha salido."]
