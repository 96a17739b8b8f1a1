"""Fixtures for the vendor engines: local DeepL and Google fakes and engines pointed at them."""

from __future__ import annotations

import pytest

from machinery.deepl import DeepLEngine
from machinery.google import GoogleEngine
from machinery.protection import Protector, parse_pii_patterns
from tests.fakes.deepl_server import DeepLFake
from tests.fakes.google_server import GoogleTranslateFake

# The shipped default of TOLK_PII_PATTERNS.
PII_PATTERNS = r"order_number=\b(?:ORD|ORDER)-?\d{5,12}\b"
BRAND_GLOSSARY = "projects/tolk-test/locations/us-central1/glossaries/brand-en-es"


@pytest.fixture
def pii_protector() -> Protector:
    return Protector(parse_pii_patterns(PII_PATTERNS))


@pytest.fixture
def deepl_fake():
    with DeepLFake() as fake:
        yield fake


@pytest.fixture
def deepl_settings(deepl_fake):
    return {"DEEPL_AUTH_KEY": deepl_fake.auth_key, "DEEPL_SERVER_URL": deepl_fake.url, "ENGINE_TIMEOUT": 5.0}


@pytest.fixture
def deepl_engine(deepl_settings, pii_protector):
    engine = DeepLEngine.from_settings(deepl_settings, protector=pii_protector)
    yield engine
    engine.close()


@pytest.fixture
def google_fake():
    with GoogleTranslateFake() as fake:
        fake.add_glossary(BRAND_GLOSSARY, "en", "es", {"refund": "devolución", "Acme Cloud": "Acme Cloud"})
        yield fake


@pytest.fixture
def google_settings(google_fake):
    return {"GOOGLE_PROJECT": "tolk-test", "GOOGLE_LOCATION": "global", "GOOGLE_API_ENDPOINT": google_fake.url,
            "GOOGLE_GLOSSARIES": f"brand:en-es={BRAND_GLOSSARY}", "ENGINE_TIMEOUT": 5.0}


@pytest.fixture
def google_engine(google_settings, pii_protector):
    engine = GoogleEngine.from_settings(google_settings, protector=pii_protector)
    yield engine
    engine.close()
