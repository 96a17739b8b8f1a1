"""Term verification: inflected glossary terms are accepted, misses, changed brand names and forbidden
variants are reported, in six target languages; term finding for masking and highlighting."""

from __future__ import annotations

import pytest

from glossaries.terms import Concept, Term, Termbase
from glossaries.verify import TermChecker, TermFinding, find_terms, verify_terms

MISSING, KEPT, FORBIDDEN = "glossary_term", "do_not_translate", "forbidden_term"


def support_termbase() -> Termbase:
    return Termbase(
        name="Support",
        source_lang="en",
        concepts=[
            Concept([
                Term("en", "refund"),
                Term("pl", "zwrot"), Term("pl", "refundacja", status="forbidden"),
                Term("et", "tagasimakse"),
                Term("de", "Rückerstattung"), Term("de", "Erstattung", status="admitted"),
                Term("de", "Refund", status="forbidden"),
                Term("nl", "terugbetaling"), Term("nl", "restitutie", status="forbidden"),
                Term("es", "reembolso"), Term("es", "devolución del dinero", status="forbidden"),
                Term("zh-Hans", "退款"), Term("zh-Hans", "退钱", status="forbidden"),
            ]),
            Concept([
                Term("en", "order"),
                Term("pl", "zamówienie"), Term("et", "tellimus"), Term("de", "Bestellung"),
                Term("nl", "bestelling"), Term("es", "pedido"), Term("es", "orden", status="forbidden"),
                Term("zh-Hans", "订单"),
            ]),
            Concept([
                Term("en", "order number"),
                Term("pl", "numer zamówienia"), Term("de", "Bestellnummer"), Term("es", "número de pedido"),
            ]),
            Concept([
                Term("en", "account"),
                Term("pl", "konto"), Term("et", "konto"), Term("de", "Konto"), Term("de", "Account", status="forbidden"),
                Term("nl", "account"), Term("es", "cuenta"), Term("zh-Hans", "账户"),
            ]),
            Concept([Term("en", "Tolk", "properNoun", case_sensitive=True)], do_not_translate=True),
            Concept([Term("en", "gift card"), Term("pl", "karta podarunkowa"), Term("de", "Geschenkkarte")]),
        ],
    )


