"""TBX files are read as a stream (``glossaries.tbx.open_tbx``): the header and source language first, then
entry by entry with each error's line; a large TBX imported by a worker stores all of it or nothing."""

from __future__ import annotations

import pytest

from glossaries.tbx import open_tbx, read_tbx
from glossaries.terms import GlossaryFormatError
from tests.conftest import run_jobs
from tests.glossaries.test_api import upload

NS = "urn:iso:std:iso:30042:ed-2"


def entry(n: int, term: str | None = None) -> str:
    return (f'<conceptEntry id="c{n}">\n<langSec xml:lang="en"><termSec><term>{term or f"term {n}"}</term>'
            f'</termSec></langSec>\n<langSec xml:lang="es"><termSec><term>término {n}</term></termSec></langSec>\n'
            f'</conceptEntry>\n')


def big_tbx(entries: int, *, lang: str = ' xml:lang="en"', doctype: str = "", extra: str = "") -> bytes:
    body = "".join(entry(n) for n in range(entries))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<tbx type="TBX-Basic" style="dca"{lang} xmlns="{NS}">\n'
            f'<tbxHeader><fileDesc><titleStmt><title>Big</title></titleStmt>'
            f'<sourceDesc><p>Many terms</p></sourceDesc></fileDesc></tbxHeader>\n'
            f'<text><body>\n{body}{extra}</body></text>\n</tbx>\n').encode()


def line_of(data: bytes, needle: str) -> int:
    return data[: data.index(needle.encode())].count(b"\n") + 1


def test_the_header_comes_first_and_the_entries_as_they_are_parsed():
    data = big_tbx(3000, extra=entry(3000, term=" "))
    opened = open_tbx(data)
    assert (opened.name, opened.source_lang, opened.description, opened.total) == ("Big", "en", "Many terms", 3001)
    first = next(opened.concepts)
    assert [(t.lang, t.text) for t in first.terms] == [("en", "term 0"), ("es", "término 0")]
    # the broken last entry is only reached by reading on, and names its line
    with pytest.raises(GlossaryFormatError) as info:
        for _concept in opened.concepts:
            pass
    assert info.value.line == line_of(data, "<term> </term>") and info.value.element == "term"


def test_without_a_root_language_the_first_entry_gives_it():
    opened = open_tbx(big_tbx(2, lang=""))
    assert opened.source_lang == "en" and len(list(opened.concepts)) == 2
    with pytest.raises(GlossaryFormatError, match="missing xml:lang"):
        open_tbx(big_tbx(0, lang=""))


@pytest.mark.parametrize("where", ["term", "between entries", "attribute"])
def test_an_undeclared_entity_with_an_outside_dtd_is_refused(tmp_path, where):
    # libxml2 keeps an undeclared entity as a node when the DOCTYPE names a DTD it does not load
    dtd = tmp_path / "leak.dtd"
    dtd.write_text('<!ENTITY leak "TOP-SECRET">')
    doctype = f'<!DOCTYPE tbx SYSTEM "{dtd.as_uri()}">'
    data = big_tbx(3, doctype=doctype)
    if where == "term":
        data = data.replace(b"<term>term 1</term>", b"<term>&leak;</term>")
    elif where == "between entries":
        data = data.replace(b'<conceptEntry id="c2">', b'&leak;<conceptEntry id="c2">')
    else:
        data = data.replace(b'<conceptEntry id="c2">', b'<conceptEntry id="&leak;">')
    with pytest.raises(GlossaryFormatError, match="leak") as info:
        read_tbx(data)
    assert info.value.line == line_of(data, "&leak;")
    assert "TOP-SECRET" not in str(info.value)


def test_entity_declarations_the_byte_scan_misses_are_still_refused():
    # "<x" in a comment before the DOCTYPE ends the scan for declarations early; the parsed DTD still has them
    data = big_tbx(1, doctype='<!-- <x --><!DOCTYPE tbx [<!ENTITY e "expanded">]>')
    with pytest.raises(GlossaryFormatError, match="entit"):
        read_tbx(data)


@pytest.fixture
def app_config():
    return {"IMPORT_SYNC_BYTES": 100}


def test_a_large_tbx_is_imported_by_a_worker_entry_by_entry(app, client, admin_headers):
    response = upload(client, admin_headers, big_tbx(1500), "big.tbx", name="big")
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    run_jobs(app)
    done = client.get(f"/api/v1/imports/{job['id']}", headers=admin_headers).get_json()
    assert done["status"] == "done" and done["done"] == done["total"] == 1500
    glossary = client.get("/api/v1/glossaries", headers=admin_headers).get_json()["glossaries"]
    assert [(g["name"], g["entries_count"], g["languages"]) for g in glossary] == [("big", 1500, ["en", "es"])]


def test_a_bad_entry_after_many_good_ones_fails_the_job_and_stores_nothing(app, client, admin_headers):
    data = big_tbx(1500, extra=entry(1500, term=" "))
    response = upload(client, admin_headers, data, "big.tbx", name="big")
    assert response.status_code == 202
    run_jobs(app)
    failed = client.get(f"/api/v1/imports/{response.get_json()['id']}", headers=admin_headers).get_json()
    assert failed["status"] == "failed" and "empty term" in failed["error"]
    assert failed["line"] == line_of(data, "<term> </term>") > 6000
    assert client.get("/api/v1/glossaries", headers=admin_headers).get_json()["glossaries"] == []
