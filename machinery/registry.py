"""The engine registry: engine names to classes, and building the configured engines of an app."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from machinery.base import Engine
from machinery.protection import Protector, parse_pii_patterns

#: Engine name -> "module:Class". Modules are imported when the engines are built (first translation in
#: a process), so importing machinery never pulls in the vendor client libraries.
ENGINES: dict[str, str] = {
    "apertium": "machinery.apertium:ApertiumEngine",
    "deepl": "machinery.deepl:DeepLEngine",
    "google": "machinery.google:GoogleEngine",
    "llm": "machinery.llm:LLMEngine",
}


def engine_class(name: str) -> type[Engine]:
    """The class registered under ``name``."""
    module, _, cls = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def protector_from(settings: Mapping[str, Any]) -> Protector:
    """The text protector with the installation's extra customer-data patterns."""
    return Protector(parse_pii_patterns(settings.get("PII_PATTERNS") or ""))


def build_engines(settings: Mapping[str, Any], protector: Protector | None = None) -> dict[str, Engine]:
    """Every registered engine, constructed from ``settings`` (unconfigured ones are still listed)."""
    protector = protector or protector_from(settings)
    return {name: engine_class(name).from_settings(settings, protector=protector) for name in ENGINES}