# (target locale, source, target, expected findings as (check, source term, expected target term))
CASES = [
    # Polish: cases and numbers of the glossary terms count.
    ("pl", "Your refund has been sent.", "Twój zwrot został wysłany.", []),
    ("pl", "Please request a refund.", "Prosimy o zwrot zwrotu.", []),
    ("pl", "We sent the refund for your order.", "Wysłaliśmy zwrot za Twoje zamówienie.", []),
    ("pl", "The refunds for both orders", "Zwroty za oba zamówienia", []),
    ("pl", "Check your account for the refund.", "Sprawdź zwrotem stan na koncie.", []),
    ("pl", "Quote your order number.", "Podaj numer zamówienia.", []),
    ("pl", "Quote your order number.", "Podaj numerem zamówienia.", []),
    ("pl", "Use the gift card.", "Użyj karty podarunkowej.", []),
    ("pl", "Your refund is on the way.", "Pieniądze są w drodze.", [(MISSING, "refund", "zwrot")]),
    ("pl", "Your refund is on the way.", "Refundacja jest w drodze.",
     [(MISSING, "refund", "zwrot"), (FORBIDDEN, "refund", "zwrot")]),
    ("pl", "Your refund is on the way.", "Zwrot (refundacji) jest w drodze.", [(FORBIDDEN, "refund", "zwrot")]),
    ("pl", "Log in to Tolk.", "Zaloguj się do Tolk.", []),
    ("pl", "Log in to Tolk.", "Zaloguj się do Tłumacza.", [(KEPT, "Tolk", "Tolk")]),
    ("pl", "The order, number two", "Zamówienie, numer dwa", []),
    # Estonian: tellimus/tellimuse/tellimust are one term.
    ("et", "Your order has shipped.", "Teie tellimus on teele pandud.", []),
    ("et", "We received your order.", "Saime teie tellimuse kätte.", []),
    ("et", "Cancel the order and the refund.", "Tühistage tellimust ja tagasimakset.", []),
    ("et", "Your refunds are ready.", "Teie tagasimaksed on valmis.", []),
    ("et", "Log in to your account.", "Logige oma kontole sisse.", []),
    ("et", "We received your order.", "Saime teie ostu kätte.", [(MISSING, "order", "tellimus")]),
    # German: plurals, compounds with the term as head, admitted variants, forbidden anglicisms.
    ("de", "Your refunds were issued.", "Ihre Rückerstattungen wurden veranlasst.", []),
    ("de", "Your refund was issued.", "Die Erstattung wurde veranlasst.", []),
    ("de", "Open your account.", "Öffnen Sie Ihr Kundenkonto.", []),
    ("de", "Check the accounts.", "Prüfen Sie die Kundenkontos.", []),
    ("de", "Your order number is 42.", "Ihre Bestellnummer ist 42.", []),
    ("de", "Your orders have shipped.", "Ihre Bestellungen wurden versandt.", []),
    ("de", "Your refund was issued.", "Ihr Refund wurde veranlasst.",
     [(MISSING, "refund", "Rückerstattung"), (FORBIDDEN, "refund", "Rückerstattung")]),
    ("de", "Open your account.", "Öffnen Sie Ihren Account.",
     [(MISSING, "account", "Konto"), (FORBIDDEN, "account", "Konto")]),
    ("de", "Tolk keeps your order safe.", "TOLK schützt Ihre Bestellung.", [(KEPT, "Tolk", "Tolk")]),
    # Dutch
    ("nl", "Your refunds were processed.", "Uw terugbetalingen zijn verwerkt.", []),
    ("nl", "Both orders were sent.", "Beide bestellingen zijn verzonden.", []),
    ("nl", "Your refund was processed.", "Uw restitutie is verwerkt.",
     [(MISSING, "refund", "terugbetaling"), (FORBIDDEN, "refund", "terugbetaling")]),
    ("nl", "Your order with Tolk", "Uw bestelling bij Tolk", []),
    # Spanish
    ("es", "Your refunds were sent.", "Sus reembolsos fueron enviados.", []),
    ("es", "Both orders shipped.", "Ambos pedidos fueron enviados.", []),
    ("es", "Quote the order number.", "Indique el número de pedido.", []),
    ("es", "We are sorry about your order.", "Le pedimos disculpas por su compra.", [(MISSING, "order", "pedido")]),
    ("es", "Your order shipped.", "Su orden fue enviada.", [(MISSING, "order", "pedido"), (FORBIDDEN, "order", "pedido")]),
    ("es", "Your refund is ready.", "Su devolución del dinero está lista.",
     [(MISSING, "refund", "reembolso"), (FORBIDDEN, "refund", "reembolso")]),
    ("es", "Your refund is ready.", "Sus devoluciones del dinero están listas.",
     [(MISSING, "refund", "reembolso"), (FORBIDDEN, "refund", "reembolso")]),
    # Chinese: substring matching, brand names kept in Latin script.
    ("zh-Hans", "Your refund for the order is ready.", "您的订单退款已准备好。", []),
    ("zh-Hans", "Log in to your Tolk account.", "登录您的Tolk账户。", []),
    ("zh-Hans", "Your refund for the order is ready.", "您的订单已准备好。", [(MISSING, "refund", "退款")]),
    ("zh-Hans", "Your refund is ready.", "您的退钱已准备好。", [(MISSING, "refund", "退款"), (FORBIDDEN, "refund", "退款")]),
    ("zh-Hans", "Log in to your Tolk account.", "登录您的托尔克账户。", [(KEPT, "Tolk", "Tolk")]),
    ("zh-Hans", "Log in to your Tolk account.", "登录您的tolk账户。", [(KEPT, "Tolk", "Tolk")]),
]


@pytest.mark.parametrize(("target_lang", "source", "target", "expected"), CASES)
def test_verification_table(target_lang, source, target, expected):
    findings = verify_terms(source, target, support_termbase(), "en", target_lang)
    assert [(f.check, f.term, f.expected) for f in findings] == expected


def test_source_terms_match_case_insensitively_and_inflected():
    termbase = support_termbase()
    for source in ("REFUND requested", "It was refunded", "Two refunds"):
        findings = verify_terms(source, "Nic tu nie ma.", termbase, "en", "pl")
        assert [(f.check, f.expected) for f in findings] == [(MISSING, "zwrot")]


def test_case_sensitive_source_term_needs_its_case():
    assert verify_terms("Ask the tolk to help.", "Poproś tłumacza o pomoc.", support_termbase(), "en", "pl") == []


def test_terms_inside_longer_words_do_not_count():
    assert verify_terms("A reorder or a refundable fee.", "Ponowne zamówienie.", support_termbase(), "en", "pl") == []


def test_severities_messages_and_spans():
    findings = verify_terms("Your refund from Tolk.", "Twoja refundacja z tolk.", support_termbase(), "en", "pl")
    by_check = {f.check: f for f in findings}
    assert by_check[MISSING].severity == "major"
    assert by_check[MISSING].target_span is None
    assert by_check[KEPT].severity == "critical"
    assert by_check[KEPT].target_span == (19, 23)
    assert "do not translate" in by_check[KEPT].message
    assert by_check[FORBIDDEN] == TermFinding(
        FORBIDDEN, "refund", "zwrot", "critical", "'refundacja' must not be used; use 'zwrot'", target_span=(6, 16)
    )


