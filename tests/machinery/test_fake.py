"""The deterministic test engine: it meets the engine contract and serves the translator in tests."""

from __future__ import annotations

import pytest

from machinery.base import EngineGlossary
from machinery.fake import FakeEngine
from machinery.service import services
from tests.engine_contract import EngineContract
from tolk.config import load
from tolk.db import db

NO_VENDOR = "the fake engine has no vendor: there is no vendor error to map"


class TestFakeContract(EngineContract):
    """The engine contract; the vendor-error items need a vendor."""

    engine_class = FakeEngine
    unsupported_pair = ("en", "en")

    @pytest.fixture
    def settings(self):
        return {"TESTING": True}

    def script_auth_failure(self, vendor, tmp_path):
        pytest.skip(NO_VENDOR)

    def script_quota_exceeded(self, vendor, tmp_path):
        pytest.skip(NO_VENDOR)

    def script_rate_limit(self, vendor, tmp_path):
        pytest.skip(NO_VENDOR)

    def script_server_error(self, vendor, tmp_path):
        pytest.skip(NO_VENDOR)

    def script_hang(self, vendor, tmp_path):
        pytest.skip(NO_VENDOR)


def test_translation_is_the_text_marked_with_its_target_and_glossary_terms_applied():
    engine = FakeEngine(enabled=True)
    glossary = EngineGlossary(name="support", source_lang="en", target_lang="es", entries={"refund": "devolución"})

    [out] = engine.translate_batch(["Hi {name}, your <b>refund</b> is ready."], "en", "es", glossary=glossary,
                                   fmt="html")

    assert out.text == "[es] Hi {name}, your <b>devolución</b> is ready."
    assert "{name}" not in engine.sent[0][0]  # the placeholder travelled as a token


def test_only_a_testing_app_can_use_it_and_no_default_route_names_it():
    assert not FakeEngine.from_settings({}).is_configured()
    assert "fake" not in load(environ={})["ENGINE_ROUTES"]


@pytest.fixture
def app_config():
    return {"ENGINE_ROUTES": "*=fake"}


def test_the_translator_service_translates_with_it(app):
    with app.app_context():
        [result] = services(app).translator.translate(db.session, ["Your order {id} has shipped."], "en", "de")

    assert (result.text, result.engine) == ("[de] Your order {id} has shipped.", "fake")
    assert result.billed_characters > 0
