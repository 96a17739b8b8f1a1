"""Stored plural rules: translations keep the gettext rule they were written with when Babel's changes.

Babel 2.18 gave Spanish two forms, ``(n != 1)``; Babel 2.19 (CLDR) gives three, with "many" for round
millions. The tests set the installed Babel's answer themselves (``babel_rule``), so they hold on either.
"""

from __future__ import annotations

import io
import json

import polib
import pytest
from sqlalchemy import create_engine, select, text

from tests.factories import export_po, import_po, template_translations

SPANISH_2 = "nplurals=2; plural=(n != 1);"
SPANISH_3 = "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"
ONE_FORM = "nplurals=1; plural=0;"

ONE = "Reembolsamos {count} artículo."
MANY = "Reembolsamos {count} de artículos."
OTHER = "Reembolsamos {count} artículos."


@pytest.fixture
def babel_rule(monkeypatch):
    """babel_rule(language, header): make the installed Babel answer ``header`` for ``language``."""
    from babel.messages import plurals

    from workflows.locales import parse_plural_header

    def set_rule(language: str, header: str) -> None:
        rule = parse_plural_header(header)
        monkeypatch.setitem(plurals.PLURALS, language, (rule.nplurals, rule.expression))

    return set_rule


@pytest.fixture
def refunds(app):
    """A plural template of our own, with no translations yet."""
    from tolk.db import db
    from workflows.macros import create_template

    with app.app_context():
        create_template(db.session, {"id": "items-refunded", "source_text": "We refunded {count} item.",
                                     "source_plural": "We refunded {count} items.", "plural_variable": "count"})
        db.session.commit()
    return app


def save(app, forms, locale="es", **kw):
    from tolk.db import db
    from workflows.macros import get_template, save_translation
    from workflows.models import TemplateState

    with app.app_context():
        save_translation(db.session, get_template(db.session, "items-refunded"), locale, forms,
                         state=TemplateState.REVIEWED, reviewed_by="lucia", **kw)
        db.session.commit()


def bodies(app, counts, template="items-refunded", locale="es", preview=False, **variables):
    from tolk.db import db
    from workflows.macros import render

    with app.app_context():
        return {n: render(db.session, template, locale, {"count": n, **variables}, wrap=False,
                          use_unreviewed=preview).body for n in counts}


def stored(app, template="items-refunded", locale="es"):
    from tolk.db import db
    from workflows.models import TemplateTranslation

    with app.app_context():
        row = db.session.scalar(select(TemplateTranslation).where(TemplateTranslation.template_id == template,
                                                                  TemplateTranslation.locale == locale))
        return None if row is None else (row.nplurals, row.plural_expr, list(row.forms), row.state.value)


def check(runner):
    return runner.invoke(args=["catalogs", "check"])


# --- rendering keeps the stored meaning ------------------------------------------------------------


def test_two_form_spanish_renders_as_written_after_babel_gives_three(refunds, babel_rule):
    babel_rule("es", SPANISH_2)
    save(refunds, [ONE, OTHER])
    babel_rule("es", SPANISH_3)
    assert stored(refunds)[:2] == (2, "(n != 1)")
    assert bodies(refunds, (0, 1, 2, 1000000)) == {
        0: "Reembolsamos 0 artículos.", 1: "Reembolsamos 1 artículo.", 2: "Reembolsamos 2 artículos.",
        1000000: "Reembolsamos 1.000.000 artículos."}


def test_three_form_spanish_renders_as_written_after_babel_gives_two(refunds, babel_rule):
    babel_rule("es", SPANISH_3)
    save(refunds, [ONE, MANY, OTHER])
    babel_rule("es", SPANISH_2)
    assert bodies(refunds, (0, 1, 2, 1000000)) == {
        0: "Reembolsamos 0 artículos.", 1: "Reembolsamos 1 artículo.", 2: "Reembolsamos 2 artículos.",
        1000000: "Reembolsamos 1.000.000 de artículos."}


def test_stored_forms_ignore_whatever_babel_says_now(refunds, babel_rule):
    babel_rule("es", SPANISH_2)
    save(refunds, [ONE, OTHER])
    babel_rule("es", ONE_FORM)  # a Babel that gave Spanish one form would pick msgstr[0] for every count
    assert bodies(refunds, (1, 2)) == {1: "Reembolsamos 1 artículo.", 2: "Reembolsamos 2 artículos."}


