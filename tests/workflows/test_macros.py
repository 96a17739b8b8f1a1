"""Reply templates: rendering per locale (plurals, formats, fallbacks, review state), API and CLI."""

from __future__ import annotations

import pytest

from tolk.errors import ValidationError

REFUND_VARS = {"customer_name": "Anna Nowak", "refund_amount": 12.5, "order_id": "A-1042",
               "delivery_date": "2026-03-05", "count": 1}


def render(app, template_id, locale, variables, **kw):
    from tolk.db import db
    from workflows.macros import render as do_render

    with app.app_context():
        return do_render(db.session, template_id, locale, variables, **kw)


# --- the refund confirmation in the demo languages ------------------------------------------------


@pytest.mark.parametrize(("count", "noun"), [(1, "(1 produkt)"), (2, "(2 produkty)"), (5, "(5 produktów)"),
                                             (22, "(22 produkty)"), (25, "(25 produktów)"), (12, "(12 produktów)")])
def test_refund_in_polish_picks_the_plural_form_for_the_count(seeded, count, noun):
    r = render(seeded, "refund-confirmation", "pl", {**REFUND_VARS, "count": count})
    assert noun in r.body
    assert "Zwrot w wysokości 12,50\xa0zł za zamówienie A-1042" in r.body
    assert "do 5 marca 2026" in r.body
    assert r.text.startswith("Dzień dobry Anna Nowak,\n\n") and r.text.endswith("Z poważaniem\nZespół obsługi klienta")
    assert (r.locale_used, r.state, r.fallback) == ("pl", "reviewed", [])


def test_refund_in_dutch(seeded):
    r = render(seeded, "refund-confirmation", "nl", {**REFUND_VARS, "count": 3})
    assert r.body.startswith("We hebben uw terugbetaling van €\xa012,50 voor bestelling A-1042 (3 artikelen)")
    assert "uiterlijk op 5 maart 2026" in r.body
    assert r.greeting == "Beste Anna Nowak,"


def test_refund_in_estonian(seeded):
    one = render(seeded, "refund-confirmation", "et", REFUND_VARS)
    many = render(seeded, "refund-confirmation", "et", {**REFUND_VARS, "count": 4})
    assert "(1 toode) tagasimakse summas 12,50\xa0€" in one.body
    assert "(4 toodet)" in many.body
    assert "kuupäeval 5. märts 2026" in one.body
    assert one.greeting == "Tere, Anna Nowak!"


def test_refund_in_traditional_chinese_has_one_form(seeded):
    r = render(seeded, "refund-confirmation", "zh-Hant",
               {**REFUND_VARS, "count": 3, "refund_amount": {"amount": 12.5, "currency": "EUR"}})
    assert "（共 3 件商品）辦理退款，金額為 €12.50。" in r.body
    assert "款項預計於 2026年3月5日 前" in r.body
    assert r.greeting == "Anna Nowak 您好：" and r.plural_form == 0


def test_taiwan_locale_uses_the_traditional_translation(seeded):
    r = render(seeded, "refund-confirmation", "zh-TW", REFUND_VARS)
    assert r.locale_used == "zh-Hant" and r.fallback == [{"locale": "zh-TW", "reason": "no translation"}]


def test_amount_without_currency_uses_the_profile_currency(seeded):
    assert "12,50\xa0zł" in render(seeded, "refund-confirmation", "pl", REFUND_VARS).body
    assert "12,50\xa0€" in render(seeded, "refund-confirmation", "de", REFUND_VARS).body


# --- fallbacks and review state -------------------------------------------------------------------


def test_swiss_german_falls_back_to_german_and_says_so(seeded):
    r = render(seeded, "refund-confirmation", "de-CH", REFUND_VARS)
    assert r.locale_used == "de" and r.chain == ["de-CH", "de"]
    assert r.fallback == [{"locale": "de-CH", "reason": "no translation"}]
    # Swiss formats and sign-off around the German body.
    assert "CHF\xa012.50" in r.body and r.sign_off.startswith("Freundliche Grüsse")


def test_locale_without_translation_falls_back_to_the_source(seeded):
    r = render(seeded, "refund-confirmation", "ja", {**REFUND_VARS, "count": 2})
    assert r.used_source and r.state == "source" and r.locale_used == "en"
    assert r.chain == ["ja", "source"]
    assert "(2 items)" in r.body and "March 5, 2026" in r.body
    assert r.greeting == "Hello Anna Nowak,"  # not a Japanese greeting around an English body


def test_fuzzy_translation_never_reaches_a_customer(seeded):
    variables = {"customer_name": "Anna", "order_id": "A-1", "delivery_date": "2026-03-05"}
    r = render(seeded, "shipping-delay", "pl", variables)
    assert r.used_source and r.fallback == [{"locale": "pl", "reason": "fuzzy: not reviewed"}]
    assert "has been delayed" in r.body
    preview = render(seeded, "shipping-delay", "pl", variables, use_unreviewed=True)
    assert preview.state == "fuzzy" and "w dniu 5 marca 2026" in preview.body


