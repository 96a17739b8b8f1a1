"""The Apertium engine against the real installed ``apertium`` pairs (eng-spa, eng-cat)."""

from __future__ import annotations

import os
import re
import signal
import threading
from pathlib import Path

import pytest

from machinery.apertium import ApertiumEngine, discover_modes
from machinery.base import EngineTimeout, EngineUnavailable, Unsupported
from machinery.protection import Protector
from tests.engine_contract import EngineContract

pytestmark = pytest.mark.skipif(not discover_modes("/usr/share/apertium/modes"),
                                reason="Apertium pairs are not installed")

SUPPORT_SENTENCES = [
    "Your refund was processed.",
    "Your refund was processed",
    "Have you tried restarting the app?",
    "Thanks for your patience!",
    "We shipped your order. It should arrive on Monday.",
    "Please restart the app and log in again",
    "Mr. Smith approved the exchange.",
    "Click here to reset your password...",
    "Please contact Zorblax support for a new invoice.",
    "Dear customer,\n\nwe are sorry for the delay.\n\nBest regards\nAnna",
]


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


@pytest.fixture(scope="module")
def engine():
    eng = ApertiumEngine(protector=Protector(), timeout=30)
    yield eng
    eng.close()


def fake_modes(tmp_path: Path, script: str) -> Path:
    """A modes folder whose eng-spa mode runs ``script`` instead of a real pair."""
    program = tmp_path / "program.sh"
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(0o755)
    modes = tmp_path / "modes"
    modes.mkdir()
    (modes / "eng-spa.mode").write_text(f"'{program}'\n")
    return modes


class TestApertiumContract(EngineContract):
    """The engine contract, met by the installed pairs; broken installs are fake mode folders."""

    engine_class = ApertiumEngine
    bills = "nothing"
    batch_count = 60  # one pipeline exchange takes up to 1000 segments

    @pytest.fixture
    def settings(self):
        return {}

    def script_auth_failure(self, vendor, tmp_path):
        pytest.skip("Apertium runs locally: there is no key to refuse")

    def script_quota_exceeded(self, vendor, tmp_path):
        pytest.skip("Apertium runs locally: there is no quota to run out of")

    def script_rate_limit(self, vendor, tmp_path):
        pytest.skip("Apertium runs locally: there is no rate limit")

    def script_server_error(self, vendor, tmp_path):
        return {"APERTIUM_MODES_DIR": str(fake_modes(tmp_path, "echo broken mode >&2; exit 3"))}

    def script_hang(self, vendor, tmp_path):
        return {"APERTIUM_MODES_DIR": str(fake_modes(tmp_path, "exec sleep 600"))}


def test_english_to_spanish(engine):
    [out] = engine.translate_batch(["Your refund was processed."], "en", "es")
    assert "reembolso" in out.text
    assert out.text.endswith(".")
    assert out.engine == "apertium" and out.billed_characters == 0


def test_english_to_catalan(engine):
    [out] = engine.translate_batch(["Your refund was processed"], "en", "ca")
    assert "reemborsament" in out.text
    assert not out.text.endswith(".")


def test_valencian_locale_uses_the_valencian_mode(engine):
    assert engine.mode_for("en", "ca-valencia") == "eng-cat_valencia"
    assert engine.mode_for("en", "ca-ES") == "eng-cat"
    [out] = engine.translate_batch(["We will call you tomorrow."], "en", "ca-valencia")
    assert "demà" in out.text


@pytest.mark.parametrize("text", SUPPORT_SENTENCES)
def test_pipeline_matches_the_apertium_command(engine, text):
    [out] = engine.translate_batch([text], "en", "es")
    protected = engine.protector.find(text)
    if protected:
        # A name ("Mr. Smith", a signature) travels as a token: it comes back as written, the rest as Apertium says.
        assert [s.kind for s in protected] == ["pii:name"] and protected[0].original in out.text
    else:
        assert out.text == engine.translate_one_shot(text, "eng-spa", "txt")
    assert not re.search(r"[*#@]\w", out.text), "unknown-word marks must be off"


def test_html_matches_the_apertium_command(engine):
    html = "<p>Your <b>refund</b> was processed</p><ul><li>Open the app</li><li>Tap Orders.</li></ul>"
    [out] = engine.translate_batch([html], "en", "es", fmt="html")
    assert out.text == engine.translate_one_shot(html, "eng-spa", "html")


def test_html_keeps_tags(engine):
    [out] = engine.translate_batch(['<p>Your <a href="https://x.example/r?a=1&amp;b=2">refund</a> was '
                                    "<b>processed</b>.</p>"], "en", "es", fmt="html")
    assert out.text.startswith("<p>") and out.text.endswith("</p>")
    assert '<a href="https://x.example/r?a=1&amp;b=2">' in out.text
    assert "<b>" in out.text and "</b>" in out.text and "reembolso" in out.text


@pytest.mark.parametrize(("text", "kept"), [
    ("Press [x] to close the window.", "[x]"),
    ("Open the folder C:\\tmp\\x1 on your disk.", "C:\\tmp\\x1"),
    ("The fee is $5 per month.", "$5"),
    ("Type ^ and then the number.", "^"),
    ("Use the @ sign in the name.", "@"),
    ("An empty {} means no filter.", "{}"),
    ("Do not type <> in the field.", "<>"),
    ("Use the / key, then the ] key.", "/"),
])
def test_stream_special_characters_survive(engine, text, kept):
    [out] = engine.translate_batch([text], "en", "es")
    assert kept in out.text
    assert not out.lost_spans


