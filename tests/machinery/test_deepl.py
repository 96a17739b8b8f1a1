"""DeepL engine, through deepl-python against the local DeepL fake."""

from __future__ import annotations

import json

import pytest
import requests

from machinery.base import (
    AuthFailed,
    BadResponse,
    EngineGlossary,
    EngineUnavailable,
    RateLimited,
    Unsupported,
)
from machinery.deepl import DeepLEngine, source_code, target_code
from tests.engine_contract import EngineContract


class TestDeepLContract(EngineContract):
    """The engine contract, met through deepl-python against the DeepL fake."""

    engine_class = DeepLEngine

    @pytest.fixture
    def settings(self, deepl_settings):
        return deepl_settings

    @pytest.fixture
    def vendor(self, deepl_fake):
        return deepl_fake

    def script_auth_failure(self, vendor, tmp_path):
        return {"DEEPL_AUTH_KEY": "stolen-key"}

    def script_quota_exceeded(self, vendor, tmp_path):
        vendor.fail_next(456, path="/v2/translate")
        return {}

    def script_rate_limit(self, vendor, tmp_path):
        vendor.fail_next(429, headers={"Retry-After": "7"}, path="/v2/translate")
        return {}

    def script_server_error(self, vendor, tmp_path):
        vendor.fail_next(503, path="/v2/translate")
        return {}

    def script_hang(self, vendor, tmp_path):
        vendor.hang_next(5, path="/v2/translate")
        return {}


REFUNDS = EngineGlossary(name="support", source_lang="en", target_lang="es",
                         entries={"refund": "devolución", "Acme Cloud": "Acme Cloud"}, checksum="a1b2c3d4e5f6a7b8")


def sent_bodies(fake, path="/v2/translate"):
    return [r.body for r in fake.requests_to(path, "POST")]


def test_batches_of_at_most_fifty_texts_keep_their_order(deepl_engine, deepl_fake):
    texts = [f"Your order {i}" for i in range(120)]

    out = deepl_engine.translate_batch(texts, "en", "es")

    assert [len(body["text"]) for body in sent_bodies(deepl_fake)] == [50, 50, 20]
    assert [t.text for t in out] == [f"Su pedido {i}" for i in range(120)]
    assert {t.engine for t in out} == {"deepl"}


@pytest.mark.parametrize(("formality", "sent", "word"), [
    ("formal", "prefer_more", "Sie"),
    ("informal", "prefer_less", "du"),
])
def test_formality_reaches_deepl_for_german(deepl_engine, deepl_fake, formality, sent, word):
    [out] = deepl_engine.translate_batch(["Thank you"], "en", "de", formality=formality)

    assert sent_bodies(deepl_fake)[-1]["formality"] == sent
    assert out.text == f"Danke {word}"


def test_formality_is_left_out_for_a_language_without_it(deepl_engine, deepl_fake):
    deepl_engine.translate_batch(["Thank you"], "en", "et", formality="formal")

    assert "formality" not in sent_bodies(deepl_fake)[-1]


def test_unknown_formality_is_refused_before_anything_is_sent(deepl_engine, deepl_fake):
    with pytest.raises(ValueError, match="polite"):
        deepl_engine.translate_batch(["Thank you"], "en", "de", formality="polite")
    assert sent_bodies(deepl_fake) == []


def test_context_is_passed_and_payload_is_xml_with_ignored_tokens(deepl_engine, deepl_fake):
    deepl_engine.translate_batch(["It is on its way"], "en", "es", context="Where is my order?")

    body = sent_bodies(deepl_fake)[-1]
    assert body["context"] == "Where is my order?"
    assert body["tag_handling"] == "xml"
    assert body["ignore_tags"] == ["x"]
    assert body["source_lang"] == "EN" and body["target_lang"] == "ES"


