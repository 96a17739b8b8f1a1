"""Inline tags as protected tokens, and article markup checked before it goes live (tables)."""

from __future__ import annotations

import pytest

from tolk.errors import ValidationError
from workflows.kb.tokens import check_markup, markup_problems, to_html, to_tokens, token_problems

SOURCE = 'Press <strong>Save</strong>, then <a href="/x">open <em>it</em></a>.<br>'


def test_a_translation_reads_as_tokens_numbered_as_the_source_and_goes_back_to_the_source_markup():
    target = 'Naciśnij <strong>Zapisz</strong>, potem <a href="/x">otwórz <em>to</em></a>.<br>'
    text = to_tokens(target, SOURCE)
    assert text == "Naciśnij <1>Zapisz</1>, potem <2>otwórz <3>to</3></2>.<4/>"
    assert to_html(text, SOURCE, 1) == target


def test_tags_moved_by_the_translator_keep_the_source_markup():
    text = "<2>Otwórz <3>to</3></2> po <1>Zapisz</1>.<4/>"
    assert to_html(text, SOURCE, 2) == '<a href="/x">Otwórz <em>to</em></a> po <strong>Zapisz</strong>.<br>'


def test_markup_typed_as_text_is_escaped_not_markup():
    html = to_html("<1>a</1> <script>x</script> <2><3>b</3></2><4/>", SOURCE, 1)
    assert "&lt;script&gt;" in html and "<script>" not in html


@pytest.mark.parametrize(("text", "problem"), [
    ("Naciśnij <1>Zapisz, <2>otwórz <3>to</3></2>.<4/>", "</1> is missing"),
    ("<1>a</1><1>b</1> <2><3>c</3></2><4/>", "<1> appears more than once"),
    ("<1>a <2>b</1></2> <3>c</3><4/>", "</1> comes before </2>"),
    ("</1>a<1> <2><3>c</3></2><4/>", "</1> comes before <1>"),
    ("<1>a</1> <2><3>c</3></2><4/><9/>", "<9/> is not a tag of the source"),
    ("<1>a</1> <2><3>c</3></2>", "<4/> is missing"),
])
def test_lost_doubled_crossed_or_unknown_tokens_are_refused_with_the_segment_number(text, problem):
    assert any(problem in p for p in token_problems(text, SOURCE))
    with pytest.raises(ValidationError) as raised:
        to_html(text, SOURCE, 7)
    assert raised.value.message.startswith("segment 7: ")
    assert problem in raised.value.message
    assert raised.value.details["segment"] == 7


def test_an_empty_translation_is_refused():
    with pytest.raises(ValidationError, match="segment 3: the translation is empty"):
        to_html("  ", SOURCE, 3)


def test_a_tag_the_engine_added_gets_a_number_the_source_does_not_have():
    text = to_tokens("Naciśnij <strong>Zapisz</strong> <i>teraz</i>, <a href=\"/x\">otwórz <em>to</em></a>.<br>",
                     SOURCE)
    assert "<5>teraz</5>" in text
    assert "<5> is not a tag of the source" in token_problems(text, SOURCE)


@pytest.mark.parametrize(("body", "problem"), [
    ("<h1>T</h1>\n<p><strong>Bold</p>\n<p>The rest of the page.</p>", "<strong> (line 2) is not closed before </p>"),
    ("<p>Text</p><p>more <em>words", "<em> (line 1) is never closed"),
    ("<p>Text</b></p>", "</b> (line 1) closes no open tag"),
])
def test_broken_article_markup_is_found(body, problem):
    assert problem in markup_problems(body)
    with pytest.raises(ValidationError, match="broken markup"):
        check_markup(body)


def test_well_formed_markup_passes():
    body = '<p>A <b>b</b> <a href="/x" rel="noopener noreferrer">c</a><br><img src="/i.png" alt=""></p><ul><li>x</li></ul>'
    assert markup_problems(body) == []
    check_markup(body)


def test_tags_the_sanitizer_drops_are_not_counted():
    assert markup_problems('<p>Text <svg onload="x"><font>more</p><p>rest <b>b</b></p>') == []