def test_placeholders_emails_and_urls_come_back_exactly(engine):
    text = "Hi {name}, write to help@example.com or open https://example.com/orders?id=42&x=[1] today."
    [out] = engine.translate_batch([text], "en", "es")
    for kept in ("{name}", "help@example.com", "https://example.com/orders?id=42&x=[1]"):
        assert kept in out.text
    assert not out.lost_spans
    assert "Hola" in out.text


def test_unicode_survives(engine):
    [out] = engine.translate_batch(["Your café order “Ünïcode” ships today 😀 — ok"], "en", "es")
    for kept in ("“", "”", "😀", "—"):
        assert kept in out.text


def test_empty_and_whitespace_segments(engine):
    outs = engine.translate_batch(["", "   ", "Thanks!", "\n"], "en", "es")
    assert [o.text for o in outs] == ["", "   ", "Gracias!", "\n"]


def test_two_hundred_segments_come_back_in_order(engine):
    texts = [f"Order {i} has shipped" + ("." if i % 2 else "") for i in range(200)]
    outs = engine.translate_batch(texts, "en", "es")
    assert len(outs) == 200
    for i, out in enumerate(outs):
        assert re.findall(r"\d+", out.text) == [str(i)]
        assert out.text.endswith(".") == bool(i % 2)


def test_concurrent_batches_get_their_own_answers(engine):
    results: dict[int, list[str]] = {}

    def run(n: int) -> None:
        texts = [f"Ticket {n * 100 + i} was closed." for i in range(30)]
        results[n] = [t.text for t in engine.translate_batch(texts, "en", "es")]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in range(4):
        assert [re.findall(r"\d+", t) for t in results[n]] == [[str(n * 100 + i)] for i in range(30)]


def test_pipeline_persists_between_batches(engine):
    engine.translate_batch(["Hello"], "en", "es")
    pid = engine.pipeline("eng-spa").pid
    engine.translate_batch(["Goodbye"], "en", "es")
    assert engine.pipeline("eng-spa").pid == pid
    assert engine.health()["pipelines"]["eng-spa"] is True
    assert engine.characters_sent > 0


def test_supported_pairs(engine):
    assert engine.supports("en", "es")
    assert engine.supports("en-GB", "es-MX")
    assert engine.supports("es", "en-US") and engine.mode_for("es", "en-US") == "spa-eng_US"
    assert not engine.supports("en", "pl")
    assert not engine.supports("", "es")
    assert ("en", "es") in engine.language_pairs() and ("en", "ca-valencia") in engine.language_pairs()
    with pytest.raises(Unsupported):
        engine.translate_batch(["Hello"], "en", "pl")


def test_pipeline_restarts_after_its_process_is_killed():
    eng = ApertiumEngine(timeout=30)
    try:
        eng.translate_batch(["Hello"], "en", "es")
        pipeline = eng.pipeline("eng-spa")
        old = pipeline.pid
        os.killpg(old, signal.SIGKILL)
        [out] = eng.translate_batch(["Your refund was processed."], "en", "es")
        assert "reembolso" in out.text
        assert pipeline.pid != old and pipeline.starts == 2
    finally:
        eng.close()


def test_close_leaves_no_child_process():
    eng = ApertiumEngine(timeout=30)
    eng.translate_batch(["Hello"], "en", "es")
    eng.translate_batch(["Hello"], "en", "ca")
    groups = [eng.pipeline("eng-spa").pid, eng.pipeline("eng-cat").pid]
    assert all(group_members(g) for g in groups)
    eng.close()
    assert [group_members(g) for g in groups] == [[], []]
    assert eng.health()["pipelines"] == {"eng-cat": False, "eng-spa": False}


def test_a_pipeline_that_keeps_dying_is_unavailable(tmp_path):
    eng = ApertiumEngine(modes_dir=str(fake_modes(tmp_path, "echo broken mode >&2; exit 3")), timeout=5)
    try:
        with pytest.raises(EngineUnavailable, match="broken mode|failed twice"):
            eng.translate_batch(["Hello"], "en", "es")
        assert eng.pipeline("eng-spa").starts == 2
    finally:
        eng.close()


def test_a_silent_pipeline_times_out_and_is_killed(tmp_path):
    eng = ApertiumEngine(modes_dir=str(fake_modes(tmp_path, "exec sleep 600")), timeout=0.5)
    try:
        pipeline = eng.pipeline("eng-spa")
        with pytest.raises(EngineTimeout):
            eng.translate_batch(["Hello"], "en", "es")
        assert not pipeline.running
        assert pipeline.pid is not None and group_members(pipeline.pid) == []
    finally:
        eng.close()


def test_the_one_shot_path_rejects_unknown_formats(engine):
    with pytest.raises(ValueError, match="fmt"):
        engine.translate_one_shot("Hello", "eng-spa", "docx")


def test_no_modes_means_not_configured(tmp_path):
    eng = ApertiumEngine(modes_dir=str(tmp_path / "nothing"))
    assert not eng.is_configured()
    assert eng.language_pairs() == []