def test_glossary_is_created_once_and_its_id_reaches_translate(deepl_engine, deepl_fake):
    first = deepl_engine.translate_batch(["Your refund from Acme Cloud"], "en", "es", glossary=REFUNDS)
    deepl_engine.translate_batch(["A refund"], "en", "es", glossary=REFUNDS)

    creates = deepl_fake.requests_to("/v3/glossaries", "POST")
    assert len(creates) == 1
    [glossary] = deepl_fake.glossaries.values()
    assert glossary.name == "tolk-support-en-es-a1b2c3d4e5f6"
    assert glossary.dictionaries == {("EN", "ES"): dict(REFUNDS.entries)}
    assert [b["glossary_id"] for b in sent_bodies(deepl_fake)] == [glossary.glossary_id] * 2
    assert first[0].text == "Su devolución from Acme Cloud"
    assert first[0].native_glossary


def test_glossary_already_on_the_account_is_reused_by_another_process(deepl_settings, deepl_fake, pii_protector):
    for _ in range(2):  # two processes, each with its own in-process cache
        engine = DeepLEngine.from_settings(deepl_settings, protector=pii_protector)
        engine.translate_batch(["Your refund"], "en", "es", glossary=REFUNDS)
        engine.close()

    assert len(deepl_fake.requests_to("/v3/glossaries", "POST")) == 1
    assert len(deepl_fake.glossaries) == 1


def test_changed_glossary_replaces_the_old_one(deepl_engine, deepl_fake):
    deepl_fake.add_glossary("tolk-support-en-de-000000000000", "EN", "DE", {"refund": "Erstattung"})
    deepl_engine.translate_batch(["Your refund"], "en", "es", glossary=REFUNDS)
    changed = EngineGlossary(name="support", source_lang="en", target_lang="es",
                             entries={"refund": "reintegro"}, checksum="ffffffffffff0000")

    [out] = deepl_engine.translate_batch(["Your refund"], "en", "es", glossary=changed)

    assert out.text == "Su reintegro"
    names = sorted(g.name for g in deepl_fake.glossaries.values())
    # The old version for this pair is gone; another pair's glossary is not touched.
    assert names == ["tolk-support-en-de-000000000000", "tolk-support-en-es-ffffffffffff"]
    assert len(deepl_fake.requests_to("/v3/glossaries/", "DELETE")) == 1


def test_glossary_without_checksum_is_named_by_its_content(deepl_engine, deepl_fake):
    unnamed = EngineGlossary(name="support", source_lang="en", target_lang="es", entries={"refund": "devolución"})
    deepl_engine.translate_batch(["Your refund"], "en", "es", glossary=unnamed)
    deepl_engine.translate_batch(["Your refund"], "en", "es",
                                 glossary=EngineGlossary("support", "en", "es", {"refund": "reintegro"}))

    assert len(deepl_fake.requests_to("/v3/glossaries", "POST")) == 2
    assert len(deepl_fake.glossaries) == 1


def test_glossary_deleted_behind_our_back_is_recreated_on_retry(deepl_engine, deepl_fake):
    deepl_engine.translate_batch(["Your refund"], "en", "es", glossary=REFUNDS)
    deepl_fake.glossaries.clear()

    with pytest.raises(EngineUnavailable) as caught:
        deepl_engine.translate_batch(["Your refund"], "en", "es", glossary=REFUNDS)
    assert caught.value.retryable
    [out] = deepl_engine.translate_batch(["Your refund"], "en", "es", glossary=REFUNDS)

    assert out.text == "Su devolución"
    assert len(deepl_fake.requests_to("/v3/glossaries", "POST")) == 2


def test_pair_without_glossary_support_masks_terms_instead(deepl_engine, deepl_fake):
    estonian = EngineGlossary(name="support", source_lang="en", target_lang="et", entries={"refund": "tagasimakse"})

    [out] = deepl_engine.translate_batch(["Your refund is ready"], "en", "et", glossary=estonian)

    assert out.text == "Your tagasimakse is ready"
    assert not out.native_glossary
    assert deepl_fake.requests_to("/v3/glossaries", "POST") == []
    assert "tagasimakse" not in sent_bodies(deepl_fake)[-1]["text"][0]


