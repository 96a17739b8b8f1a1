"""Google Cloud Translation v3 engine, through google-cloud-translate's REST transport against the local fake."""

from __future__ import annotations

import json

import pytest

from machinery.base import (
    AuthFailed,
    BadResponse,
    EngineGlossary,
    EngineTimeout,
    EngineUnavailable,
    RateLimited,
    Unsupported,
)
from machinery.google import GoogleEngine, google_code, parse_glossaries
from tests.conftest import BRAND_GLOSSARY
from tests.engine_contract import EngineContract

BRAND = EngineGlossary(name="brand", source_lang="en", target_lang="es",
                       entries={"refund": "devolución", "Acme Cloud": "Acme Cloud"}, checksum="0123456789ab")


class TestGoogleContract(EngineContract):
    """The engine contract, met through google-cloud-translate's REST transport against the Google fake."""

    engine_class = GoogleEngine

    @pytest.fixture
    def settings(self, google_settings):
        return google_settings

    @pytest.fixture
    def vendor(self, google_fake):
        return google_fake

    def script_auth_failure(self, vendor, tmp_path):
        vendor.fail_next(401, path=":translateText")
        return {}

    def script_quota_exceeded(self, vendor, tmp_path):
        body = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                          "message": "Quota exceeded for quota metric 'Number of characters' and limit "
                                     "'characters per day' of service 'translate.googleapis.com'."}}
        vendor.fail_next(429, body=body, path=":translateText")
        return {}

    def script_rate_limit(self, vendor, tmp_path):
        vendor.fail_next(429, headers={"Retry-After": "7"}, path=":translateText")
        return {}

    def script_server_error(self, vendor, tmp_path):
        vendor.fail_next(503, path=":translateText")
        return {}

    def script_hang(self, vendor, tmp_path):
        vendor.hang_next(5, path=":translateText")
        return {}


def translate_bodies(fake):
    return [r.body for r in fake.requests if r.path.endswith(":translateText")]


def test_batches_of_at_most_128_segments_keep_their_order(google_engine, google_fake):
    texts = [f"Your order {i}" for i in range(300)]

    out = google_engine.translate_batch(texts, "en", "es")

    assert [len(b["contents"]) for b in translate_bodies(google_fake)] == [128, 128, 44]
    assert [t.text for t in out] == [f"Su pedido {i}" for i in range(300)]


def test_requests_stay_under_the_codepoint_limit(google_engine, google_fake):
    long_text = "Your refund " * 1000  # 12,000 codepoints

    out = google_engine.translate_batch([long_text] * 3, "en", "es")

    assert [len(b["contents"]) for b in translate_bodies(google_fake)] == [2, 1]
    assert all(t.text.startswith("Su reembolso Su reembolso") for t in out)


def test_request_shape(google_engine, google_fake):
    google_engine.translate_batch(["Where is my order?"], "en", "de")

    [body] = translate_bodies(google_fake)
    assert google_fake.requests[-1].path == "/v3/projects/tolk-test/locations/global:translateText"
    assert body["mimeType"] == "text/html"
    assert body["sourceLanguageCode"] == "en" and body["targetLanguageCode"] == "de"
    assert "glossaryConfig" not in body


def test_configured_glossary_reaches_google_and_its_translations_are_used(google_engine, google_fake):
    [out] = google_engine.translate_batch(["Your refund for Acme Cloud"], "en", "es", glossary=BRAND)

    [body] = translate_bodies(google_fake)
    assert body["glossaryConfig"]["glossary"] == BRAND_GLOSSARY
    # Glossaries are regional: the request goes to the glossary's location, not the default one.
    assert google_fake.requests[-1].path == "/v3/projects/tolk-test/locations/us-central1:translateText"
    assert out.text == "Su devolución por Acme Cloud"
    assert out.native_glossary


def test_unconfigured_glossary_masks_its_terms(google_engine, google_fake):
    german = EngineGlossary(name="brand", source_lang="en", target_lang="de", entries={"refund": "Gutschrift"})

    [out] = google_engine.translate_batch(["Your refund is ready"], "en", "de", glossary=german)

    assert out.text == "Dein Gutschrift ist bereit"
    assert not out.native_glossary
    [body] = translate_bodies(google_fake)
    assert "glossaryConfig" not in body
    assert "Gutschrift" not in body["contents"][0] and "refund" not in body["contents"][0]


def test_html_keeps_its_markup(google_engine):
    html = '<p>Your <b>refund</b> is <a href="https://shop.example/r?id=7&amp;x=1">here</a>.</p>'

    [out] = google_engine.translate_batch([html], "en", "es", fmt="html")

    assert out.text == '<p>Su <b>reembolso</b> está <a href="https://shop.example/r?id=7&amp;x=1">aquí</a>.</p>'


def test_plain_text_with_markup_characters_comes_back_as_written(google_engine, google_fake):
    [out] = google_engine.translate_batch(["Your refund < 5 & <b> stays"], "en", "es")

    assert out.text == "Su reembolso < 5 & <b> stays"
    assert translate_bodies(google_fake)[-1]["contents"] == ["Your refund &lt; 5 &amp; &lt;b&gt; stays"]


def test_customer_data_never_reaches_google_and_comes_back(google_engine, google_fake):
    pii = ["jan.kowalski@example.com", "+48 601 234 567", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00",
           "ORD-1234567"]
    text = ("Hello {{customer_name}}, your refund for ORD-1234567 is ready. We will call +48 601 234 567 "
            "or write to jan.kowalski@example.com. Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.")

    [out] = google_engine.translate_batch([text], "en", "es")

    for value in [*pii, "{{customer_name}}"]:
        assert value in out.text
    assert out.text.startswith("Hola {{customer_name}}, su reembolso por ORD-1234567 está listo.")
    recorded = "\n".join(r.text + json.dumps(r.body, ensure_ascii=False) for r in google_fake.requests)
    for value in pii:
        assert value not in recorded
        assert value.replace(" ", "") not in recorded.replace(" ", "")


