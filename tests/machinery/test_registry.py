"""The engine registry: an engine without its required setting is listed, never tried, never imported."""

from __future__ import annotations

import subprocess
import sys

from machinery.registry import ENGINES, build_engines


def test_unconfigured_vendors_are_listed_with_the_setting_to_set():
    engines = build_engines({"DEEPL_AUTH_KEY": None, "GOOGLE_PROJECT": "", "LLM_MODEL": ""})
    assert set(engines) == set(ENGINES)
    assert engines["deepl"].health() == {"configured": False, "missing_setting": "TOLK_DEEPL_AUTH_KEY"}
    assert engines["google"].health() == {"configured": False, "missing_setting": "TOLK_GOOGLE_PROJECT"}
    assert engines["llm"].health() == {"configured": False, "missing_setting": "TOLK_LLM_MODEL"}
    assert not engines["deepl"].supports("en", "es")
    assert engines["deepl"].name == "deepl"


def test_a_configured_vendor_is_built_from_its_module():
    engines = build_engines({"DEEPL_AUTH_KEY": "key:fx", "DEEPL_SERVER_URL": "http://127.0.0.1:9"})
    assert type(engines["deepl"]).__name__ == "DeepLEngine"
    assert engines["deepl"].is_configured()


def test_building_engines_without_vendor_keys_imports_no_vendor_client():
    # A fresh interpreter: the test process has imported the clients already.
    code = ("import sys; from machinery.registry import build_engines; build_engines({}); "
            "print(sorted(m for m in ('deepl', 'google.cloud.translate_v3', 'openai') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
