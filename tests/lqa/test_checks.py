"""Expected findings of each automatic QA check, passing and failing, as tables."""

from __future__ import annotations

import json

import pytest

from lqa.checks import (
    CHECKS,
    CheckConfig,
    Finding,
    Segment,
    Severity,
    TermExpectation,
    default_length_ratio_range,
    has_critical,
    number_values,
    run_checks,
    worst_severity,
)


def seg(source: str, target: str, source_lang: str = "en", target_lang: str = "de", **kwargs) -> Segment:
    return Segment(source, target, source_lang, target_lang, **kwargs)


def run(check_id: str, segment: Segment) -> list[Finding]:
    return CHECKS[check_id]().run(segment)


# (check id, segment, number of findings, text each finding's first target span covers or None)
CASES = [
    # placeholders
    ("placeholders", seg("Hi {name}, you have %d new messages.", "Hallo {name}, Sie haben %d neue Nachrichten."), []),
    ("placeholders", seg("Hi {name}!", "Hallo!"), [None]),
    ("placeholders", seg("Hi {{ user }}!", "Hallo {{user}}!"), []),
    ("placeholders", seg("Hi ${user}, %(count)s items", "Hallo ${usr}, %(count)s Artikel"), [None, "${usr}"]),
    ("placeholders", seg("Pay %s now", "Jetzt %s %s zahlen"), ["%s"]),
    ("placeholders", seg("50% off today", "50 % de réduction aujourd'hui", target_lang="fr"), []),
    # tags
    ("tags", seg("Click <b>here</b>.", "Klicken Sie <b>hier</b>.", fmt="html"), []),
    ("tags", seg("Line<br>break <img src='a.png'/>", "Zeilen<br>umbruch <img src='a.png'/>", fmt="html"), []),
    ("tags", seg("Click <b>here</b>.", "Klicken Sie <b>hier.", fmt="html"), ["<b>", None]),
    ("tags", seg("<i>a</i> <b>b</b>", "<i>a <b>b</i></b>", fmt="html"), ["<b>", "</b>"]),
    ("tags", seg("Click <b>here</b>.", "Klicken Sie <i>hier</i>.", fmt="html"), [None, None, "</i>", "<i>"]),
    ("tags", seg("Click <b>here</b>.", "Klicken Sie hier."), []),  # plain text: tags are not markup
    # numbers
    ("numbers", seg("Total: 1,234.50 EUR", "Summe: 1.234,50 EUR"), []),
    ("numbers", seg("Total: 1,234.50 EUR", "Total : 1 234,50 EUR", target_lang="fr"), []),
    ("numbers", seg("Total: 1,234.50 EUR", "Total: 1\u202f234,50 EUR", target_lang="fr"), []),
    ("numbers", seg("Total: 1,234.50 EUR", "Summe: 1.234,60 EUR"), [None, "1.234,60"]),
    ("numbers", seg("Wait 3 days", "Warten Sie 4 Tage"), [None, "4"]),
    ("numbers", seg("Order 1,234 items", "Bestellen Sie 1.234 Artikel"), []),
    ("numbers", seg("Order 1,234 items", "Bestellen Sie 1,234 Artikel"), [None, "1,234"]),  # de: 1,234 = 1.234
    ("numbers", seg("Go to {step2} now", "Gehen Sie jetzt zu {step2}"), []),
    ("numbers", seg("See https://x.example/a/42 for help", "Hilfe: https://x.example/a/42"), []),
    ("numbers", seg("Ships on 12/05/2024.", "Versand am 12. Mai 2024."), []),
    ("numbers", seg("1st step", "1. Schritt"), []),
    ("numbers", seg("Open at 10:30.", "Geöffnet um 10.30 Uhr."), []),
    ("numbers", seg("Open at 10:30.", "Ouvert à 10h30.", target_lang="fr"), []),
    ("numbers", seg("Open at 3:30 pm.", "Geöffnet um 15:30 Uhr."), []),
    ("numbers", seg("Open at 10:30.", "Geöffnet um 11:30 Uhr."), [None, "11:30"]),
    # amounts
    ("amounts", seg("Pay €20 now.", "Zahlen Sie jetzt 20 €."), []),
    ("amounts", seg("Refund of USD 15.50.", "Rückerstattung von 15,50 $."), []),
    ("amounts", seg("Pay €20 now.", "Zahlen Sie jetzt $20."), ["$20"]),
    ("amounts", seg("Pay €20 now.", "Zahlen Sie jetzt 20."), ["20"]),
    ("amounts", seg("Pay €20 now.", "Zahlen Sie jetzt 25 €."), []),  # left to the numbers check
    # dates
    ("dates", seg("Ships on 12/05/2024.", "Versand am 12.05.2024."), []),
    ("dates", seg("Ships on 2024-05-12.", "Versand am 12.05.2024."), []),
    ("dates", seg("Ships on 05/12/2024.", "Envío el 12/05/2024.", target_lang="es"), []),  # US month first
    ("dates", seg("Ships on 12/05/2024.", "Versand am 12. Mai 2024."), []),
    ("dates", seg("Ships on 12/05/2024.", "Versand am 13.05.2024."), [None, "13.05.2024"]),
    ("dates", seg("Ships soon.", "Versand am 13.05.2024."), ["13.05.2024"]),
    # urls
    ("urls", seg("See https://example.com/help.", "Siehe https://example.com/help."), []),
    ("urls", seg("See https://example.com/help.", "Siehe https://example.com/hilfe."), [None, "https://example.com/hilfe"]),
    ("urls", seg("See www.example.com", "Siehe die Website"), [None]),
    # emails
    ("emails", seg("Write to help@example.com.", "Schreiben Sie an Help@Example.com."), []),
    ("emails", seg("Write to help@example.com.", "Schreiben Sie an hilfe@example.com."), [None, "hilfe@example.com"]),
    # empty
    ("empty", seg("Hello", "Hallo"), []),
    ("empty", seg("Hello", "  "), [None]),
    ("empty", seg("", ""), []),
    # untranslated
    ("untranslated", seg("Please restart the app.", "Please restart the app."), ["Please restart the app."]),
    ("untranslated", seg("Netflix Premium", "Netflix Premium"), []),
    ("untranslated", seg("Please restart the app.", "Bitte starten Sie die App neu."), []),
    ("untranslated", seg("Please restart the app.", "Please restart the app.", detected_target_lang="en"),
     ["Please restart the app."]),
    ("untranslated", seg("Hi", "Hola, ¿qué tal?", detected_target_lang="es"), ["Hola, ¿qué tal?"]),
    ("untranslated", seg("Hi", "Olá", target_lang="pt-BR", detected_target_lang="pt"), []),
    # truncated
    ("truncated", seg("Your order has been shipped and will arrive soon.", "Ihre Bestellung wurde verschi..."),
     ["..."]),
    ("truncated", seg("Your order has been shipped. You will receive an e-mail with the tracking number soon.",
                      "Ihre Bestellung wurde versandt."), [None]),
    ("truncated", seg("Your order has been shipped. You will receive an e-mail with the tracking number soon.",
                      "您的订单已发货。", target_lang="zh"), [None]),
    ("truncated", seg("Your order has been shipped. You will receive an e-mail with the tracking number soon.",
                      "您的订单已发货。您很快就会收到一封包含跟踪号码的电子邮件。", target_lang="zh"), []),
    ("truncated", seg("Your order has been shipped and will arrive on Monday.", "Ihre Bestellung wurde"), ["e"]),
    ("truncated", seg("Wait...", "Warten Sie..."), []),
    ("truncated", seg("Your order has been shipped.", "Ihre Bestellung wurde versandt."), []),
    # length ratio
    ("length_ratio", seg("Your order has been shipped today.", "Ihre Bestellung wurde heute versandt."), []),
    ("length_ratio", seg("Your order has been shipped today.", "Versandt."), [None]),
    ("length_ratio", seg("Your order has been shipped today.", "您的订单今天已发货。", target_lang="zh"), []),
    ("length_ratio", seg("OK", "Einverstanden, das machen wir so"), []),  # too short to judge
    ("length_ratio", seg("Your order has been shipped today.", "Versandt.", length_ratio_range=(0.1, 3.0)), []),
    # whitespace
    ("whitespace", seg("Hello world", "Hallo Welt"), []),
    ("whitespace", seg("Hello world", " Hallo Welt"), [" "]),
    ("whitespace", seg("Hello world\n", "Hallo Welt"), [None]),
    ("whitespace", seg("Hello world", "Hallo  Welt"), ["  "]),
    ("whitespace", seg("Hello  world", "Hallo  Welt"), []),
    # doubled words
    ("doubled_word", seg("Restart the app.", "Starten Sie die App App neu."), ["App"]),
    ("doubled_word", seg("Restart the app.", "Redémarrez l'application, l'Application."), []),
    ("doubled_word", seg("We apologize.", "Nous nous excusons.", target_lang="fr"), []),
    ("doubled_word", seg("Bye bye!", "Bye bye!", target_lang="en-GB"), []),
    ("doubled_word", seg("Restart the app.", "Restart The the app.", target_lang="en-GB"), ["the"]),
    ("doubled_word", seg("Restart", "重启 重启", target_lang="zh"), []),
    # end punctuation
    ("end_punctuation", seg("Is it done?", "Ist es fertig?"), []),
    ("end_punctuation", seg("Is it done?", "Ist es fertig."), ["."]),
    ("end_punctuation", seg("It is done.", "Es ist fertig"), ["g"]),
    ("end_punctuation", seg("Is it done?", "完成了吗？", target_lang="zh"), []),
    ("end_punctuation", seg("It is done.", "完成了。", target_lang="zh"), []),
    ("end_punctuation", seg("Is it done?", "¿Está hecho?", target_lang="es"), []),
    ("end_punctuation", seg("Is it done?", "Está hecho?", target_lang="es"), ["?"]),
    ("end_punctuation", seg("Is it done?", "Είναι έτοιμο;", target_lang="el"), []),
    ("end_punctuation", seg("Is it done?", "終わりましたか。", target_lang="ja"), []),
    ("end_punctuation", seg('He said "yes."', "Er sagte „ja.“"), []),
    ("end_punctuation", seg("Note:", "Remarque :", target_lang="fr"), []),
    ("end_punctuation", seg("Thanks", "Danke!"), []),
    # leftover tokens
    ("leftover_token", seg("Hello Anna", "Hallo [PII_1]", pii_token_pattern=r"\[PII_\d+\]"), ["[PII_1]"]),
    ("leftover_token", seg("Hello Anna", "Hallo Anna", pii_token_pattern=r"\[PII_\d+\]"), []),
    ("leftover_token", seg("Hello Anna", "Hallo [PII_1]"), []),  # no pattern given: nothing to look for
]