def test_unreviewed_translation_is_not_used_for_customers(seeded):
    r = render(seeded, "shipping-delay", "nl", {"customer_name": "Joost", "order_id": "A-1",
                                                "delivery_date": "2026-03-05"})
    assert r.used_source and r.fallback[0]["reason"] == "translated but not reviewed"


def test_editing_the_source_makes_translations_outdated(seeded, client, make_user):
    _, editor = make_user("editor")
    response = client.put("/api/v1/templates/shipping-delay", headers=editor, json={
        "source_text": "Sorry: order {order_id} is late. New delivery date: {delivery_date}."})
    assert response.status_code == 200 and response.json["version"] == 2
    de = next(t for t in response.json["translations"] if t["locale"] == "de")
    assert de["outdated"] and de["effective_state"] == "fuzzy"
    r = render(seeded, "shipping-delay", "de", {"customer_name": "Ute", "order_id": "A-1",
                                                "delivery_date": "2026-03-05"})
    assert r.used_source and r.fallback[0]["reason"].startswith("outdated")
    # A title change is not a source change.
    again = client.put("/api/v1/templates/shipping-delay", headers=editor, json={"title": "Delay"})
    assert again.json["version"] == 2


def test_missing_variables_are_named_and_unknown_ones_reported(seeded):
    with pytest.raises(ValidationError, match="delivery_date, refund_amount"):
        render(seeded, "refund-confirmation", "pl", {"customer_name": "A", "order_id": "1", "count": 1})
    r = render(seeded, "refund-confirmation", "pl", {**REFUND_VARS, "coupon": "X"})
    assert r.unused_variables == ["coupon"]


@pytest.mark.parametrize(("variables", "named"), [
    ({**REFUND_VARS, "count": "two"}, "count"),
    ({**REFUND_VARS, "delivery_date": "next week"}, "delivery_date"),
    ({**REFUND_VARS, "refund_amount": {"amount": 1, "currency": "ZZZ"}}, "refund_amount"),
])
def test_badly_typed_variables_are_refused(seeded, variables, named):
    with pytest.raises(ValidationError, match=named):
        render(seeded, "refund-confirmation", "pl", variables)


def test_russian_plurals(seeded, client, make_user):
    _, editor = make_user("editor")
    client.post("/api/v1/templates", headers=editor, json={
        "id": "items-left", "source_text": "{count} item is left in your cart.",
        "source_plural": "{count} items are left in your cart.", "plural_variable": "count"})
    _, reviewer = make_user("reviewer", "ru")
    saved = client.put("/api/v1/templates/items-left/translations/ru", headers=reviewer, json={"forms": [
        "В корзине остался {count} товар.", "В корзине осталось {count} товара.",
        "В корзине осталось {count} товаров."]})
    assert saved.status_code == 200, saved.json
    got = {n: render(seeded, "items-left", "ru", {"count": n}, wrap=False).body for n in (1, 2, 5, 11, 21, 22)}
    assert got == {1: "В корзине остался 1 товар.", 2: "В корзине осталось 2 товара.",
                   5: "В корзине осталось 5 товаров.", 11: "В корзине осталось 11 товаров.",
                   21: "В корзине остался 21 товар.", 22: "В корзине осталось 22 товара."}


# --- API ------------------------------------------------------------------------------------------


def test_templates_are_listed_and_read_by_any_user(seeded, client, agent_headers):
    listed = client.get("/api/v1/templates", headers=agent_headers)
    refund = next(t for t in listed.json["templates"] if t["id"] == "refund-confirmation")
    assert refund["critical"] and refund["locales"]["pl"] == "reviewed"
    one = client.get("/api/v1/templates/refund-confirmation", headers=agent_headers).json
    assert one["variables"] == ["count", "delivery_date", "order_id", "refund_amount"]
    assert client.get("/api/v1/templates/nope", headers=agent_headers).status_code == 404


def test_only_editors_and_admins_create_templates(seeded, client, agent_headers, make_user):
    body = {"id": "greeting", "source_text": "Thanks for reaching out!"}
    assert client.post("/api/v1/templates", json=body, headers=agent_headers).status_code == 403
    _, editor = make_user("editor")
    assert client.post("/api/v1/templates", json=body, headers=editor).status_code == 201
    assert client.post("/api/v1/templates", json=body, headers=editor).status_code == 409