def test_billed_characters_are_the_characters_sent(google_engine, google_fake):
    out = google_engine.translate_batch(["Your refund", "Thanks & bye"], "en", "es")

    sent = translate_bodies(google_fake)[-1]["contents"]
    assert [t.billed_characters for t in out] == [len(s) for s in sent] == [11, 16]


def test_health_makes_no_request(google_engine, google_fake):
    report = google_engine.health()

    assert report == {"configured": True, "project": "(set)", "location": "global",
                      "api_endpoint": google_fake.url, "languages": "built-in", "glossaries": 1}
    assert google_fake.requests == []


def test_unconfigured_without_project():
    assert not GoogleEngine.from_settings({"GOOGLE_PROJECT": None}).is_configured()


# --- errors ---------------------------------------------------------------------------------

def test_rate_limit_is_reported_with_retry_after_and_not_retried(google_engine, google_fake):
    google_fake.fail_next(429, headers={"Retry-After": "3"}, path=":translateText")

    with pytest.raises(RateLimited) as caught:
        google_engine.translate_batch(["Your refund"], "en", "es")

    assert caught.value.retry_after == 3.0
    assert len(translate_bodies(google_fake)) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable(google_engine, google_fake, status):
    google_fake.fail_next(status, path=":translateText")

    with pytest.raises(EngineUnavailable):
        google_engine.translate_batch(["Your refund"], "en", "es")


def test_gateway_timeout_is_a_timeout(google_engine, google_fake):
    google_fake.fail_next(504, path=":translateText")

    with pytest.raises(EngineTimeout):
        google_engine.translate_batch(["Your refund"], "en", "es")


@pytest.mark.parametrize("body", [
    b'{"translations": [',
    b'{"translations": "Su reembolso"}',
    b'{"translations": []}',
])
def test_malformed_response_is_a_bad_response(google_engine, google_fake, body):
    google_fake.malformed_next(body, path=":translateText")

    with pytest.raises(BadResponse):
        google_engine.translate_batch(["Your refund"], "en", "es")


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_an_auth_failure(google_engine, google_fake, status):
    google_fake.fail_next(status, path=":translateText")

    with pytest.raises(AuthFailed):
        google_engine.translate_batch(["Your refund"], "en", "es")


def test_refused_language_is_unsupported(google_engine, google_fake):
    google_fake.fail_next(400, body={"error": {"code": 400, "message": "Target language is invalid.",
                                              "status": "INVALID_ARGUMENT"}}, path=":translateText")

    with pytest.raises(Unsupported):
        google_engine.translate_batch(["Your refund"], "en", "es")


def test_unreachable_server_is_unavailable_and_supports_stays_cheap(google_settings, google_fake):
    engine = GoogleEngine.from_settings(google_settings)
    google_fake.stop()

    assert engine.supports("en", "es")
    assert not engine.supports("en", "xx")
    with pytest.raises(EngineUnavailable):
        engine.translate_batch(["Your refund"], "en", "es")
    engine.close()


# --- languages ------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "sent"), [
    ("zh-Hant", "zh-TW"), ("zh-Hans", "zh-CN"), ("zh", "zh-CN"), ("he", "iw"), ("pt-PT", "pt-PT"),
    ("pt-BR", "pt"), ("en-GB", "en"), ("de-AT", "de"),
])
def test_language_codes_reach_google(google_engine, google_fake, target, sent):
    source = "de" if target.startswith("en") else "en"
    assert google_engine.supports(source, target)

    google_engine.translate_batch(["Hallo"], source, target)

    assert translate_bodies(google_fake)[-1]["targetLanguageCode"] == sent


def test_supports_follows_the_projects_language_list(google_engine, google_fake):
    google_fake.languages = ("en", "es")

    assert google_engine.supports("en", "es")
    assert not google_engine.supports("en", "de")
    with pytest.raises(Unsupported):
        google_engine.translate_batch(["Hello"], "en", "de")
    assert len(google_fake.requests_to("/supportedLanguages")) == 1


def test_hebrew_keeps_its_modern_code_where_listed():
    assert google_code("he", {"he", "iw"}) == "he"
    assert google_code("he", {"iw"}) == "iw"


def test_glossary_setting_is_parsed_per_pair():
    table = parse_glossaries("brand:en-es=projects/p/locations/us-central1/glossaries/b1; "
                             "brand:en-GB-pt-BR=projects/p/locations/us-central1/glossaries/b2;"
                             "legal:zh-Hant-en=projects/p/locations/us-central1/glossaries/b3")

    assert table == {("brand", "en", "es"): "projects/p/locations/us-central1/glossaries/b1",
                     ("brand", "en-gb", "pt-br"): "projects/p/locations/us-central1/glossaries/b2",
                     ("legal", "zh-hant", "en"): "projects/p/locations/us-central1/glossaries/b3"}


@pytest.mark.parametrize(("spec", "complaint"), [
    ("brand=projects/p/locations/l/glossaries/g", "entry 1"),
    ("ok:en-es=projects/p/locations/l/glossaries/g;brand:en-es=glossaries/g", "entry 2"),
    ("brand:enes=projects/p/locations/l/glossaries/g", "cannot tell source from target"),
])
def test_malformed_glossary_setting_names_the_entry(spec, complaint):
    with pytest.raises(ValueError, match=complaint):
        GoogleEngine.from_settings({"GOOGLE_PROJECT": "p", "GOOGLE_GLOSSARIES": spec})