def test_new_translations_need_and_store_the_current_rule(refunds, babel_rule):
    from tolk.errors import ValidationError

    babel_rule("es", SPANISH_3)
    with pytest.raises(ValidationError, match="needs 3 form"):
        save(refunds, [ONE, OTHER])
    save(refunds, [ONE, MANY, OTHER])
    assert stored(refunds)[:2] == (3, "(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)")


def test_a_row_with_no_known_rule_shows_the_singular_for_one_only():
    from workflows.macros import plural_index
    from workflows.models import TemplateTranslation

    row = TemplateTranslation(forms=[ONE, OTHER], nplurals=None, plural_expr=None)
    assert [plural_index(row, n) for n in (0, 1, 2, 1000000)] == [1, 0, 1, 1]


# --- tolk catalogs check ---------------------------------------------------------------------------


def test_catalogs_check_lists_changed_rules_until_they_are_re_translated(app, runner, babel_rule, make_user,
                                                                        tmp_path):
    from tolk.db import db
    from workflows.locales import seed_demo_locales
    from workflows.macros import seed_demo_templates

    babel_rule("es", SPANISH_3)
    with app.app_context():
        seed_demo_locales(db.session)
        seed_demo_templates(db.session)
        db.session.commit()
    clean = check(runner)
    assert clean.exit_code == 0, clean.output
    assert clean.output.strip() == "all catalogs match the current plural rules"

    babel_rule("es", SPANISH_2)
    listed = check(runner)
    assert listed.exit_code == 1
    assert "refund-confirmation (es)" in listed.output and "password-reset (es)" in listed.output
    assert f"stored:  {SPANISH_3}" in listed.output and f"current: {SPANISH_2}" in listed.output
    assert "re-translate with 2 form(s)" in listed.output and "es.po" in listed.output
    assert "(pl)" not in listed.output and "(de)" not in listed.output  # their rules did not change
    # Until then the customer still reads the forms as they were written.
    refund = {"refund_amount": 12.5, "order_id": "A-7", "delivery_date": "2026-03-05"}
    shown = bodies(app, (2, 1000000), template="refund-confirmation", **refund)
    assert "(2 artículos)" in shown[2] and "(1.000.000 de artículos)" in shown[1000000]

    # One re-translated through the API...
    _, lucia = make_user("reviewer", "es", name="lucia")
    one, _many, other = stored(app, "refund-confirmation")[2]
    forms = [one, other]
    put = app.test_client().put("/api/v1/templates/refund-confirmation/translations/es", headers=lucia,
                                json={"forms": forms})
    assert put.status_code == 200, put.json
    listed = check(runner)
    assert listed.exit_code == 1
    assert "refund-confirmation (es)" not in listed.output and "password-reset (es)" in listed.output

    # ... the other from a catalog exported with the current rule, its forms set out for it and fuzzy.
    exported = runner.invoke(args=["catalogs", "export", "--locale", "es", "--current-plural-rules",
                                   "--output", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    po = polib.pofile(str(tmp_path / "es.po"))
    assert po.metadata["Plural-Forms"] == SPANISH_2
    reset = po.find("password-reset", by="msgctxt")
    assert "fuzzy" in reset.flags and "written for nplurals=3" in reset.comment
    assert "{expiry_hours} hora:" in reset.msgstr_plural[0] and "{expiry_hours} horas:" in reset.msgstr_plural[1]
    assert "fuzzy" not in po.find("refund-confirmation", by="msgctxt").flags
    reset.flags.remove("fuzzy")
    po.save(str(tmp_path / "es.po"))
    imported = runner.invoke(args=["catalogs", "import", str(tmp_path / "es.po"), "--reviewer", "lucia"])
    assert imported.exit_code == 0, imported.output
    clean = check(runner)
    assert clean.exit_code == 0 and "all catalogs match" in clean.output
    assert stored(app, "password-reset")[:2] == (2, "(n != 1)")


def test_catalogs_check_help_says_what_the_exit_status_means(runner):
    shown = runner.invoke(args=["catalogs", "check", "--help"])
    assert shown.exit_code == 0 and "Exits 0 when all match, 1 when some differ" in " ".join(shown.output.split())


# --- PO import and export -------------------------------------------------------------------------


def catalog(header: str | None, forms: list[str], extra: str = "") -> bytes:
    lines = ['msgid ""', 'msgstr ""', '"Language: es\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"']
    if header is not None:
        lines.append(f'"Plural-Forms: {header}\\n"')
    lines += ["", 'msgctxt "items-refunded"', 'msgid "We refunded {count} item."',
              'msgid_plural "We refunded {count} items."']
    lines += [f"msgstr[{i}] {json.dumps(form, ensure_ascii=False)}" for i, form in enumerate(forms)]
    return ("\n".join(lines) + "\n" + extra).encode()


@pytest.mark.parametrize(("header", "forms", "expected"), [
    (SPANISH_2, [ONE, OTHER], {0: OTHER, 1: ONE, 2: OTHER, 1000000: OTHER}),
    (SPANISH_3, [ONE, MANY, OTHER], {0: OTHER, 1: ONE, 2: OTHER, 1000000: MANY}),
])
def test_import_stores_the_rule_of_the_files_plural_forms_header(refunds, babel_rule, header, forms, expected):
    from workflows.locales import parse_plural_header

    babel_rule("es", SPANISH_3 if header == SPANISH_2 else SPANISH_2)  # the file's rule is not Babel's
    report = import_po(refunds, catalog(header, forms))
    assert report.created == ["items-refunded"]
    rule = parse_plural_header(header)
    assert stored(refunds) == (rule.nplurals, rule.expression, forms, "translated")
    numbers = {0: "0", 1: "1", 2: "2", 1000000: "1.000.000"}
    assert bodies(refunds, expected, preview=True) == {
        n: form.replace("{count}", numbers[n]) for n, form in expected.items()}
    # The export writes the stored rule back, and re-importing it changes nothing.
    again = export_po(refunds, "es")
    assert again.metadata["Plural-Forms"] == header
    assert import_po(refunds, str(again).encode()).unchanged == ["items-refunded"]


def test_import_without_plural_forms_follows_the_current_rule(refunds, babel_rule):
    from workflows.catalogs import CatalogError

    babel_rule("es", SPANISH_3)
    with pytest.raises(CatalogError, match="needs 3"):
        import_po(refunds, catalog(None, [ONE, OTHER]))
    import_po(refunds, catalog(None, [ONE, MANY, OTHER]))
    assert stored(refunds)[0] == 3


@pytest.mark.parametrize(("header", "forms", "line", "words"), [
    (SPANISH_3, [ONE, OTHER], 7, "has 2 plural form(s), the Plural-Forms header says nplurals=3"),
    (SPANISH_2, [ONE, MANY, OTHER], 7, "has 3 plural form(s), the Plural-Forms header says nplurals=2"),
    ("nplurals=2; plural=(n == 1 ? 0 : n == 0 ? 2 : 1);", [ONE, OTHER], 5, "gives form 2 for n=0"),
    ("nplurals=2; plural=(n != 1;", [ONE, OTHER], 5, "cannot read plural expression"),
    ("nplurals=two; plural=(n != 1);", [ONE, OTHER], 5, "malformed Plural-Forms header"),
])
def test_a_plural_forms_header_that_does_not_fit_refuses_the_whole_file(seeded, refunds, header, forms, line,
                                                                        words):
    from workflows.catalogs import CatalogError

    # A valid entry in the same file must not be stored either.
    shipping = ('\nmsgctxt "shipping-delay"\nmsgid "We are sorry: your order {order_id} has been delayed. We now '
                'expect to deliver it on {delivery_date}. You do not need to do anything; we will let you know if '
                'anything changes."\nmsgstr "Pedido {order_id}: llega el {delivery_date}."\n')
    before = template_translations(refunds)
    with pytest.raises(CatalogError) as refused:
        import_po(refunds, catalog(header, forms, shipping))
    assert refused.value.line == line and words in refused.value.message, refused.value.message
    assert template_translations(refunds) == before


def test_api_import_of_a_mismatched_header_is_a_400_naming_the_line(refunds, make_user):
    _, editor = make_user("editor")
    bad = refunds.test_client().post("/api/v1/catalogs/import", headers=editor, data={
        "file": (io.BytesIO(catalog(SPANISH_3, [ONE, OTHER])), "es.po")})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_catalog"
    assert bad.json["error"]["details"]["line"] == 7


def test_export_of_mixed_rules_uses_the_current_rule_and_marks_converted_forms_fuzzy(refunds, babel_rule):
    from tolk.db import db
    from workflows.macros import create_template, save_translation
    from workflows.models import TemplateState

    babel_rule("es", SPANISH_2)
    save(refunds, [ONE, OTHER])
    babel_rule("es", SPANISH_3)
    with refunds.app_context():
        template = create_template(db.session, {"id": "orders-found", "source_text": "We found {count} order.",
                                                "source_plural": "We found {count} orders.",
                                                "plural_variable": "count"})
        save_translation(db.session, template, "es",
                         ["Hay {count} pedido.", "Hay {count} de pedidos.", "Hay {count} pedidos."],
                         state=TemplateState.TRANSLATED)
        db.session.commit()
    po = export_po(refunds, "es")
    assert po.metadata["Plural-Forms"] == SPANISH_3
    old = po.find("items-refunded", by="msgctxt")
    assert old.msgstr_plural == {0: ONE, 1: OTHER, 2: OTHER} and "fuzzy" in old.flags
    assert "fuzzy" not in po.find("orders-found", by="msgctxt").flags


# --- demo data under either Babel ------------------------------------------------------------------


@pytest.mark.parametrize(("header", "many", "check_status"), [
    (SPANISH_2, "(1.000.000 artículos)", 0),      # Babel 2.18
    (SPANISH_3, "(1.000.000 de artículos)", 0),   # Babel 2.19
    (ONE_FORM, "(1.000.000 de artículos)", 1),    # a rule the demo was not written for: stored with its own
])
def test_demo_data_loads_under_each_spanish_rule(app, runner, babel_rule, header, many, check_status):
    babel_rule("es", header)
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    refund = {"refund_amount": 12.5, "order_id": "A-7", "delivery_date": "2026-03-05"}
    shown = bodies(app, (1, 2, 1000000), template="refund-confirmation", **refund)
    assert "(1 artículo)" in shown[1] and "(2 artículos)" in shown[2] and many in shown[1000000]
    assert check(runner).exit_code == check_status


# --- migration 0005 backfills the rule of existing rows --------------------------------------------


def test_migration_backfills_the_rule_that_matches_each_rows_forms(tmp_path):
    from tolk.db import upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0004")
    engine = create_engine(url)
    rows = [  # locale, forms, plural template?
        ("es", ["uno", "otros"], True), ("es-MX", ["uno", "muchos", "otros"], True),
        ("pl", ["1", "2-4", "5"], True), ("pt-BR", ["um", "outros"], True), ("zh-Hant", ["件"], True),
        ("es-ES", ["uno", "dos", "tres", "cuatro"], True), ("de", ["Hallo"], False),
    ]
    with engine.begin() as conn:
        for plural in (True, False):
            conn.execute(text(
                "INSERT INTO reply_templates (id, source_locale, title, source_text, source_plural, plural_variable,"
                " critical, version, updated_at) VALUES (:id, 'en', '', '{count} x', :plural, :var, 0, 1, "
                "'2026-01-01 00:00:00')"),
                {"id": f"t-{plural}", "plural": "{count} xs" if plural else None, "var": "count" if plural else None})
        for i, (locale, forms, plural) in enumerate(rows):
            conn.execute(text(
                "INSERT INTO template_translations (id, template_id, locale, forms, state, source_version, updated_at)"
                " VALUES (:id, :template, :locale, :forms, 'reviewed', 1, '2026-01-01 00:00:00')"),
                {"id": i + 1, "template": f"t-{plural}", "locale": locale, "forms": json.dumps(forms)})
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        got = conn.execute(text("SELECT locale, nplurals, plural_expr FROM template_translations ORDER BY id")).all()
    engine.dispose()
    assert got == [
        ("es", 2, "(n != 1)"),
        ("es-MX", 3, "(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)"),
        ("pl", 3, "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
        ("pt-BR", 2, "(n > 1)"),
        ("zh-Hant", 1, "0"),
        ("es-ES", None, None),  # four forms: no Spanish rule ever had them
        ("de", None, None),  # the template has no plural
    ]
