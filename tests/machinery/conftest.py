"""Fixtures for the vendor engines pointed at the local fakes (the fakes are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from machinery.deepl import DeepLEngine
from machinery.google import GoogleEngine
from machinery.llm import LLMEngine
from machinery.protection import Protector, parse_pii_patterns

# The shipped default of TOLK_PII_PATTERNS.
PII_PATTERNS = r"order_number=\b(?:ORD|ORDER)-?\d{5,12}\b"


@pytest.fixture
def pii_protector() -> Protector:
    return Protector(parse_pii_patterns(PII_PATTERNS))


@pytest.fixture
def deepl_engine(deepl_settings, pii_protector):
    engine = DeepLEngine.from_settings(deepl_settings, protector=pii_protector)
    yield engine
    engine.close()


@pytest.fixture
def google_engine(google_settings, pii_protector):
    engine = GoogleEngine.from_settings(google_settings, protector=pii_protector)
    yield engine
    engine.close()


@pytest.fixture
def llm_engine(llm_settings, pii_protector):
    engine = LLMEngine.from_settings(llm_settings, protector=pii_protector)
    yield engine
    engine.close()