def test_full_glossary_quota_falls_back_to_masked_terms(deepl_engine, deepl_fake):
    deepl_fake.glossary_limit = 0

    [out] = deepl_engine.translate_batch(["Your refund"], "en", "es", glossary=REFUNDS)

    assert out.text == "Su devolución"
    assert not out.native_glossary
    assert "glossary_id" not in sent_bodies(deepl_fake)[-1]


def test_html_keeps_its_markup(deepl_engine, deepl_fake):
    html = '<p class="lead">Your <b>refund</b> is <a href="https://shop.example/r?id=7&amp;x=1">here</a>.</p>'

    [out] = deepl_engine.translate_batch([html], "en", "es", fmt="html")

    assert sent_bodies(deepl_fake)[-1]["tag_handling"] == "html"
    assert out.text == '<p class="lead">Su <b>reembolso</b> está <a href="https://shop.example/r?id=7&amp;x=1">aquí</a>.</p>'


def test_plain_text_with_markup_characters_comes_back_as_written(deepl_engine):
    [out] = deepl_engine.translate_batch(["Your refund < 5 & <b> stays"], "en", "es")

    assert out.text == "Su reembolso < 5 & <b> stays"


def test_customer_data_never_reaches_deepl_and_comes_back(deepl_engine, deepl_fake):
    pii = ["jan.kowalski@example.com", "+48 601 234 567", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00",
           "ORD-1234567"]
    text = ("Hello {{customer_name}}, your refund for ORD-1234567 is ready. We will call +48 601 234 567 "
            "or write to jan.kowalski@example.com. Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00. "
            "See https://shop.example/refund?id=1")

    [out] = deepl_engine.translate_batch([text], "en", "es")

    for value in [*pii, "{{customer_name}}", "https://shop.example/refund?id=1"]:
        assert value in out.text
    assert out.text.startswith("Hola {{customer_name}}, su reembolso por ORD-1234567 está listo.")
    recorded = "\n".join(r.text + json.dumps(r.body, ensure_ascii=False) for r in deepl_fake.requests)
    for value in pii:
        assert value not in recorded
        assert value.replace(" ", "") not in recorded.replace(" ", "")


def test_billed_characters_are_reported(deepl_engine, deepl_fake):
    out = deepl_engine.translate_batch(["Your refund", "Thanks for your patience"], "en", "es")

    payloads = sent_bodies(deepl_fake)[-1]["text"]
    assert [t.billed_characters for t in out] == [len(p) for p in payloads]
    assert deepl_engine.usage() == {"character_count": sum(map(len, payloads)), "character_limit": 500_000}
    assert deepl_engine.health()["usage"]["character_count"] == sum(map(len, payloads))


def test_health_makes_no_request_and_hides_the_key(deepl_engine, deepl_fake):
    report = deepl_engine.health()

    assert report["configured"] is True
    assert report["server_url"] == deepl_fake.url
    assert deepl_fake.auth_key not in json.dumps(report)
    assert deepl_fake.requests == []


def test_unconfigured_without_key():
    engine = DeepLEngine.from_settings({"DEEPL_AUTH_KEY": None})

    assert not engine.is_configured()
    assert engine.health()["configured"] is False


# --- errors ---------------------------------------------------------------------------------

def test_rate_limit_is_reported_with_retry_after_and_not_retried(deepl_engine, deepl_fake):
    deepl_fake.fail_next(429, headers={"Retry-After": "7"}, path="/v2/translate")

    with pytest.raises(RateLimited) as caught:
        deepl_engine.translate_batch(["Your refund"], "en", "es")

    assert caught.value.retry_after == 7.0
    assert caught.value.retryable
    assert len(deepl_fake.requests_to("/v2/translate")) == 1


def test_server_error_is_unavailable_and_not_retried(deepl_engine, deepl_fake):
    deepl_fake.fail_next(503, path="/v2/translate")

    with pytest.raises(EngineUnavailable):
        deepl_engine.translate_batch(["Your refund"], "en", "es")
    assert len(deepl_fake.requests_to("/v2/translate")) == 1


