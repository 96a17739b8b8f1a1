"""PO catalogs: third-party conformance files, export, translator round-trips, refused imports, pre-fill."""

from __future__ import annotations

import io
from pathlib import Path

import polib
import pytest

from tests.factories import export_po, import_po, template_translations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "po"


def entry_view(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural, entry.msgstr, dict(entry.msgstr_plural),
            sorted(entry.flags), entry.comment, entry.tcomment, entry.occurrences)


# --- conformance with third-party files -----------------------------------------------------------


@pytest.mark.parametrize("name", ["de.po", "ru_RU.po", "messages.pot"])
def test_third_party_catalogs_parse_and_round_trip_without_loss(name):
    from workflows.catalogs import read_po, write_po

    data = (FIXTURES / name).read_bytes()
    original = polib.pofile(data.decode())
    parsed = read_po(data)
    again = polib.pofile(write_po(parsed).decode())
    assert [entry_view(e) for e in again] == [entry_view(e) for e in original]
    assert again.metadata == original.metadata
    assert again.metadata_is_fuzzy == original.metadata_is_fuzzy
    assert len(again) == 2


def test_russian_fixture_keeps_three_plural_forms():
    from workflows.catalogs import read_po

    po = read_po((FIXTURES / "ru_RU.po").read_bytes())
    foobar = next(e for e in po if e.msgid == "foobar")
    assert sorted(foobar.msgstr_plural) == [0, 1, 2]
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    assert next(e for e in po if e.msgid == "bar").comment.startswith("This will be a translator coment")


def test_buggy_fixture_is_refused_with_its_line_and_nothing_is_stored(seeded):
    from workflows.catalogs import CatalogError

    before = template_translations(seeded)
    with pytest.raises(CatalogError) as refused:
        import_po(seeded, (FIXTURES / "fi_BUGGY.po").read_bytes(), locale="fi")
    assert refused.value.line == 4
    assert "%(sign)s" in refused.value.message and "%(merkki)s" in refused.value.message
    assert template_translations(seeded) == before


def test_cli_import_of_the_buggy_fixture_exits_non_zero_naming_the_line(seeded, runner):
    result = runner.invoke(args=["catalogs", "import", str(FIXTURES / "fi_BUGGY.po"), "--locale", "fi"])
    assert result.exit_code != 0
    assert "line 4" in result.output


@pytest.mark.parametrize(("text", "line"), [
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b\nmsgid "c"\nmsgstr "d"\n', 5),
    ('msgid ""\nmsgstr ""\n\nmsgid unquoted\nmsgstr "b"\n', 4),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgid "b"\nmsgstr "c"\n', 5),
    ('msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
     'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] "y"\nmsgstr[2] "z"\n', 5),
    ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4),
])
def test_syntax_and_structure_errors_name_the_line(text, line):
    from workflows.catalogs import CatalogError, read_po

    with pytest.raises(CatalogError) as refused:
        read_po(text.encode())
    assert refused.value.line == line, refused.value.message
    assert f"line {line}" in refused.value.message


def test_an_upload_naming_a_local_path_is_not_opened(tmp_path):
    from workflows.catalogs import CatalogError, read_po

    secret = tmp_path / "x.po"
    secret.write_text('msgid "a"\nmsgstr "secret"\n')
    with pytest.raises(CatalogError):
        read_po(str(secret).encode())


# --- export ---------------------------------------------------------------------------------------


def test_polish_catalog_has_cldr_plural_forms_and_all_parts(seeded):
    from workflows.locales import parse_plural_header

    po = export_po(seeded, "pl")
    assert po.metadata["Language"] == "pl"
    # Babel versions spell the Polish rule differently; what it says is the same.
    rule = parse_plural_header(po.metadata["Plural-Forms"])
    assert rule.nplurals == 3
    assert [rule.index(n) for n in (1, 2, 5, 12, 22, 25, 112, 1000000)] == [0, 1, 2, 2, 1, 2, 2, 2]
    refund = po.find("refund-confirmation", by="msgctxt")
    assert refund.msgid_plural.endswith("simply reply to this message and we will look into it.")
    assert sorted(refund.msgstr_plural) == [0, 1, 2]
    assert "({count} produktów)" in refund.msgstr_plural[2]
    assert "{delivery_date} is the date the money reaches the customer's account" in refund.comment
    assert "fuzzy" not in refund.flags and "python-brace-format" in refund.flags
    delay = po.find("shipping-delay", by="msgctxt")
    assert "fuzzy" in delay.flags and delay.tcomment.startswith("Machine pre-fill")


def test_pot_and_other_locales(seeded):
    from tolk.db import db
    from workflows.catalogs import export_catalogs

    with seeded.app_context():
        files = export_catalogs(db.session, ["pl", "zh-Hant", "de-CH"])
    assert set(files) == {"messages.pot", "pl.po", "zh_Hant.po", "de_CH.po"}
    pot = polib.pofile(files["messages.pot"].decode())
    assert all(not e.translated() for e in pot) and "Language" not in pot.metadata
    zh = polib.pofile(files["zh_Hant.po"].decode())
    assert zh.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert list(zh.find("refund-confirmation", by="msgctxt").msgstr_plural) == [0]