@pytest.mark.parametrize(("body", "named"), [
    ({"id": "Bad Id!", "source_text": "x"}, "id"),
    ({"id": "t"}, "source_text"),
    ({"id": "t", "source_text": "Hi {name"}, "brace"),
    ({"id": "t", "source_text": "{n} item", "source_plural": "{n} items"}, "plural_variable"),
    ({"id": "t", "source_text": "{n} item", "source_plural": "{n} items", "plural_variable": "count"}, "count"),
    ({"id": "t", "source_text": "x", "source_locale": "klingon"}, "source_locale"),
    ({"id": "t", "source_text": "x", "critical": "yes"}, "critical"),
])
def test_template_bodies_are_validated(seeded, client, admin_headers, body, named):
    response = client.post("/api/v1/templates", json=body, headers=admin_headers)
    assert response.status_code == 400 and named in response.json["error"]["message"]


def test_reviewer_saving_marks_reviewed_editor_saving_marks_translated(seeded, client, make_user):
    _, reviewer = make_user("reviewer", "nl", name="joost")
    forms = ["Het spijt ons: uw bestelling {order_id} is vertraagd. We bezorgen deze naar verwachting op "
             "{delivery_date}. U hoeft niets te doen; we laten het u weten als er iets verandert."]
    saved = client.put("/api/v1/templates/shipping-delay/translations/nl", json={"forms": forms}, headers=reviewer)
    assert saved.status_code == 200
    assert (saved.json["state"], saved.json["reviewed_by"]) == ("reviewed", "joost")
    r = render(seeded, "shipping-delay", "nl", {"customer_name": "Joost", "order_id": "A-1",
                                                "delivery_date": "2026-03-05"})
    assert r.locale_used == "nl" and "op 5 maart 2026" in r.body

    _, editor = make_user("editor")
    edited = client.put("/api/v1/templates/shipping-delay/translations/nl", json={"text": forms[0]}, headers=editor)
    assert edited.json["state"] == "translated" and edited.json["reviewed_by"] is None
    refused = client.put("/api/v1/templates/shipping-delay/translations/nl",
                         json={"text": forms[0], "state": "reviewed"}, headers=editor)
    assert refused.status_code == 403


def test_reviewers_only_save_their_own_languages(seeded, client, make_user):
    _, reviewer = make_user("reviewer", "es")
    response = client.put("/api/v1/templates/shipping-delay/translations/pl", json={"text": "x"}, headers=reviewer)
    assert response.status_code == 403


@pytest.mark.parametrize(("forms", "named"), [
    (["Jeden {count} produkt {order_id} {refund_amount} {delivery_date}"], "3 form"),
    (["{count} {order_id} {refund_amount} {delivery_date}", "{count} {order_id} {refund_amount} {delivery_date}",
      "{count} {order_id} {kwota} {delivery_date}"], "{kwota}"),
    (["{count} {order_id} {delivery_date}"] * 3, "{refund_amount}"),
    (["{count} {order_id} {refund_amount} {delivery_date}"] * 2 + [""], "empty"),
])
def test_translations_keep_variables_and_plural_forms(seeded, client, admin_headers, forms, named):
    response = client.put("/api/v1/templates/refund-confirmation/translations/pl", json={"forms": forms},
                          headers=admin_headers)
    assert response.status_code == 400 and named in response.json["error"]["message"]


def test_render_api(seeded, client, agent_headers):
    response = client.post("/api/v1/templates/refund-confirmation/render", headers=agent_headers,
                           json={"locale": "pl", "variables": {**REFUND_VARS, "count": 5}})
    assert response.status_code == 200
    assert "(5 produktów)" in response.json["text"] and response.json["fell_back"] is False
    missing = client.post("/api/v1/templates/refund-confirmation/render", headers=agent_headers,
                          json={"locale": "pl", "variables": {"count": 5}})
    assert missing.status_code == 400 and missing.json["error"]["details"]["missing"] == [
        "customer_name", "delivery_date", "order_id", "refund_amount"]
    preview = client.post("/api/v1/templates/shipping-delay/render", headers=agent_headers,
                          json={"locale": "pl", "variables": {}, "use_unreviewed": True})
    assert preview.status_code == 403


def test_seeding_templates_twice_adds_nothing(seeded):
    from sqlalchemy import func, select

    from tolk.db import db
    from workflows.macros import seed_demo_templates
    from workflows.models import TemplateTranslation

    with seeded.app_context():
        before = db.session.scalar(select(func.count()).select_from(TemplateTranslation))
        seed_demo_templates(db.session)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(TemplateTranslation)) == before


def test_seed_demo_command_loads_profiles_and_templates(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["templates", "list"])
    assert "refund-confirmation" in listed.output and "pl:reviewed" in listed.output


def test_cli_renders_a_template(seeded, runner):
    result = runner.invoke(args=["templates", "render", "refund-confirmation", "--locale", "de-CH",
                                 "--var", "customer_name=Ursula Meier", "--var", "refund_amount=12.5",
                                 "--var", "order_id=A-7", "--var", "delivery_date=2026-03-05", "--var", "count=2"])
    assert result.exit_code == 0, result.output
    assert "Guten Tag Ursula Meier," in result.output and "(2 Artikel)" in result.output