def test_forbidden_variant_is_reported_even_when_the_source_lacks_the_term():
    findings = verify_terms("Thanks for waiting.", "Dziękujemy, refundacja w drodze.", support_termbase(), "en", "pl")
    assert [(f.check, f.target_span) for f in findings] == [(FORBIDDEN, (12, 22))]


def test_forbidden_variant_inside_an_approved_term_is_fine():
    termbase = Termbase("t", "en", [
        Concept([Term("en", "email address"), Term("pl", "adres e-mail")]),
        Concept([Term("en", "email"), Term("pl", "wiadomość"), Term("pl", "e-mail", status="forbidden")]),
    ])
    assert verify_terms("Your email address", "Twój adres e-mail", termbase, "en", "pl") == []
    findings = verify_terms("Your email", "Twój e-mail", termbase, "en", "pl")
    assert [f.check for f in findings] == [MISSING, FORBIDDEN]


def test_stem_fallback_for_languages_without_a_lemmatizer():
    termbase = Termbase("t", "en", [Concept([Term("en", "order"), Term("eu", "eskaera")])])
    assert verify_terms("Your order", "Zure eskaeraren egoera", termbase, "en", "eu") == []
    assert [f.check for f in verify_terms("Your order", "Zure erosketa", termbase, "en", "eu")] == [MISSING]


def test_finnish_compound_head_and_inflection():
    termbase = Termbase("t", "en", [Concept([Term("en", "account"), Term("fi", "tili")])])
    assert verify_terms("Your account", "Asiakastilin asetukset", termbase, "en", "fi") == []
    assert verify_terms("Your account", "Tilisi asetukset", termbase, "en", "fi") == []


def test_regional_target_uses_base_language_terms():
    findings = verify_terms("Your order", "Su orden", support_termbase(), "en", "es-MX")
    assert [(f.check, f.expected) for f in findings] == [(MISSING, "pedido"), (FORBIDDEN, "pedido")]


def test_plain_entries_are_checked_as_glossary_terms():
    entries = {"refund": "zwrot", "order": "zamówienie"}
    assert verify_terms("Refund for the order", "Zwrot za zamówienia", entries, "en", "pl") == []
    findings = verify_terms("Refund for the order", "Pieniądze za zamówienia", entries, "en", "pl")
    assert [(f.check, f.term, f.expected) for f in findings] == [(MISSING, "Refund", "zwrot")]


def test_checker_reflects_termbase_changes():
    termbase = support_termbase()
    assert verify_terms("Your refund", "Twoje pieniądze", termbase, "en", "pl") != []
    termbase.concepts[0].terms.append(Term("pl", "pieniądze", status="admitted"))
    assert verify_terms("Your refund", "Twoje pieniądze", termbase, "en", "pl") == []


def test_term_checker_can_be_held_by_the_caller():
    checker = TermChecker(support_termbase(), "en", "de")
    assert checker.check("Your refund", "Ihre Rückerstattung") == []
    assert [f.check for f in checker.check("Your refund", "Ihr Geld")] == [MISSING]


def test_find_terms_longest_first_without_overlaps():
    termbase = support_termbase()
    text = "Your order number for the gift card order, via Tolk."
    found = [(text[s:e], c.preferred("en").text) for s, e, c in find_terms(text, termbase, "en")]
    assert found == [
        ("order number", "order number"),
        ("gift card", "gift card"),
        ("order", "order"),
        ("Tolk", "Tolk"),
    ]


def test_find_terms_inflected_and_in_chinese():
    termbase = support_termbase()
    text = "Dwa zamówienia i zwrotu"
    assert [(text[s:e], c.preferred("en").text) for s, e, c in find_terms(text, termbase, "pl")] == [
        ("zamówienia", "order"), ("zwrotu", "refund")]
    text = "您的订单退款"
    assert [(s, e) for s, e, _ in find_terms(text, termbase, "zh-Hans")] == [(2, 4), (4, 6)]
    assert find_terms("refundacja", termbase, "pl") == []


def test_inflected_brand_name_in_the_source_expects_the_listed_spelling():
    termbase = Termbase("t", "pl", [Concept([Term("pl", "Tolk", case_sensitive=True)], do_not_translate=True)])
    assert verify_terms("Zaloguj się do Tolka.", "Log in to Tolk.", termbase, "pl", "en") == []
    findings = verify_terms("Zaloguj się do Tolka.", "Log in to Tolkien.", termbase, "pl", "en")
    assert [(f.check, f.term, f.target_span) for f in findings] == [(KEPT, "Tolka", None)]