def test_outdated_translation_is_exported_fuzzy(seeded, client, admin_headers):
    client.put("/api/v1/templates/shipping-delay", headers=admin_headers,
               json={"source_text": "Order {order_id} is late; it should arrive on {delivery_date}."})
    entry = export_po(seeded, "de").find("shipping-delay", by="msgctxt")
    assert "fuzzy" in entry.flags and entry.msgstr.startswith("Es tut uns leid")


# --- import ---------------------------------------------------------------------------------------


def test_translator_round_trip_keeps_everything(seeded):
    po = export_po(seeded, "pl")
    delay = po.find("shipping-delay", by="msgctxt")
    delay.msgstr = ("Przepraszamy: Państwa zamówienie {order_id} jest opóźnione. Przewidujemy dostawę w dniu "
                    "{delivery_date}. Nie muszą Państwo nic robić; poinformujemy Państwa, jeśli coś się zmieni.")
    delay.flags.remove("fuzzy")
    delay.tcomment = "Switched to Państwo."
    before = template_translations(seeded)
    report = import_po(seeded, str(po).encode())
    assert report.updated == ["shipping-delay"] and report.state == "translated"
    assert set(report.unchanged) == {"refund-confirmation", "password-reset"}
    after = template_translations(seeded)
    assert after[("shipping-delay", "pl")] == ([delay.msgstr], "translated", "Switched to Państwo.")
    # Unchanged reviewed entries stay reviewed; other locales are untouched.
    assert after[("refund-confirmation", "pl")] == before[("refund-confirmation", "pl")]
    assert {k: v for k, v in after.items() if k[1] != "pl"} == {k: v for k, v in before.items() if k[1] != "pl"}
    again = export_po(seeded, "pl")
    assert [entry_view(e) for e in again] == [entry_view(e) for e in po]


def test_fuzzy_entries_stay_fuzzy_and_reviewers_import_reviewed(seeded, make_user):
    from tolk.errors import Forbidden

    po = export_po(seeded, "nl")
    delay = po.find("shipping-delay", by="msgctxt")
    delay.flags.append("fuzzy")
    report = import_po(seeded, str(po).encode(), locale="nl")
    assert report.fuzzy == ["shipping-delay"]
    assert template_translations(seeded)[("shipping-delay", "nl")][1] == "fuzzy"

    delay.flags.remove("fuzzy")
    joost, _ = make_user("reviewer", "nl", name="joost")
    report = import_po(seeded, str(po).encode(), importer=joost)
    assert report.state == "reviewed" and report.updated == ["shipping-delay"]
    assert template_translations(seeded)[("shipping-delay", "nl")][1] == "reviewed"

    lucia, _ = make_user("reviewer", "es", name="lucia")
    with pytest.raises(Forbidden):
        import_po(seeded, str(po).encode(), importer=lucia)


def _pl_catalog(seeded, change) -> bytes:
    po = export_po(seeded, "pl")
    change(po)
    return str(po).encode()


def _set(po, ctx, **values):
    entry = po.find(ctx, by="msgctxt")
    for k, v in values.items():
        setattr(entry, k, v)


REFUND_FORM = "Zwrot {refund_amount} ({count}) za {order_id} do {delivery_date}."


@pytest.mark.parametrize(("change", "expected"), [
    (lambda po: _set(po, "refund-confirmation", msgctxt="no-such-template"), "unknown reply template"),
    (lambda po: _set(po, "refund-confirmation", msgstr_plural={0: REFUND_FORM, 1: REFUND_FORM}),
     "plural form(s)"),
    (lambda po: _set(po, "refund-confirmation", msgstr_plural={i: REFUND_FORM.replace("{order_id}", "{zamowienie}")
                                                              for i in range(3)}), "{zamowienie}"),
    (lambda po: _set(po, "shipping-delay", msgstr="Zamówienie {order_id} jest opóźnione."), "{delivery_date}"),
    (lambda po: _set(po, "shipping-delay", msgstr="Zamówienie {order_id} {delivery_date} {oops."), "brace"),
    (lambda po: po.metadata.update({"Language": "cs"}), "Language header"),
    (lambda po: po.metadata.update({"Plural-Forms": "nplurals=2; plural=(n != 1);"}), "nplurals"),
])
def test_bad_entries_refuse_the_whole_file(seeded, change, expected):
    from workflows.catalogs import CatalogError

    def edit(po):
        # A valid edit in the same file, which must not be stored either.
        reset = po.find("password-reset", by="msgctxt")
        reset.msgstr_plural = {i: v.replace("Prosimy skorzystać", "Proszę skorzystać")
                               for i, v in reset.msgstr_plural.items()}
        change(po)

    data = _pl_catalog(seeded, edit)
    before = template_translations(seeded)
    with pytest.raises(CatalogError) as refused:
        import_po(seeded, data, locale="pl")
    assert expected in refused.value.message
    assert refused.value.line is not None
    assert template_translations(seeded) == before


