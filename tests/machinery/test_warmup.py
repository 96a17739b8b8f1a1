"""A long-lived worker process starts the Apertium pipelines its jobs will route to before its first job."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from machinery.service import services
from machinery.warmup import routed_apertium_modes, warm_worker_process


def broken_modes(tmp_path: Path) -> Path:
    """A modes folder whose eng-spa mode exits at once, as a broken install would."""
    program = tmp_path / "program.sh"
    program.write_text("#!/bin/sh\necho broken mode >&2; exit 3\n")
    program.chmod(0o755)
    modes = tmp_path / "modes"
    modes.mkdir()
    (modes / "eng-spa.mode").write_text(f"'{program}'\n")
    return modes


@pytest.fixture
def app_config():
    return {"ENGINE_ROUTES": "*=apertium", "LANGUAGES": ["en", "es", "ca", "ja"]}


def test_the_modes_of_the_configured_languages_routed_to_apertium(app):
    machinery = services(app)
    modes = routed_apertium_modes(machinery.router, machinery.engines, ["en", "es", "ca", "ja"])
    # Pairs without an installed mode (ja, es -> ca) are left out; each mode once.
    assert sorted(modes) == ["cat-eng", "eng-cat", "eng-spa", "spa-eng"]
    assert routed_apertium_modes(machinery.router, machinery.engines, ["ja", "de"]) == []


@pytest.mark.parametrize("app_config", [{"ENGINE_ROUTES": "es=deepl,apertium;*=apertium", "DEEPL_AUTH_KEY": "k:fx",
                                         "LANGUAGES": ["en", "es", "ca"]}])
def test_pairs_where_a_configured_vendor_comes_first_start_their_pipeline_on_first_use(app):
    machinery = services(app)
    assert sorted(routed_apertium_modes(machinery.router, machinery.engines, ["en", "es", "ca"])) == [
        "cat-eng", "eng-cat", "spa-eng"]


@pytest.mark.parametrize("app_config", [{"ENGINE_ROUTES": "*=deepl,google", "LANGUAGES": ["en", "es"]}])
def test_no_pipeline_when_no_route_names_apertium(app):
    machinery = services(app)
    assert routed_apertium_modes(machinery.router, machinery.engines, ["en", "es"]) == []
    warm_worker_process(app)
    assert machinery.engines["apertium"].health()["pipelines"] == {}


@pytest.mark.parametrize("app_config", [{"ENGINE_ROUTES": "*=apertium", "LANGUAGES": ["en", "es", "ca"]}])
def test_warming_starts_each_pipeline_once_and_the_first_translation_uses_it(app):
    warm_worker_process(app)
    engine = services(app).engines["apertium"]
    assert engine.health()["pipelines"] == {"cat-eng": True, "eng-cat": True, "eng-spa": True, "spa-eng": True}
    assert engine.translate_batch(["Open the settings page."], "en", "es")[0].text.endswith("página de encuadres.")
    assert engine.pipeline("eng-spa").starts == 1  # no second start for the first segment


def test_a_mode_that_fails_to_start_is_logged_and_does_not_stop_the_others(app, tmp_path, caplog):
    modes = broken_modes(tmp_path)
    (modes / "eng-cat.mode").write_text((Path("/usr/share/apertium/modes") / "eng-cat.mode").read_text())
    app.config["APERTIUM_MODES_DIR"] = str(modes)
    with caplog.at_level(logging.INFO, logger="machinery.warmup"):
        warm_worker_process(app)  # never raises
    engine = services(app).engines["apertium"]
    assert engine.health()["pipelines"] == {"eng-cat": True, "eng-spa": False}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "eng-spa not warmed" in warnings[0]
    assert any("warmed" in r.getMessage() and "eng-cat" in r.getMessage() for r in caplog.records
               if r.levelno == logging.INFO)
