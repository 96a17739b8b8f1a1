"""The protected-content check: code, kbd, samp, pre and translate="no" content kept verbatim."""

from __future__ import annotations

import pytest

from lqa.checks import CHECKS, Segment, run_checks, untranslatable_spans

SOURCE = '<p>Type <code>RESET-{code}</code> and press <kbd>Enter</kbd>.</p>'


def found(source: str, target: str, fmt: str = "html") -> list[str]:
    return [f.data["element"] for f in CHECKS["protected_content"]().run(Segment(source, target, "en", "es", fmt=fmt))]


@pytest.mark.parametrize(("source", "target", "flagged"), [
    (SOURCE, '<p>Escribe <code>RESET-{code}</code> y pulsa <kbd>Enter</kbd>.</p>', []),
    (SOURCE, '<p>Escribe <code>REINICIALIZACIÓN-{code}</code> y pulsa <kbd>Enter</kbd>.</p>',
     ["<code>RESET-{code}</code>"]),
    (SOURCE, '<p>Escribe <code>RESET-{code}</code> y pulsa Intro.</p>', ["<kbd>Enter</kbd>"]),
    ('<p>Run <samp>ok: 3 files</samp>.</p>', '<p>Ejecuta <samp>ok: 3 ficheros</samp>.</p>', ["<samp>ok: 3 files</samp>"]),
    ('<p>Open <span translate="no">Acme Cloud</span>.</p>', '<p>Abre <span translate="no">Acme Nube</span>.</p>',
     ['<span translate="no">Acme Cloud</span>']),
    ('<p>Open <b class="notranslate">Acme <i>Cloud</i></b>.</p>', '<p>Abre <b class="notranslate">Acme <i>Cloud</i></b>.</p>', []),
    ('<pre><code>rm -rf build</code></pre>', '<pre><code>rm -rf construir</code></pre>',
     ["<pre><code>rm -rf build</code></pre>"]),
    ("<p>Plain text, nothing protected.</p>", "<p>Texto plano.</p>", []),
])
def test_untranslatable_content_must_come_back_verbatim(source, target, flagged):
    assert found(source, target) == flagged


def test_a_text_segment_is_not_read_as_html():
    assert found("Type <code>x</code>", "Escribe <code>y</code>", fmt="text") == []


def test_the_same_element_twice_must_be_kept_twice():
    source = "<p><kbd>Ctrl</kbd> and <kbd>Ctrl</kbd></p>"
    assert found(source, "<p><kbd>Ctrl</kbd> y <kbd>Control</kbd></p>") == ["<kbd>Ctrl</kbd>"]


def test_spans_are_outermost_and_nested_elements_of_the_same_name_are_matched():
    html = '<p><span translate="no">a <span>b</span> c</span> d <code>x</code></p>'
    assert [html[a:b] for a, b in untranslatable_spans(html)] == [
        '<span translate="no">a <span>b</span> c</span>', "<code>x</code>"]


def test_a_change_is_critical_in_the_full_run():
    findings = run_checks(Segment(SOURCE, SOURCE.replace("RESET", "REINICIO"), "en", "es", fmt="html"))
    assert [(f.check, f.severity.value) for f in findings if f.check == "protected_content"] == [
        ("protected_content", "critical")]