def test_stale_entries_are_skipped_and_reported(seeded, client, admin_headers):
    old = export_po(seeded, "de")
    client.put("/api/v1/templates/shipping-delay", headers=admin_headers,
               json={"source_text": "Order {order_id} is late; it should arrive on {delivery_date}."})
    report = import_po(seeded, str(old).encode())
    assert report.outdated == ["shipping-delay"]


def test_catalog_api(seeded, client, agent_headers, make_user):
    pot = client.get("/api/v1/catalogs/messages.pot", headers=agent_headers)
    assert pot.status_code == 200 and b'msgctxt "refund-confirmation"' in pot.data
    po = client.get("/api/v1/catalogs/zh-Hant.po", headers=agent_headers)
    assert po.status_code == 200 and b'"Language: zh_Hant\\n"' in po.data
    assert 'filename="zh_Hant.po"' in po.headers["Content-Disposition"]

    upload = {"file": (io.BytesIO(po.data), "zh_Hant.po")}
    assert client.post("/api/v1/catalogs/import", data=upload, headers=agent_headers).status_code == 403
    _, editor = make_user("editor")
    ok = client.post("/api/v1/catalogs/import", headers=editor,
                     data={"file": (io.BytesIO(po.data), "zh_Hant.po")})
    assert ok.status_code == 200 and ok.json["unchanged"] == ["refund-confirmation"]
    bad = client.post("/api/v1/catalogs/import", headers=editor,
                      data={"file": (io.BytesIO((FIXTURES / "fi_BUGGY.po").read_bytes()), "fi.po"), "locale": "fi"})
    assert bad.status_code == 400
    assert bad.json["error"]["details"]["line"] == 4 and bad.json["error"]["code"] == "invalid_catalog"


def test_cli_exports_files(seeded, runner, tmp_path):
    out = tmp_path / "catalogs"
    result = runner.invoke(args=["catalogs", "export", "--locale", "pl", "--locale", "nl", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["messages.pot", "nl.po", "pl.po"]
    assert polib.pofile(str(out / "pl.po")).metadata["Language"] == "pl"


# --- machine pre-fill -----------------------------------------------------------------------------


@pytest.fixture
def untranslated(seeded):
    from tolk.db import db
    from workflows.macros import create_template

    with seeded.app_context():
        create_template(db.session, {"id": "order-received", "source_text": "We received your order {order_id}.",
                                     "source_plural": "We received your {count} orders.",
                                     "plural_variable": "count"})
        db.session.commit()
    return seeded


@pytest.mark.skipif(not Path("/usr/share/apertium/modes/eng-spa.mode").exists(), reason="needs apertium-eng-spa")
def test_prefill_stores_machine_translations_fuzzy(untranslated):
    from tolk.db import db
    from workflows.catalogs import prefill
    from workflows.locales import plural_rule
    from workflows.macros import render

    with untranslated.app_context():
        report = prefill(db.session, "es")
        db.session.commit()
    assert report.ok and report.filled == ["order-received"]
    assert report.engines["order-received"] == "apertium"
    assert "refund-confirmation" in report.skipped
    forms, state, comment = template_translations(untranslated)[("order-received", "es")]
    assert state == "fuzzy" and len(forms) == plural_rule("es").nplurals  # 2 (Babel 2.18) or 3 (2.19)
    assert "{order_id}" in forms[0] and all("{count}" in form for form in forms[1:])
    assert comment.startswith("Machine pre-fill (apertium)")
    with untranslated.app_context():
        r = render(db.session, "order-received", "es", {"order_id": "A-1", "count": 1, "customer_name": "Ana"})
    assert r.used_source  # a pre-fill is never sent to a customer unreviewed


def test_prefill_reports_a_locale_no_engine_serves(untranslated):
    from tolk.db import db
    from workflows.catalogs import prefill

    with untranslated.app_context():
        report = prefill(db.session, "pl")
    assert not report.ok and report.filled == []
    assert "en -> pl" in report.error
    assert ("order-received", "pl") not in template_translations(untranslated)


@pytest.mark.skipif(not Path("/usr/share/apertium/modes/eng-spa.mode").exists(), reason="needs apertium-eng-spa")
def test_cli_prefill_reports_each_locale(untranslated, runner):
    result = runner.invoke(args=["catalogs", "prefill", "--locale", "es", "--locale", "pl"])
    assert result.exit_code == 1
    assert "es: 1 pre-filled (engine: apertium)" in result.output
    assert "pl: no engine serves en -> pl" in result.output
