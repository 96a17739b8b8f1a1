"""Customer-data detectors on realistic text in the seed languages: each kind is found (and nothing else),
ID numbers only with a correct check digit, the helpdesk's known values exactly (names also inflected), no
value reaches an engine (what the DeepL and Google fakes and Apertium received), every value comes back
intact, and PII-free support text stays untouched."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from machinery.apertium import DEFAULT_MODES_DIR, ApertiumEngine
from machinery.pii import Customer, bsn_valid, dni_valid, isikukood_valid, pesel_valid, taiwan_id_valid
from machinery.protection import Protector, memory_form, memory_translation, restore_memory_tokens
from tests.machinery.pii_corpus import HARD_PII_FREE, KNOWN_FALSE_POSITIVES, PII_FREE, WITH_DATA
from workflows.kb import DEMO_ARTICLES
from workflows.macros import DEMO_TEMPLATES

FIXTURE_TEXTS = Path(__file__).resolve().parent.parent / "fixtures" / "texts"
DEEPL_LANGS = {"en": "en", "es": "es", "nl": "nl", "pl": "pl", "et": "et", "zh-Hant": "zh-Hant"}


def found(text: str, customer: Customer | None = None) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for span in Protector().find_pii(text, customer=customer):
        kinds.setdefault(span.kind.removeprefix("pii:"), []).append(span.original)
    return kinds


@pytest.mark.parametrize(("lang", "text", "expected"), WITH_DATA, ids=[f"{x[0]}-{i}" for i, x in enumerate(WITH_DATA)])
def test_each_kind_of_customer_data_is_found_in_the_seed_languages(lang, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(("check", "valid", "one_digit_off"), [
    (pesel_valid, "44051401359", "44051401358"),
    (pesel_valid, "02270803624", "02270803625"),  # born 2002: the month carries the century
    (bsn_valid, "111222333", "111222334"),
    (bsn_valid, "123456782", "123456783"),
    (isikukood_valid, "37605030299", "37605030298"),
    (isikukood_valid, "49403136526", "49403136527"),
    (taiwan_id_valid, "A123456789", "A123456788"),
    (taiwan_id_valid, "F131104093", "F131104094"),
    (dni_valid, "12345678Z", "12345678A"),
    (dni_valid, "X1234567L", "X1234567M"),
    (dni_valid, "Y-1234567-X", "Y-1234567-Y"),
])
def test_national_ids_need_their_check_digit(check, valid, one_digit_off):
    assert check(valid) and not check(one_digit_off)
    text = f"The number on file is {valid}."
    assert found(text) == {"national_id": [valid]}
    assert "national_id" not in found(f"The number on file is {one_digit_off}.")


@pytest.mark.parametrize(("text", "expected"), [
    ("Connected from 203.0.113.7 at noon.", ["203.0.113.7"]),
    ("Blocked: fe80::1ff:fe23:4567:890a and ::ffff:192.0.2.128", ["fe80::1ff:fe23:4567:890a", "::ffff:192.0.2.128"]),
    ("Not an address: 999.12.1.1, nor 12:30:45, nor 10:00.", []),
])
def test_ip_addresses_are_validated(text, expected):
    assert found(text).get("ip", []) == expected


def test_passports_and_birth_dates_only_in_context():
    assert found("Order AB1234567 ships today, and the event is on 12/03/1985.") == {}
    assert found("Passport: AB1234567; DOB 1985-03-12.") == {"passport": ["AB1234567"], "birth_date": ["1985-03-12"]}
    assert found("Urodzona 3 maja 1990 r.") == {"birth_date": ["3 maja 1990"]}


def test_the_customer_the_helpdesk_knows_is_masked_exactly_also_inflected():
    maria = Customer(name="Maria Kowalska", email="Maria.K@example.pl", phone="+48 512 345 678",
                     address="ul. Długa 5, 00-950 Warszawa")
    text = ("Pani Marii Kowalskiej przekazaliśmy paczkę; o Marię pytał kurier, rozmawialiśmy z Marią. "
            "Pisaliśmy na maria.k@example.pl i dzwoniliśmy pod 512-345-678 oraz 0048 512 345 678. "
            "Adres: ul. Długa 5, 00-950 Warszawa. Marian z magazynu potwierdził.")
    kinds = found(text, maria)
    assert kinds["name"] == ["Marii", "Kowalskiej", "Marię", "Marią"]
    assert kinds["email"] == ["maria.k@example.pl"]
    assert kinds["phone"] == ["512-345-678", "0048 512 345 678"]
    assert kinds["address"] == ["ul. Długa 5, 00-950 Warszawa"]
    assert "Marian" not in str(kinds)  # another name that starts alike is not hers
    tamm = Customer(name="Katrin Tamm")
    assert found("Saatsime arve Katrinile ja Tammele.", tamm) == {"name": ["Katrinile", "Tammele"]}
    assert found("我們已通知林美玲。", Customer(name="林美玲")) == {"name": ["林美玲"]}


def _pii_free_corpus() -> list[str]:
    """Support text without customer data: own replies, the fixture texts, the KB demo and the templates."""
    texts = [t for _lang, t in PII_FREE]
    for path in sorted(FIXTURE_TEXTS.glob("*.txt")):
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for article in DEMO_ARTICLES:
        texts += [article["title"], re.sub(r"<[^>]+>", " ", article["body"])]
    for template in DEMO_TEMPLATES:
        texts += [v for k, v in template.items() if isinstance(v, str) and k in ("source_text", "source_plural")]
    return texts


def test_pii_free_support_text_is_left_alone():
    corpus = _pii_free_corpus()
    flagged = {t: found(t) for t in corpus if found(t)}
    assert len(corpus) >= 50
    assert flagged == {}


def test_texts_written_to_trip_the_detectors_up_are_rarely_masked():
    """36 PII-free texts with brands after greetings and titles, non-birth dates, versions, team sign-offs."""
    flagged = {t: [s.original for s in Protector().find_pii(t)] for t in HARD_PII_FREE}
    assert {t: v for t, v in flagged.items() if v} == KNOWN_FALSE_POSITIVES


# --- through the engines: what the servers received, and what came back ---------------------------------


def _values(expected: dict[str, list[str]]) -> list[str]:
    return [v for values in expected.values() for v in values]


def _assert_never_sent(recorded: str, values: list[str]) -> None:
    squeezed = recorded.replace(" ", "")
    for value in values:
        assert value not in recorded and value.replace(" ", "") not in squeezed, value


def test_no_customer_data_reaches_deepl_and_all_of_it_comes_back(deepl_engine, deepl_fake):
    for lang, text, expected in WITH_DATA:
        target = "en-GB" if lang != "en" else "es"
        [out] = deepl_engine.translate_batch([text], DEEPL_LANGS[lang], target)
        for value in _values(expected):
            assert value in out.text, (lang, value, out.text)
    recorded = "\n".join(r.text + json.dumps(r.body, ensure_ascii=False) for r in deepl_fake.requests)
    assert recorded.count("<x id=") >= len(WITH_DATA)
    _assert_never_sent(recorded, [v for _l, _t, e in WITH_DATA for v in _values(e)])


def test_no_customer_data_reaches_google_and_all_of_it_comes_back(google_engine, google_fake):
    for lang, text, expected in WITH_DATA:
        target = "en" if lang != "en" else "es"
        [out] = google_engine.translate_batch([text], lang, target)
        for value in _values(expected):
            assert value in out.text, (lang, value, out.text)
    recorded = "\n".join(r.text + json.dumps(r.body, ensure_ascii=False) for r in google_fake.requests)
    assert "tolk-1" in recorded
    _assert_never_sent(recorded, [v for _l, _t, e in WITH_DATA for v in _values(e)])


def test_no_customer_data_reaches_apertium_and_all_of_it_comes_back(tmp_path):
    """Apertium through a recording wrapper around the real pipeline: the stream it read is kept."""
    received = tmp_path / "received.txt"
    modes = tmp_path / "modes"
    modes.mkdir()
    recorder = tmp_path / "record.sh"  # takes the -z every program of a mode is given, copies its input
    recorder.write_text(f"#!/bin/sh\nexec tee -a '{received}'\n")
    recorder.chmod(0o755)
    installed = (Path(DEFAULT_MODES_DIR) / "eng-spa.mode").read_text(encoding="utf-8")
    (modes / "eng-spa.mode").write_text(f"'{recorder}' | {installed}")
    engine = ApertiumEngine(protector=Protector(), modes_dir=str(modes), timeout=30)
    try:
        english = [(text, expected) for lang, text, expected in WITH_DATA if lang == "en"]
        customer = Customer(name="Maria Garcia", email="maria.garcia@example.com", address="Calle Mayor 5")
        outs = engine.translate_batch([t for t, _e in english], "en", "es", customer=customer)
    finally:
        engine.close()
    for (_text, expected), out in zip(english, outs, strict=True):
        for value in _values(expected):
            assert value in out.text, (value, out.text)
    assert "Estimado" in outs[0].text or "Querido" in outs[0].text  # the rest was translated
    recorded = received.read_text(encoding="utf-8")
    assert "tolk1" in recorded
    _assert_never_sent(recorded, [v for _t, e in english for v in _values(e)])


# --- the memory form: what the translation memory stores -------------------------------------------------


@pytest.mark.parametrize(("source", "target", "customer", "stored_source", "stored_target"), [
    ("Dear Maria Garcia, your refund was sent.", "Estimada Maria Garcia, su reembolso se envió.", None,
     "Dear [[name:1]], your refund was sent.", "Estimada [[name:1]], su reembolso se envió."),
    ("Dear Mrs Maria Kowalska, thank you.", "Szanowna Pani Marii Kowalskiej, dziękujemy.",
     Customer(name="Maria Kowalska"), "Dear Mrs [[name:1]] [[name:2]], thank you.",
     "Szanowna Pani [[name:1]] [[name:2]], dziękujemy."),
    (f"We charged {'4111 1111 1111 1111'} and wrote to a@example.com.",
     "Cargamos 4111 1111 1111 1111 y escribimos a a@example.com.", None,
     "We charged [[card:1]] and wrote to [[email:2]].", "Cargamos [[card:1]] y escribimos a [[email:2]]."),
    ("我叫林美玲。", "My name is 林美玲.", None, "我叫[[name:1]]。", "My name is [[name:1]]."),
])
def test_the_memory_stores_tokens_and_gives_back_the_askers_values(source, target, customer, stored_source,
                                                                   stored_target):
    protector = Protector()
    protected, spans = memory_form(protector, source, customer)
    assert (protected, memory_translation(protector, target, spans, customer)) == (stored_source, stored_target)
    restored, complete = restore_memory_tokens(stored_target, spans)
    assert complete and restored == target.replace("Marii Kowalskiej", "Maria Kowalska")


def test_a_translation_with_data_its_source_lacks_is_not_stored():
    protector = Protector()
    _protected, spans = memory_form(protector, "Call us.")
    assert memory_translation(protector, "Llame al +34 612 345 678.", spans) is None