@pytest.mark.parametrize("body", [
    b'{"translations": [',
    b'{"translations": []}',
    b'{"translations": [{"text": "Su reembolso"}]}',
    b'{"translations": [{"text": 5, "billed_characters": 1, "detected_source_language": "EN"}]}',
])
def test_malformed_response_is_a_bad_response(deepl_engine, deepl_fake, body):
    deepl_fake.malformed_next(body, path="/v2/translate")

    with pytest.raises(BadResponse):
        deepl_engine.translate_batch(["Your refund"], "en", "es")


def test_wrong_key_is_an_auth_failure(deepl_settings, deepl_fake):
    engine = DeepLEngine.from_settings({**deepl_settings, "DEEPL_AUTH_KEY": "stolen-key"})

    with pytest.raises(AuthFailed) as caught:
        engine.translate_batch(["Your refund"], "en", "es")
    assert "stolen-key" not in str(caught.value)
    engine.close()


def test_unreachable_server_is_unavailable_and_supports_stays_cheap(deepl_settings, deepl_fake):
    engine = DeepLEngine.from_settings(deepl_settings)
    deepl_fake.stop()

    assert engine.supports("en", "es")  # built-in list, no exception
    assert not engine.supports("en", "xx")
    with pytest.raises(EngineUnavailable):
        engine.translate_batch(["Your refund"], "en", "es")
    engine.close()


# --- languages ------------------------------------------------------------------------------

@pytest.mark.parametrize(("tag", "code"), [
    ("en", "EN-US"), ("en-GB", "EN-GB"), ("en-AU", "EN-GB"), ("en-US", "EN-US"), ("pt", "PT-PT"),
    ("pt-BR", "PT-BR"), ("pt-PT", "PT-PT"), ("zh", "ZH-HANS"), ("zh-Hans", "ZH-HANS"), ("zh-CN", "ZH-HANS"),
    ("zh-Hant", "ZH-HANT"), ("zh-TW", "ZH-HANT"), ("zh-Hant-HK", "ZH-HANT"), ("nb", "NB"), ("no", "NB"),
    ("es-419", "ES-419"), ("es-ES", "ES"), ("de-AT", "DE"), ("pl", "PL"),
])
def test_target_codes(tag, code):
    assert target_code(tag) == code


@pytest.mark.parametrize(("tag", "code"), [("en-GB", "EN"), ("pt-BR", "PT"), ("zh-Hant", "ZH"), ("no", "NB")])
def test_source_codes_are_bare(tag, code):
    assert source_code(tag) == code


@pytest.mark.parametrize(("target", "sent"), [("zh-Hant", "ZH-HANT"), ("pt-BR", "PT-BR"), ("en-GB", "EN-GB"),
                                              ("en", "EN-US")])
def test_regional_targets_reach_deepl(deepl_engine, deepl_fake, target, sent):
    source = "de" if target.startswith("en") else "en"
    assert deepl_engine.supports(source, target)

    deepl_engine.translate_batch(["Hallo"], source, target)

    assert sent_bodies(deepl_fake)[-1]["target_lang"] == sent


def test_supports_follows_the_accounts_language_list(deepl_engine, deepl_fake):
    del deepl_fake.target_languages["ZH-HANT"]

    assert deepl_engine.supports("en", "zh-Hans")
    assert not deepl_engine.supports("en", "zh-Hant")
    assert not deepl_engine.supports("en", "ca")
    assert not deepl_engine.supports("xx", "es")
    with pytest.raises(Unsupported):
        deepl_engine.translate_batch(["Hello"], "en", "zh-Hant")
    # The lists are fetched once, not per call.
    assert len(deepl_fake.requests_to("/v2/languages")) == 2


def test_fake_speaks_form_encoded_translate(deepl_fake):
    response = requests.post(f"{deepl_fake.url}/v2/translate",
                             data={"text": ["Your refund", "Your order"], "target_lang": "ES",
                                   "show_billed_characters": "1"},
                             headers={"Authorization": f"DeepL-Auth-Key {deepl_fake.auth_key}"}, timeout=5)

    assert [t["text"] for t in response.json()["translations"]] == ["Su reembolso", "Su pedido"]
    assert [t["billed_characters"] for t in response.json()["translations"]] == [11, 10]
