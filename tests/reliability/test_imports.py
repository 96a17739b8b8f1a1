"""Hostile and broken import files (TBX, CSV glossaries, PO catalogs, TMX) are refused with a clear error,
through the API and the CLI, and store nothing: malformed files, external entities, entity expansion
(billion laughs) and files over TOLK_MAX_UPLOAD_BYTES."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import FIXTURES
from tolk.db import Base, db

LIMIT = 8192
TBX_NS = "urn:iso:std:iso:30042:ed-2"


def tbx(term: str, doctype: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<tbx style="dca" type="TBX-Basic" xml:lang="en" xmlns="{TBX_NS}">
  <tbxHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en"><termSec><term>{term}</term></termSec></langSec>
      <langSec xml:lang="es"><termSec><term>devolución</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
""".encode()


def tmx(seg: str, doctype: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<tmx version="1.4">
  <header creationtool="test" creationtoolversion="1" datatype="plaintext" segtype="sentence"
          adminlang="en" srclang="en" o-tmf="test"/>
  <body><tu><tuv xml:lang="en"><seg>{seg}</seg></tuv><tuv xml:lang="es"><seg>hola</seg></tuv></tu></body>
</tmx>
""".encode()


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>")


@pytest.fixture
def secret_file(tmp_path):
    """A file only a parser that reads external files would see; as a DTD it defines ``&leak;``."""
    secret = f"TOP-SECRET-{uuid.uuid4().hex}"
    path = tmp_path / "secret.dtd"
    path.write_text(f'<!ENTITY leak "{secret}">')
    return path, secret


def hostile_xml(kind: str, secret_path) -> tuple[str, str]:
    """(DOCTYPE, text using it) for an external general entity, an external DTD, a parameter entity or
    entity expansion: each reads the secret file, or blows up, if the parser does what the file asks."""
    uri = secret_path.as_uri()
    return {
        "external entity": (f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{uri}">]>', "&xxe;"),
        "external dtd": (f'<!DOCTYPE x SYSTEM "{uri}">', "&leak;"),
        "parameter entity": (f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{uri}"> %p;]>', "&leak;"),
        "billion laughs": (LAUGHS, "&lol9;"),
    }[kind]


HOSTILE = ["external entity", "external dtd", "parameter entity", "billion laughs"]


@pytest.fixture
def app_config():
    return {"MAX_UPLOAD_BYTES": LIMIT}


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
                if t.name != "audit_events"}


def _po_template(app) -> None:
    """A reply template, so that a well-formed PO file would have something to translate."""
    from workflows.models import ReplyTemplate

    with app.app_context():
        db.session.add(ReplyTemplate(id="shipping_delay", source_locale="en",
                                     source_text="Your order {order} is delayed."))
        db.session.commit()


def _assert_refused(response, secret: str | None = None, case: str = "") -> dict:
    assert 400 <= response.status_code < 500, (case, response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    if secret:
        assert secret not in response.get_data(as_text=True)
    return error


def _upload(client, headers, path: str, filename: str, data: bytes, **fields):
    return client.post(path, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename), **fields})


def _broken_files(secret_path) -> list[tuple[str, str, bytes]]:
    """(case, filename, content) for each refused import of the glossary endpoint."""
    cases = [
        ("tbx truncated", "brand.tbx", tbx("refund")[:-40]),
        ("tbx not xml", "brand.tbx", b"this is not XML at all\n"),
        ("tbx without terms", "brand.tbx", tbx("")),
        ("csv no language header", "brand.csv", b"term,translation\nrefund,devoluci\xc3\xb3n\n"),
        ("csv not utf-8", "brand.csv", b"en,es\nrefund,devoluci\xf3n\n"),
        ("csv binary", "brand.csv", b"en,es\nrefund\x00,x\n"),
    ]
    for kind in HOSTILE:
        doctype, term = hostile_xml(kind, secret_path)
        cases.append((f"tbx {kind}", "brand.tbx", tbx(term, doctype)))
    return cases


def test_glossary_api_refuses_broken_and_hostile_files_and_stores_nothing(app, client, admin_headers, secret_file):
    secret_path, secret = secret_file
    good = _upload(client, admin_headers, "/api/v1/glossaries/import", "ok.tbx", tbx("refund"), name="ok")
    assert good.status_code == 201, good.get_json()  # the same shape, well-formed, is accepted
    before = row_counts(app)
    refused = 0
    for case, filename, data in _broken_files(secret_path):
        response = _upload(client, admin_headers, "/api/v1/glossaries/import", filename, data, name="brand")
        error = _assert_refused(response, secret, case)
        assert response.status_code == 400 and error["code"] == "invalid_file", (case, error)
        refused += 1
    for size in (LIMIT + 1, 200_000):  # over the setting, and over the request size limit as well
        big = b"en,es\n" + b"".join(f"refund {n},devoluci\u00f3n {n}\n".encode() for n in range(size // 20))
        assert len(big) > size
        response = _upload(client, admin_headers, "/api/v1/glossaries/import", "big.csv", big, name="big")
        assert _assert_refused(response) and response.status_code == 413
        refused += 1
    assert row_counts(app) == before
    assert client.get("/api/v1/glossaries/brand", headers=admin_headers).status_code == 404
    print(f"\nimports (glossary API): {refused} files refused, 0 rows stored")


def test_glossary_cli_refuses_broken_and_hostile_files_and_stores_nothing(app, runner, tmp_path, secret_file):
    secret_path, secret = secret_file
    before = row_counts(app)
    cases = _broken_files(secret_path)
    cases.append(("csv over the limit", "big.csv",
                  b"en,es\n" + b"".join(f"refund {n},devolucion {n}\n".encode() for n in range(LIMIT // 20))))
    for case, filename, data in cases:
        path = tmp_path / filename
        path.write_bytes(data)
        result = runner.invoke(args=["glossary", "import", str(path), "--name", "brand"])
        assert result.exit_code != 0, (case, result.output)
        assert str(path) in result.output and "Traceback" not in result.output, (case, result.output)
        assert secret not in result.output
    assert row_counts(app) == before


def _po(body: str) -> bytes:
    return ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"\n'
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n' + body).encode()


def _broken_catalogs(secret_path) -> list[tuple[str, bytes]]:
    return [
        ("unterminated string", _po('msgctxt "shipping_delay"\nmsgid "Your order {order} is delayed.\nmsgstr "x"\n')),
        ("lost placeholder", _po('msgctxt "shipping_delay"\nmsgid "Your order {order} is delayed."\n'
                                 'msgstr "Su pedido se retrasa."\n')),
        ("unknown template", _po('msgctxt "nope"\nmsgid "Hello"\nmsgstr "Hola"\n')),
        ("babel's buggy fixture", (FIXTURES / "po" / "fi_BUGGY.po").read_bytes()),
        ("a path instead of a file", str(secret_path).encode()),
        ("binary", b"\x00\x01\x02PO?\xff\xfe"),
    ]


def test_catalog_import_refuses_broken_files_through_the_api_and_cli(app, client, runner, tmp_path, make_user,
                                                                      secret_file):
    secret_path, secret = secret_file
    _po_template(app)
    editor = make_user("editor")[1]
    good = _po('msgctxt "shipping_delay"\nmsgid "Your order {order} is delayed."\nmsgstr "Su pedido {order} se retrasa."\n')
    before = row_counts(app)
    for case, data in _broken_catalogs(secret_path):
        response = _upload(client, editor, "/api/v1/catalogs/import", "es.po", data, locale="es")
        error = _assert_refused(response, secret, case)
        assert response.status_code == 400, (case, error)
        path = tmp_path / "es.po"
        path.write_bytes(data)
        result = runner.invoke(args=["catalogs", "import", str(path), "--locale", "es"])
        assert result.exit_code != 0 and "Traceback" not in result.output, (case, result.output)
        assert secret not in result.output
    big = good + b"# padding\n" * (LIMIT // 10 + 1)
    response = _upload(client, editor, "/api/v1/catalogs/import", "es.po", big, locale="es")
    assert _assert_refused(response) and response.status_code == 413
    (tmp_path / "big.po").write_bytes(big)
    assert runner.invoke(args=["catalogs", "import", str(tmp_path / "big.po")]).exit_code != 0
    assert row_counts(app) == before
    # The well-formed file is taken: the refusals above were about the files, not the set-up.
    assert _upload(client, editor, "/api/v1/catalogs/import", "es.po", good, locale="es").status_code == 200


@pytest.mark.parametrize("kind", ["truncated", *HOSTILE])
def test_tmx_import_refuses_broken_and_hostile_files_and_stores_nothing(app, secret_file, kind):
    from machinery.service import services
    from machinery.tmx import TmxError, import_tmx

    secret_path, secret = secret_file
    data = tmx("Hello")[:-30] if kind == "truncated" else tmx(*reversed(hostile_xml(kind, secret_path)))
    before = row_counts(app)
    with app.app_context():
        with pytest.raises(TmxError) as refused:
            import_tmx(db.session, services().memory, data)
        db.session.rollback()
    assert secret not in str(refused.value) and str(refused.value)
    assert row_counts(app) == before


def test_tmx_over_the_size_limit_is_refused(app):
    from machinery.tmx import TmxError, read_tmx

    with pytest.raises(TmxError, match="bytes"):
        read_tmx(tmx("Hello " * (LIMIT // 6)), max_bytes=LIMIT)
