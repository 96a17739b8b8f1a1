"""Termbase data: locale matching, preferred/forbidden terms, engine pair entries and their checksum."""

from __future__ import annotations

import pytest

from glossaries.terms import (
    Concept,
    GlossaryFormatError,
    Term,
    Termbase,
    lang_fallbacks,
    validate_lang,
)
from tolk.languages import normalize as normalize_lang


def support_termbase() -> Termbase:
    return Termbase(
        name="Support",
        source_lang="en",
        concepts=[
            Concept(
                [
                    Term("en", "refund", "noun"),
                    Term("pt", "reembolso", "noun"),
                    Term("pt-BR", "estorno", "noun"),
                    Term("pl", "zwrot", "noun"),
                    Term("pl", "refundacja", status="forbidden"),
                    Term("pl", "zwrot pieniędzy", status="admitted"),
                ],
                id="refund",
            ),
            Concept([Term("en", "Tolk", "properNoun", case_sensitive=True)], id="brand", do_not_translate=True),
            Concept([Term("en", "ticket"), Term("de", "Ticket")], id="ticket"),
            Concept([Term("de", "Kulanz")], id="goodwill"),
            Concept([Term("en", "order", status="admitted"), Term("zh", "订单")], id="order"),
        ],
    )


@pytest.mark.parametrize(
    ("code", "canonical"),
    [("pt_br", "pt-BR"), ("ZH-hant", "zh-Hant"), ("en", "en"), ("es-419", "es-419"), ("sr_latn_rs", "sr-Latn-RS")],
)
def test_language_codes_are_canonicalized(code, canonical):
    assert normalize_lang(code) == canonical
    assert Term(code, "x").lang == canonical


@pytest.mark.parametrize("code", ["xx", "en-XX", "", "und", "english", "zh Hans"])
def test_unknown_language_codes_are_rejected(code):
    with pytest.raises(ValueError):
        validate_lang(code)


@pytest.mark.parametrize(
    ("code", "fallbacks"),
    [
        ("pt-BR", ("pt-BR", "pt")),
        ("zh-Hant", ("zh-Hant",)),
        ("zh-TW", ("zh-TW", "zh-Hant")),
        ("zh-Hans", ("zh-Hans", "zh")),
        ("zh", ("zh", "zh-Hans")),
        ("de", ("de",)),
    ],
)
def test_locale_fallbacks_drop_the_region_but_never_change_the_script(code, fallbacks):
    assert lang_fallbacks(code) == fallbacks


def test_regional_terms_win_over_the_base_language():
    refund = support_termbase().concepts[0]
    assert refund.preferred("pt-BR").text == "estorno"
    assert refund.preferred("pt-PT").text == "reembolso"
    assert refund.preferred("pt").text == "reembolso"
    assert refund.preferred("es") is None


def test_preferred_forbidden_and_admitted_terms():
    refund = support_termbase().concepts[0]
    assert refund.preferred("pl").text == "zwrot"
    assert [t.text for t in refund.forbidden("pl")] == ["refundacja"]
    assert [t.text for t in refund.allowed("pl")] == ["zwrot", "zwrot pieniędzy"]
    assert refund.languages() == ["en", "pt", "pt-BR", "pl"]


def test_admitted_term_is_used_when_no_term_is_preferred():
    order = support_termbase().concepts[4]
    assert order.preferred("en").text == "order"


def test_chinese_without_script_serves_simplified_but_not_traditional():
    order = support_termbase().concepts[4]
    assert order.preferred("zh-Hans").text == "订单"
    assert order.preferred("zh-CN").text == "订单"
    assert order.preferred("zh-Hant") is None


def test_termbase_languages_start_with_the_source():
    termbase = support_termbase()
    termbase.source_lang = "de"
    assert termbase.languages() == ["de", "en", "pt", "pt-BR", "pl", "zh"]


def test_pair_entries_skip_concepts_without_both_terms_and_keep_brand_names():
    entries = support_termbase().pair_entries("en", "pl")
    assert entries == {"refund": "zwrot", "Tolk": "Tolk"}
    assert support_termbase().pair_entries("en", "de") == {"Tolk": "Tolk", "ticket": "Ticket"}
    assert support_termbase().pair_entries("en", "pt-BR") == {"refund": "estorno", "Tolk": "Tolk"}


def test_checksum_is_stable_and_follows_the_pair_entries_only():
    termbase = support_termbase()
    checksum = termbase.checksum("en", "pl")
    # A constant on purpose: engine glossaries are named by it, so it must not change between releases.
    assert checksum == "4349108d2146f9bfc5383064af1a2fe173eb1344b2fd5a69ea2fa1593b6de7f3"

    termbase.concepts[0].note = "Money back"
    termbase.concepts[2].terms.append(Term("pl", "zgłoszenie"))
    termbase.concepts.append(Concept([Term("de", "Gutschrift")]))
    assert termbase.checksum("en", "pl") != checksum  # the new ticket entry changes the content
    termbase.concepts[2].terms.pop()
    assert termbase.checksum("en", "pl") == checksum  # notes and other languages do not

    termbase.concepts[0].terms[3].text = "zwrot środków"
    assert termbase.checksum("en", "pl") != checksum
    assert termbase.checksum("en", "de") != termbase.checksum("en", "pl")


def test_do_not_translate_is_only_a_hint_for_identical_proper_nouns():
    brand = Concept([Term("en", "Tolk", "properNoun"), Term("de", "Tolk", "properNoun")])
    assert brand.suggests_do_not_translate()
    assert not brand.do_not_translate
    assert not Concept([Term("en", "Hotel", "noun"), Term("de", "Hotel", "noun")]).suggests_do_not_translate()
    assert not Concept([Term("en", "Tolk", "properNoun")]).suggests_do_not_translate()


def test_terms_are_validated():
    with pytest.raises(ValueError, match="empty"):
        Term("en", "   ")
    with pytest.raises(ValueError, match="status"):
        Term("en", "refund", status="deprecated")
    assert Term("en", "  order\n number ").text == "order number"


def test_format_error_names_line_and_element():
    error = GlossaryFormatError("unknown language code 'xx'", line=7, element="langSec")
    assert str(error) == "line 7, element <langSec>: unknown language code 'xx'"
    assert (error.line, error.element) == (7, "langSec")
    assert isinstance(error, ValueError)