@pytest.mark.parametrize(("check_id", "segment", "expected"), CASES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_check_findings(check_id: str, segment: Segment, expected: list[str | None]) -> None:
    findings = run(check_id, segment)
    assert len(findings) == len(expected), [f.message for f in findings]
    for finding, covered in zip(findings, expected, strict=True):
        assert finding.check == check_id
        assert finding.severity == CHECKS[check_id].severity
        if covered is not None:
            start, end = finding.spans[0]
            assert segment.target[start:end] == covered


GLOSSARY_TERMS = [
    TermExpectation("refund", ("Rückerstattung",), "translate", satisfied=False, source_span=(9, 15)),
    TermExpectation("Tolk", ("Tolk",), "do_not_translate", satisfied=False, target_span=(0, 4)),
    TermExpectation("shipment", ("Sendung",), "forbidden", satisfied=False, target_span=(10, 17)),
    TermExpectation("order", ("Bestellung",), "translate", satisfied=True),
]


def test_glossary_findings_come_from_the_termbase_verdicts() -> None:
    segment = seg("Tolk: a refund for the shipment of your order", "Talk: eine Sendung", terms=GLOSSARY_TERMS)
    term = run("glossary_term", segment)
    protected = run("glossary_protected", segment)
    assert [(f.data["term"], f.severity) for f in term] == [("refund", Severity.MAJOR)]
    assert term[0].source_spans == [(9, 15)]
    assert [(f.data["kind"], f.severity, f.spans) for f in protected] == [
        ("do_not_translate", Severity.CRITICAL, [(0, 4)]),
        ("forbidden", Severity.CRITICAL, [(10, 17)]),
    ]
    assert "Rückerstattung" in term[0].message


def test_glossary_checks_are_silent_when_every_term_is_satisfied() -> None:
    segment = seg("your order", "Ihre Bestellung", terms=[GLOSSARY_TERMS[-1]])
    assert run("glossary_term", segment) == [] and run("glossary_protected", segment) == []


@pytest.mark.parametrize(("token", "lang", "values"), [
    ("1,234.50", "en", {"1234.50"}),
    ("1.234,50", "de", {"1234.50"}),
    ("1 234,50", "fr", {"1234.50"}),
    ("1'234.50", "de-CH", {"1234.50"}),
    ("1,234", "en", {"1234"}),
    ("1,234", "de", {"1.234"}),
    ("1.234", "de", {"1234"}),
    ("1,234", "xx", {"1234", "1.234"}),  # unknown locale: both readings stay possible
    ("1,5", "en", {"1.5"}),
    ("1,234,567", "de", {"1234567"}),
])
def test_number_values_read_locale_separators(token: str, lang: str, values: set[str]) -> None:
    from decimal import Decimal

    assert number_values(token, lang) == {Decimal(v) for v in values}


def test_severities_are_ordered() -> None:
    assert Severity.NEUTRAL < Severity.MINOR < Severity.MAJOR < Severity.CRITICAL
    assert Severity.CRITICAL >= Severity.MAJOR and not Severity.MINOR >= Severity.MAJOR
    assert max([Severity.MINOR, Severity.CRITICAL, Severity.MAJOR]) is Severity.CRITICAL
    assert Severity.parse("Major") is Severity.MAJOR
    with pytest.raises(ValueError, match="unknown severity 'huge'"):
        Severity.parse("huge")


def test_default_severities_follow_the_policy() -> None:
    critical = {"placeholders", "tags", "numbers", "amounts", "dates", "urls", "emails", "glossary_protected",
                "empty", "leftover_token", "protected_content"}
    major = {"glossary_term", "untranslated", "truncated", "register", "upsell"}
    minor = {"length_ratio", "whitespace", "doubled_word", "end_punctuation"}
    assert set(CHECKS) == critical | major | minor
    for check_id, cls in CHECKS.items():
        expected = Severity.CRITICAL if check_id in critical else Severity.MAJOR if check_id in major else Severity.MINOR
        assert cls.severity is expected, check_id


def test_cjk_length_range_is_wider_and_shorter() -> None:
    assert default_length_ratio_range("en", "de") == (0.4, 2.5)
    low, high = default_length_ratio_range("en", "zh-Hans")
    assert high < 1.0 and low < 0.1
    low, high = default_length_ratio_range("zh", "en")
    assert low > 0.4 and high > 2.5


def test_run_checks_orders_worst_first_and_flags_critical() -> None:
    segment = seg("Hi {name}, pay €20 now?", "Hallo, zahlen Sie jetzt 20.")
    findings = run_checks(segment)
    assert [f.check for f in findings] == ["placeholders", "amounts", "end_punctuation"]
    assert has_critical(findings) and worst_severity(findings) is Severity.CRITICAL
    assert not has_critical([f for f in findings if f.severity < Severity.CRITICAL])
    assert worst_severity([]) is None
    json.dumps([f.to_dict() for f in findings])  # findings travel as JSON


def test_check_config_disables_and_overrides_severity() -> None:
    segment = seg("Restart the app?", "Starten Sie die App App neu.")
    assert {(f.check, f.severity) for f in run_checks(segment)} == {
        ("doubled_word", Severity.MINOR), ("end_punctuation", Severity.MINOR)}
    config = CheckConfig.from_dict({"disabled": ["end_punctuation"], "severity": {"doubled_word": "major"}})
    assert [(f.check, f.severity) for f in run_checks(segment, config=config)] == [("doubled_word", Severity.MAJOR)]
    only = CheckConfig.from_dict({"enabled": ["end_punctuation"]})
    assert [f.check for f in run_checks(segment, config=only)] == ["end_punctuation"]


@pytest.mark.parametrize(("data", "message"), [
    ({"disabled": ["spelling"]}, "unknown check id.*spelling"),
    ({"severity": {"doubled_word": "fatal"}}, "doubled_word.*unknown severity 'fatal'"),
    ({"disable": ["numbers"]}, "unknown check config key.*disable"),
])
def test_check_config_rejects_unknown_names(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CheckConfig.from_dict(data)


def test_segment_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="'markdown'"):
        seg("a", "b", fmt="markdown")
