"""Placeholders, URLs and customer data survive every token style; PII never appears in a payload."""

from __future__ import annotations

import pytest

from machinery.protection import (
    Protector,
    iban_valid,
    luhn_valid,
    parse_pii_patterns,
)
from machinery.tokens import STYLES

PROTECTOR = Protector(parse_pii_patterns(r"order_number=\bORD-?\d{5,12}\b"))

SAMPLES = [
    "Hi {customer_name}, your refund of %(amount)s for order ORD-123456 is on its way.",
    "Dear {{ name }}, write to help@tolk.example or call +31 6 1234 5678.",
    "Card 4111 1111 1111 1111 was charged ${total}; IBAN NL91 ABNA 0417 1643 00 refunded.",
    "See https://help.tolk.example/refunds?lang=en#steps. Thanks, %s!",
    "Brackets [x] and a\\b, ^caret$, @at, {braces} <angle> & ampersand.",
]


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("text", SAMPLES)
def test_round_trip_without_translation_gives_the_text_back(style, text):
    spans = PROTECTOR.find(text, "text")
    masked = STYLES[style].mask(text, spans, "text")
    restored, lost = STYLES[style].unmask(masked.payload, masked)
    assert restored == text
    assert lost == []


@pytest.mark.parametrize("style", sorted(STYLES))
def test_html_keeps_markup_and_masks_only_text(style):
    text = '<p>Hello {name}, mail <a href="mailto:jan@example.com">jan@example.com</a> &amp; wait.</p>'
    spans = PROTECTOR.find(text, "html")
    # The address inside the attribute is markup, left to the engine's tag handling; the visible one is masked.
    assert [s.original for s in spans] == ["{name}", "jan@example.com"]
    masked = STYLES[style].mask(text, spans, "html")
    assert STYLES[style].unmask(masked.payload, masked)[0] == text


@pytest.mark.parametrize("text", SAMPLES[:3])
@pytest.mark.parametrize("style", sorted(STYLES))
def test_no_customer_data_in_payload(style, text):
    spans = PROTECTOR.find(text, "text")
    masked = STYLES[style].mask(text, spans, "text")
    for span in spans:
        if span.is_pii:
            assert span.original not in masked.payload


def test_pii_kinds_are_recognised():
    text = SAMPLES[2] + " Mail a.b+c@mail.example.org, order ORD-99887766, call 020 123 4567."
    kinds = {s.kind for s in PROTECTOR.find(text)}
    assert {"pii:card", "pii:iban", "pii:email", "pii:order_number", "pii:phone", "placeholder"} <= kinds


@pytest.mark.parametrize("text", [
    "Your refund of 1,234.50 EUR arrives on 2024-01-15.",
    "Version 3.2.1 ships in 14 days; 4111 1111 1111 1112 is not a card.",
    "Call us between 9 and 17.",
])
def test_amounts_dates_and_invalid_numbers_are_not_pii(text):
    assert [s for s in PROTECTOR.find(text) if s.is_pii] == []


def test_checksums():
    assert luhn_valid("4111 1111 1111 1111")
    assert not luhn_valid("4111 1111 1111 1112")
    assert iban_valid("NL91 ABNA 0417 1643 00")
    assert not iban_valid("NL92 ABNA 0417 1643 00")


@pytest.mark.parametrize("style", sorted(STYLES))
def test_glossary_terms_come_back_as_target_terms(style):
    text = "Your Tolk Pro refund is ready."
    spans = PROTECTOR.find(text, terms={"refund": "reembolso"}, keep=["Tolk Pro"])
    masked = STYLES[style].mask(text, spans, "text")
    assert "refund" not in masked.payload and "Tolk Pro" not in masked.payload
    assert STYLES[style].unmask(masked.payload, masked)[0] == "Your Tolk Pro reembolso is ready."


@pytest.mark.parametrize("style", sorted(STYLES))
def test_dropped_token_is_restored_at_the_end_and_reported(style):
    text = "Write to jan@example.com today."
    masked = STYLES[style].mask(text, PROTECTOR.find(text), "text")
    restored, lost = STYLES[style].unmask("Escribe hoy.", masked)
    assert restored == "Escribe hoy. jan@example.com"
    assert [s.kind for s in lost] == ["pii:email"]


def test_bad_pii_pattern_is_refused():
    with pytest.raises(ValueError, match="not name=regex"):
        parse_pii_patterns("justaregex")
    with pytest.raises(ValueError, match="ticket"):
        parse_pii_patterns("ticket=([unclosed")


class _Counting:
    """A rule that records each text it is asked to search."""

    def __init__(self, inner, searched: list[str]):
        self.inner, self.kind, self.searched = inner, inner.kind, searched

    def spans(self, text):
        self.searched.append(text)
        return self.inner.spans(text)


def test_a_protection_scope_runs_the_rules_once_per_text_and_keeps_nothing_after():
    import machinery.protection as protection
    from machinery.pii import Customer
    from machinery.protection import Protector, memory_form, protection_scope

    protector = Protector()
    searched: list[str] = []
    protector.rules = tuple(_Counting(rule, searched) for rule in protector.rules)
    text = "Hi Maria Kowalska, we sent the refund to maria@example.com, see https://acme.example/refund."
    known = Customer(name="Maria Kowalska")

    def ask():  # what a reply asks: its memory form, the engine's spans with terms, spans with the customer
        return (memory_form(protector, text), protector.find(text, terms={"refund": "reembolso"}),
                protector.find(text, customer=known))

    outside = ask()
    runs_outside = len(searched)
    searched.clear()
    with protection_scope():
        inside = ask()
        assert protection._RULE_HITS.get()  # what was found is held while the scope lasts
    assert inside == outside
    assert len(searched) == len(protector.rules) < runs_outside  # each rule searched the text once
    assert protection._RULE_HITS.get() is None  # and nothing is kept once it ends
