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
    # Deterministic test engine: configured only under TESTING, in no default route.
    "fake": "machinery.fake:FakeEngine",
    "google": "machinery.google:GoogleEngine",
    "llm": "machinery.llm:LLMEngine",
}


#: The setting an engine cannot work without. While it is empty the engine is listed as not configured and
#: its module (with the vendor's client library, seconds to import) is never loaded in the process.
REQUIRED_SETTING: dict[str, str] = {
    "deepl": "DEEPL_AUTH_KEY",
    "google": "GOOGLE_PROJECT",
    "llm": "LLM_MODEL",
}


class UnconfiguredEngine(Engine):
    """A registered engine the installation has not configured: listed, never tried, never imported."""

    def __init__(self, name: str, setting: str, *, protector: Protector | None = None):
        super().__init__(protector=protector)
        self.name = name  # type: ignore[misc]  # an instance stands for the engine registered under this name
        self.setting = setting

    def is_configured(self) -> bool:
        """Never: the setting it needs is empty."""
        return False

    def supports(self, source: str, target: str) -> bool:
        """No pair: it is not configured."""
        return False

    def health(self) -> dict[str, Any]:
        """Not configured, and which setting to set."""
        return {"configured": False, "missing_setting": f"TOLK_{self.setting}"}


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
    engines: dict[str, Engine] = {}
    for name in ENGINES:
        setting = REQUIRED_SETTING.get(name)
        if setting is not None and not settings.get(setting):
            engines[name] = UnconfiguredEngine(name, setting, protector=protector)
        else:
            engines[name] = engine_class(name).from_settings(settings, protector=protector)
    return engines
