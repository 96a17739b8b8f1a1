"""Locale profiles: fallback resolution, Babel formatting, plural rules, upsell flagging, API and CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from tolk.errors import ValidationError


def profile(app, locale):
    from tolk.db import db
    from workflows.locales import effective_profile

    with app.app_context():
        return effective_profile(db.session, locale)


# --- effective profiles ---------------------------------------------------------------------------


def test_regional_profile_inherits_from_its_language_and_says_where_each_value_came_from(seeded):
    p = profile(seeded, "de-CH")
    assert p.chain == ["de-CH", "de"]
    assert (p.formality, p.sources["formality"]) == ("formal", "de")
    assert (p.currency, p.sources["currency"]) == ("CHF", "de-CH")
    assert p.sign_off.startswith("Freundliche Grüsse")
    assert p.greeting == "Guten Tag {customer_name},"
    assert (p.sla_minutes["email"], p.sources["sla_minutes.email"]) == (1440, "de")
    assert p.upsell_allowed is False and p.sources["upsell_allowed"] == "de"
    assert "2026-08-01" in p.holidays  # Swiss National Day, not a German holiday
    assert "2026-10-03" not in p.holidays


def test_locale_without_profile_gets_builtin_defaults_from_babel(seeded):
    p = profile(seeded, "he")
    assert p.stored is False
    assert p.text_direction == "rtl" and p.currency == "ILS"
    assert p.sources["formality"] == "default" and p.upsell_allowed is True
    assert p.sla_minutes == {"chat": 5, "email": 1440, "social": 240, "phone": 3}


def test_arabic_profile_is_rtl_with_a_sunday_to_thursday_week(seeded):
    import datetime as dt

    p = profile(seeded, "ar")
    assert p.text_direction == "rtl" and p.always_review is True
    assert p.is_working_day(dt.date(2026, 3, 1))  # a Sunday
    assert not p.is_working_day(dt.date(2026, 3, 6))  # a Friday
    assert not p.is_working_day(dt.date(2026, 9, 23))  # National Day


def test_effective_profile_reads_the_whole_chain_in_one_query(seeded):
    from tolk.db import db
    from workflows.locales import effective_profile

    statements = []
    with seeded.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        effective_profile(db.session, "de-CH")
    assert len([s for s in statements if "locale_profiles" in s]) == 1


def test_chinese_regions_fall_back_to_their_script_never_to_bare_zh():
    from workflows.locales import locale_chain

    assert locale_chain("zh-TW") == ["zh-TW", "zh-Hant"]
    assert locale_chain("zh-Hant") == ["zh-Hant"]
    assert locale_chain("zh-CN") == ["zh-CN", "zh-Hans"]


def test_formality_is_exposed_for_engine_requests(seeded):
    assert profile(seeded, "de").formality == "formal"
    assert profile(seeded, "en").formality == "default"


def test_seeding_twice_changes_nothing_and_keeps_edits(seeded):
    from sqlalchemy import func, select

    from tolk.db import db
    from workflows.locales import DEMO_PROFILES, seed_demo_locales, update_profile
    from workflows.models import LocaleProfile

    with seeded.app_context():
        update_profile(db.session, "pl", {"sample_rate": 0.5})
        db.session.commit()
        seed_demo_locales(db.session)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(LocaleProfile)) == len(DEMO_PROFILES)
        assert db.session.get(LocaleProfile, "pl").sample_rate == 0.5


# --- formatting and plurals -----------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "value", "locale", "currency", "expected"), [
    ("money", 12.5, "de", "EUR", "12,50\xa0€"),
    ("money", 12.5, "nl", "EUR", "€\xa012,50"),
    ("money", 12.5, "pl", "PLN", "12,50\xa0zł"),
    ("money", {"amount": 12.5, "currency": "CHF"}, "de-CH", None, "CHF\xa012.50"),
    ("money", "1250", "ja", "JPY", "￥1,250"),
    ("date", "2026-03-05", "zh-Hant", None, "2026年3月5日"),
    ("date", "2026-03-05", "pl", None, "5 marca 2026"),
    ("date", "2026-03-05T10:00:00+00:00", "de", None, "5. März 2026"),
    ("date", "2026-03-05", "es-MX", None, "5 de marzo de 2026"),
    ("number", 1234.5, "et", None, "1\xa0234,5"),
])
def test_values_are_formatted_for_the_locale(kind, value, locale, currency, expected):
    from workflows.locales import format_value

    assert format_value(kind, value, locale, currency) == expected


def test_swiss_numbers_are_grouped_with_an_apostrophe():
    from workflows.locales import format_value

    # CLDR's Swiss group separator is an apostrophe: Babel 2.18 spells it ’ (U+2019), Babel 2.19 ' (U+0027).
    assert format_value("number", 1234.5, "de-CH", None) in {"1’234.5", "1'234.5"}


@pytest.mark.parametrize(("locale", "counts"), [
    ("pl", {1: "one", 2: "few", 5: "many", 22: "few", 25: "many", 12: "many"}),
    ("ru", {1: "one", 21: "one", 3: "few", 11: "many", 25: "many"}),
    ("zh-Hant", {1: "other", 5: "other"}),
])
def test_plural_categories_follow_cldr(locale, counts):
    from workflows.locales import format_value

    assert {n: format_value("plural", n, locale) for n in counts} == counts


def test_plural_rules_give_gettext_indexes():
    from workflows.locales import plural_rule

    pl, ru, zh = plural_rule("pl"), plural_rule("ru"), plural_rule("zh-Hant")
    assert pl.nplurals == 3 and [pl.index(n) for n in (1, 2, 5, 22, 25)] == [0, 1, 2, 1, 2]
    assert [ru.index(n) for n in (1, 21, 2, 11, 111)] == [0, 0, 1, 2, 2]
    assert zh.nplurals == 1 and zh.header == "nplurals=1; plural=0;"


@pytest.mark.parametrize(("kind", "value"), [("date", "05/03/2026"), ("money", "twelve"), ("number", True),
                                             ("weight", 3)])
def test_bad_values_are_refused_with_the_value_named(kind, value):
    from workflows.locales import format_value

    with pytest.raises(ValidationError, match="weight|05/03/2026|twelve|True"):
        format_value(kind, value, "de", "EUR")


# --- upselling ------------------------------------------------------------------------------------


def test_upsell_is_flagged_where_the_profile_forbids_it(seeded):
    from lqa.checks import upsell_findings

    text = ("Ihre Rückerstattung wurde veranlasst. Übrigens: Mit der Premium-Version erhalten Sie "
            "kostenlosen Versand! Viele Grüße")
    findings = upsell_findings(text, "de", profile(seeded, "de"))
    assert len(findings) == 1
    (start, end), = findings[0]["spans"]
    assert text[start:end] == "Übrigens: Mit der Premium-Version erhalten Sie kostenlosen Versand!"
    assert findings[0]["check"] == "upsell" and findings[0]["severity"] == "major"


@pytest.mark.parametrize(("locale", "text", "flagged"), [
    ("pl", "Zwrot został zrealizowany. Warto rozważyć pakiet premium.", "Warto rozważyć pakiet premium."),
    ("ja", "返金手続きが完了しました。上位プランへのアップグレードもご検討ください。", "上位プランへのアップグレードもご検討ください。"),
    ("nl", "Uw geld is teruggestort. Misschien vindt u ook onze nieuwe lijn leuk.",
     "Misschien vindt u ook onze nieuwe lijn leuk."),
    ("et", "Raha on tagastatud. Meie eripakkumine kehtib nädala lõpuni.", "Meie eripakkumine kehtib nädala lõpuni."),
])
def test_upsell_phrases_per_language(seeded, locale, text, flagged):
    from lqa.checks import upsell_findings

    findings = upsell_findings(text, locale, profile(seeded, locale))
    assert [text[s:e] for f in findings for s, e in f["spans"]] == [flagged]


def test_upsell_is_not_flagged_where_the_profile_allows_it(seeded):
    from lqa.checks import upsell_findings

    assert upsell_findings("Your refund is on its way. You might also like our Premium plan!", "en",
                           profile(seeded, "en")) == []
    assert upsell_findings("退款已完成。歡迎升級至高級版！", "zh-Hant", profile(seeded, "zh-Hant")) == []
    assert upsell_findings("Ihre Rückerstattung wurde veranlasst.", "de", profile(seeded, "de")) == []


# --- API ------------------------------------------------------------------------------------------


def test_any_user_lists_and_reads_profiles(seeded, client, agent_headers):
    listed = client.get("/api/v1/locales", headers=agent_headers)
    assert listed.status_code == 200
    assert {"de", "de-CH", "pl", "zh-Hant", "ar"} <= {p["locale"] for p in listed.json["locales"]}
    one = client.get("/api/v1/locales/de_CH", headers=agent_headers)
    assert one.status_code == 200
    assert one.json["locale"] == "de-CH" and one.json["sources"]["formality"] == "de"
    assert client.get("/api/v1/locales/de").status_code == 401


def test_agent_cannot_change_a_profile(seeded, client, agent_headers):
    assert client.put("/api/v1/locales/de", json={"formality": "informal"}, headers=agent_headers).status_code == 403
    assert client.delete("/api/v1/locales/de", headers=agent_headers).status_code == 403
    assert client.get("/api/v1/locales/de", headers=agent_headers).json["formality"] == "formal"


@pytest.mark.parametrize(("body", "named"), [
    ({"formality": "casual"}, "formality"),
    ({"sla_minutes": {"chat": 0}}, "chat"),
    ({"sla_minutes": {"fax": 5}}, "fax"),
    ({"sla_minutes": {"email": "4h"}}, "email"),
    ({"preferred_channels": ["chat", "pigeon"]}, "pigeon"),
    ({"holidays": ["2026-02-30"]}, "2026-02-30"),
    ({"holidays": ["30.01.2026"]}, "30.01.2026"),
    ({"sample_rate": 1.5}, "sample_rate"),
    ({"quality_threshold": -3}, "quality_threshold"),
    ({"currency": "XYZ"}, "XYZ"),
    ({"text_direction": "up"}, "text_direction"),
    ({"working_days": ["mon", "funday"]}, "funday"),
    ({"greeting": "Dear {name},"}, "name"),
    ({"greeting": "Dear {customer_name,"}, "brace"),
    ({"upsell_allowed": "no"}, "upsell_allowed"),
    ({"check_config": {"disabled": ["no-such-check"]}}, "no-such-check"),
    ({"colour": "blue"}, "colour"),
])
def test_profile_updates_are_validated_field_by_field(seeded, client, admin_headers, body, named):
    response = client.put("/api/v1/locales/de", json={"formality": "informal", **body}, headers=admin_headers)
    assert response.status_code == 400
    assert named in response.json["error"]["message"]
    # Nothing partial: the valid field in the same request was not stored either.
    assert client.get("/api/v1/locales/de", headers=admin_headers).json["formality"] == "formal"


def test_admin_creates_updates_resets_and_deletes_a_profile(seeded, client, admin_headers):
    created = client.put("/api/v1/locales/de-AT", json={"currency": "eur", "sla_minutes": {"chat": 4},
                                                         "holidays": ["2026-12-08", "2026-10-26"]},
                         headers=admin_headers)
    assert created.status_code == 201
    assert created.json["currency"] == "EUR" and created.json["sla_minutes"]["chat"] == 4
    assert created.json["holidays"] == ["2026-10-26", "2026-12-08"]
    assert created.json["formality"] == "formal"  # inherited from de
    again = client.put("/api/v1/locales/de-AT", json={"sla_minutes": None}, headers=admin_headers)
    assert again.status_code == 200 and again.json["sources"]["sla_minutes.chat"] == "de"
    assert client.delete("/api/v1/locales/de-AT", headers=admin_headers).status_code == 204
    assert client.delete("/api/v1/locales/de-AT", headers=admin_headers).status_code == 404
    assert client.get("/api/v1/locales/de-AT", headers=admin_headers).json["stored"] is False


def test_unknown_language_tag_is_a_400(seeded, client, admin_headers):
    response = client.put("/api/v1/locales/xx-QQ", json={"formality": "formal"}, headers=admin_headers)
    assert response.status_code == 400 and response.json["error"]["code"] == "unknown_language"


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_sets_shows_and_lists_profiles(seeded, runner):
    result = runner.invoke(args=["locales", "set", "de-CH", "--sla", "chat=4", "--no-upsell",
                                 "--formality", "formal", "--holiday", "2026-08-01"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["locales", "show", "de-CH"])
    data = json.loads(shown.output)
    assert data["sla_minutes"]["chat"] == 4 and data["sources"]["sla_minutes.chat"] == "de-CH"
    assert data["sla_minutes"]["email"] == 1440 and data["holidays"] == ["2026-08-01"]
    listed = runner.invoke(args=["locales", "list"])
    assert "zh-Hant" in listed.output and "de-CH" in listed.output


def test_cli_refuses_bad_values(seeded, runner):
    result = runner.invoke(args=["locales", "set", "de", "--sla", "chat=-1"])
    assert result.exit_code != 0 and "chat" in result.output
    result = runner.invoke(args=["locales", "set", "de", "--currency", "ABC"])
    assert result.exit_code != 0 and "ABC" in result.output
