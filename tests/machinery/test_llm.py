"""LLM engine, through the official openai client against the local chat-completions fake."""

from __future__ import annotations

import json

import pytest

from machinery.base import (
    AuthFailed,
    BadResponse,
    EngineError,
    EngineGlossary,
    EngineTimeout,
    EngineUnavailable,
    RateLimited,
    Refused,
    Unsupported,
)
from machinery.llm import LLMEngine, response_schema
from tests.engine_contract import EngineContract

REFUNDS = EngineGlossary(name="support", source_lang="en", target_lang="es",
                         entries={"refund": "devolución", "Acme Cloud": "Acme Cloud", "invoice": "factura"},
                         do_not_translate=("Acme Cloud",), checksum="a1b2c3d4e5f6a7b8", forbidden=("reintegro",))


class TestLLMContract(EngineContract):
    """The engine contract, met through the openai client against the chat-completions fake."""

    engine_class = LLMEngine
    timeout_setting = "LLM_TIMEOUT"
    bills = "tokens"

    @pytest.fixture
    def settings(self, llm_settings):
        return llm_settings

    @pytest.fixture
    def vendor(self, openai_fake):
        return openai_fake

    def test_keeps_markup(self, engine):
        pytest.skip("HTML goes to the model as it is (the engine masks no tags), and the chat fake translates "
                    "word for word through tags (<a> becomes <un>); test_html_keeps_its_markup checks the prompt")

    def script_auth_failure(self, vendor, tmp_path):
        return {"LLM_API_KEY": "sk-stolen"}

    def script_quota_exceeded(self, vendor, tmp_path):
        vendor.fail_next(429, body={"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                                              "param": None, "code": "insufficient_quota"}}, path="/chat/completions")
        return {}

    def script_rate_limit(self, vendor, tmp_path):
        vendor.fail_next(429, headers={"Retry-After": "7"}, path="/chat/completions")
        return {}

    def script_server_error(self, vendor, tmp_path):
        vendor.fail_next(503, path="/chat/completions")
        return {}

    def script_hang(self, vendor, tmp_path):
        vendor.hang_next(5, path="/chat/completions")
        return {}


def system_prompt(body):
    return next(m["content"] for m in body["messages"] if m["role"] == "system")


def user_request(body):
    return json.loads(body["messages"][-1]["content"])


def test_batches_of_at_most_twenty_texts_keep_their_order(llm_engine, openai_fake):
    texts = [f"Your order {i}" for i in range(45)]

    out = llm_engine.translate_batch(texts, "en", "es")

    assert [len(user_request(body)["segments"]) for body in openai_fake.completions()] == [20, 20, 5]
    assert [t.text for t in out] == [f"Su pedido {i}" for i in range(45)]
    assert {t.engine for t in out} == {"llm"}


def test_batches_ask_for_structured_output_with_one_translation_per_segment(llm_engine, openai_fake):
    llm_engine.translate_batch(["Your refund", "Your order", "Thanks"], "en", "es")

    [body] = openai_fake.completions()
    assert body["model"] == "tolk-test-model"
    assert body["response_format"] == response_schema(3)
    schema = body["response_format"]["json_schema"]["schema"]["properties"]["translations"]
    assert schema["minItems"] == schema["maxItems"] == 3
    assert user_request(body) == {"source_language": "en", "target_language": "es",
                                  "segments": ["Your refund", "Your order", "Thanks"]}


@pytest.mark.parametrize(("formality", "word", "told"), [
    ("formal", "usted", "Address the customer formally (usted, never tú/vosotros)."),
    ("informal", "tú", "Address the customer informally (tú/vosotros, never usted)."),
])
def test_register_reaches_the_prompt_and_the_answer(llm_engine, openai_fake, formality, word, told):
    [out] = llm_engine.translate_batch(["Thank you"], "en", "es", formality=formality)

    assert told in system_prompt(openai_fake.completions()[-1])
    assert out.text == f"Gracias {word}"


def test_prompt_carries_terms_that_apply_tone_rules_and_ticket_context(llm_engine, openai_fake):
    llm_engine.translate_batch(["Your refund for Acme Cloud is on its way"], "en", "es", glossary=REFUNDS,
                               tone=["Do not suggest other products, upgrades or offers."],
                               context="Where is my money? I returned the parcel a week ago.")

    prompt = system_prompt(openai_fake.completions()[-1])
    assert 'Translate "refund" as "devolución".' in prompt
    assert "invoice" not in prompt  # a term the text does not use is left out
    assert 'Never use these terms: "reintegro"' in prompt
    assert "Tone: Do not suggest other products, upgrades or offers." in prompt
    assert "Where is my money? I returned the parcel a week ago." in prompt
    assert "Spanish (es)" in prompt and "English (en)" in prompt


def test_glossary_terms_go_to_the_model_instead_of_being_masked(llm_engine, openai_fake):
    [out] = llm_engine.translate_batch(["Your refund"], "en", "es", glossary=REFUNDS)

    assert user_request(openai_fake.completions()[-1])["segments"] == ["Your refund"]
    assert out.native_glossary
    assert out.text == "Su reembolso"  # the fake ignores prompts; a real model follows them


def test_customer_data_never_reaches_the_model_and_comes_back(llm_engine, openai_fake):
    pii = ["jan.kowalski@example.com", "+48 601 234 567", "4111 1111 1111 1111", "ORD-1234567"]
    text = ("Hello {{customer_name}}, your refund for ORD-1234567 is ready. We will call +48 601 234 567 "
            "or write to jan.kowalski@example.com. Card 4111 1111 1111 1111. See https://shop.example/refund?id=1")

    [out] = llm_engine.translate_batch([text], "en", "es")

    for value in [*pii, "{{customer_name}}", "https://shop.example/refund?id=1"]:
        assert value in out.text
    assert out.text.startswith("Hola {{customer_name}}, su reembolso por ORD-1234567 está listo.")
    recorded = "\n".join(r.text for r in openai_fake.requests)
    for value in pii:
        assert value not in recorded
    assert out.lost_spans == []


def test_html_keeps_its_markup(llm_engine, openai_fake):
    html = '<p class="lead">Your <b>refund</b> is <a href="https://shop.example/r?id=7&amp;x=1">here</a>.</p>'

    [out] = llm_engine.translate_batch([html], "en", "es", fmt="html")

    assert "HTML" in system_prompt(openai_fake.completions()[-1])
    assert out.text.startswith('<p class="lead">Su <b>reembolso</b>')


def test_tokens_are_metered(llm_engine, openai_fake):
    out = llm_engine.translate_batch(["Your refund", "Thanks for your patience"], "en", "es")

    [body] = openai_fake.completions()
    prompt_chars = sum(len(m["content"]) for m in body["messages"])
    assert out[0].input_tokens == prompt_chars // 4 and out[0].output_tokens > 0
    assert (out[1].input_tokens, out[1].output_tokens) == (0, 0)  # a batch's tokens ride on its first segment
    assert [t.billed_characters for t in out] == [0, 0]


def test_health_makes_no_request_and_hides_the_key(llm_engine, openai_fake):
    report = llm_engine.health()

    assert report == {"configured": True, "model": "tolk-test-model", "server_url": f"{openai_fake.url}/v1"}
    assert openai_fake.api_key not in json.dumps(report)
    assert openai_fake.requests == []


def test_unconfigured_without_model_or_server():
    assert not LLMEngine.from_settings({}).is_configured()
    assert not LLMEngine.from_settings({"LLM_MODEL": "m"}).is_configured()
    assert LLMEngine.from_settings({"LLM_MODEL": "m", "LLM_BASE_URL": "http://127.0.0.1:11434/v1"}).is_configured()


def test_supports_the_installations_languages_only(llm_engine):
    assert llm_engine.supports("en", "es-MX") and llm_engine.supports("de", "zh-Hant")
    assert not llm_engine.supports("en", "ja") and not llm_engine.supports("en", "en-GB")
    with pytest.raises(Unsupported):
        llm_engine.translate_batch(["Hello"], "en", "ja")


# --- bad answers: asked again once, then the engine fails --------------------------------------

@pytest.mark.parametrize(("content", "problem"), [
    ('{"translations": ["Su reembolso"', "not JSON"),
    ('{"translations": ["Su reembolso", "Su pedido"]}', "2 translations for 1 segments"),
    ('{"result": "Su reembolso"}', "without a list of translations"),
    ('{"translations": ["Su reembolso para"]}', "protected tokens"),
    ('{"translations": ["Su reembolso para [[1]] [[1]]"]}', "protected tokens"),
])
def test_a_bad_answer_is_asked_again_once_then_fails(llm_engine, openai_fake, content, problem):
    openai_fake.answer_next(content, times=2)

    with pytest.raises(BadResponse, match=problem) as caught:
        llm_engine.translate_batch(["Your refund for ORD-1234567"], "en", "es")

    assert not caught.value.retryable  # the router fails over at once
    assert len(openai_fake.completions()) == 2


def test_a_second_good_answer_is_used(llm_engine, openai_fake):
    openai_fake.answer_next('{"translations": ["Su reembolso para"]}')  # the order number's token dropped

    [out] = llm_engine.translate_batch(["Your refund for ORD-1234567"], "en", "es")

    assert out.text == "Su reembolso por ORD-1234567"
    assert len(openai_fake.completions()) == 2
    assert out.input_tokens > 0  # both attempts are metered


def test_an_answer_cut_off_at_the_token_limit_is_bad(llm_engine, openai_fake):
    openai_fake.answer_next('{"translations": ["Su reem', finish_reason="length", times=2)

    with pytest.raises(BadResponse, match="token limit"):
        llm_engine.translate_batch(["Your refund"], "en", "es")


@pytest.mark.parametrize(("refusal", "finish_reason"), [("I can't help with that.", "stop"),
                                                        (None, "content_filter")])
def test_a_refusal_fails_over_without_asking_again(llm_engine, openai_fake, refusal, finish_reason):
    openai_fake.answer_next(None, refusal=refusal, finish_reason=finish_reason)

    with pytest.raises(Refused) as caught:
        llm_engine.translate_batch(["Your refund"], "en", "es")

    assert not caught.value.retryable
    assert len(openai_fake.completions()) == 1


# --- errors ---------------------------------------------------------------------------------

def test_rate_limit_is_reported_with_retry_after_and_not_retried(llm_engine, openai_fake):
    openai_fake.fail_next(429, headers={"Retry-After": "7"}, path="/chat/completions")

    with pytest.raises(RateLimited) as caught:
        llm_engine.translate_batch(["Your refund"], "en", "es")

    assert caught.value.retry_after == 7.0
    assert caught.value.retryable
    assert len(openai_fake.completions()) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable_and_not_retried(llm_engine, openai_fake, status):
    openai_fake.fail_next(status, path="/chat/completions")

    with pytest.raises(EngineUnavailable):
        llm_engine.translate_batch(["Your refund"], "en", "es")
    assert len(openai_fake.completions()) == 1


def test_hanging_server_times_out(llm_settings, openai_fake, pii_protector):
    engine = LLMEngine.from_settings({**llm_settings, "LLM_TIMEOUT": 0.5}, protector=pii_protector)
    openai_fake.hang_next(5, path="/chat/completions")

    with pytest.raises(EngineTimeout):
        engine.translate_batch(["Your refund"], "en", "es")
    assert len(openai_fake.completions()) == 1
    engine.close()


@pytest.mark.parametrize("body", [b'{"choices": [', b'{"choices": []}', b"<html>Bad gateway</html>"])
def test_malformed_response_is_a_bad_response(llm_engine, openai_fake, body):
    openai_fake.malformed_next(body, times=2, path="/chat/completions")

    with pytest.raises(BadResponse):
        llm_engine.translate_batch(["Your refund"], "en", "es")


def test_wrong_key_is_an_auth_failure(llm_settings, openai_fake):
    engine = LLMEngine.from_settings({**llm_settings, "LLM_API_KEY": "sk-stolen"})

    with pytest.raises(AuthFailed) as caught:
        engine.translate_batch(["Your refund"], "en", "es")
    assert "sk-stolen" not in str(caught.value)
    engine.close()


def test_unknown_model_is_an_engine_error(llm_settings, openai_fake):
    engine = LLMEngine.from_settings({**llm_settings, "LLM_MODEL": "no-such-model"})

    with pytest.raises(EngineError, match="404"):
        engine.translate_batch(["Your refund"], "en", "es")
    engine.close()


def test_unreachable_server_is_unavailable(llm_settings, openai_fake):
    engine = LLMEngine.from_settings(llm_settings)
    openai_fake.stop()

    assert engine.supports("en", "es")  # no request needed
    with pytest.raises(EngineUnavailable):
        engine.translate_batch(["Your refund"], "en", "es")
    engine.close()
