"""Fixtures for the vendor engines pointed at the local fakes (the fakes are in tests/conftest.py), and a
throw-away SQLite database of the translation memory's tables."""

from __future__ import annotations

import pytest

import machinery.models  # noqa: F401  (registers the tables)
from machinery.deepl import DeepLEngine
from machinery.google import GoogleEngine
from machinery.llm import LLMEngine
from machinery.protection import Protector, parse_pii_patterns
from tolk.db import Base, make_engine

# The shipped default of TOLK_PII_PATTERNS.
PII_PATTERNS = r"order_number=\b(?:ORD|ORDER)-?\d{5,12}\b"


@pytest.fixture
def engine(tmp_path):
    """A SQLAlchemy engine of a fresh SQLite file with every table (test_apertium's ``engine`` is its own)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tm.db'}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


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
