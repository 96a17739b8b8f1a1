"""Segmentation of article HTML: sentences with their inline markup, and exact round trips."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import FIXTURES
from workflows.kb import sanitize
from workflows.kb.segmentation import _segments, reassemble, segment, with_texts

# Short articles on multilingual support written for these tests in the seed languages.
SEEDS = sorted((FIXTURES / "texts").glob("*.txt"))
SEED_LANGS = {"nl": "nl", "et": "et", "pl": "pl", "zh": "zh-Hant"}


def seed_html(path) -> str:
    paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").splitlines() if p.strip()]
    return sanitize("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))


def balanced(fragment: str) -> bool:
    stack = []
    for closing, name in re.findall(r"<(/?)([a-z0-9]+)[^>]*>", fragment):
        if name in ("br", "img"):
            continue
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_the_seed_language_texts_are_there():
    assert {p.name[:2] for p in SEEDS} == set(SEED_LANGS)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_articles_round_trip_and_split_into_sentences(path):
    source = seed_html(path)
    lang = SEED_LANGS[path.name[:2]]
    segments = segment(source, lang)
    assert reassemble(source, segments) == source
    assert len(segments) > source.count("<p>")  # paragraphs were split into sentences
    assert all(s.text.strip() and "<p>" not in s.text_html for s in segments)


def test_chinese_splits_at_full_width_punctuation():
    source = sanitize("<p>在全球化背景下,企業面臨挑戰。如何跨越語言的障礙？我們可以做到！</p>")
    assert [s.text for s in segment(source, "zh-Hant")] == [
        "在全球化背景下,企業面臨挑戰。", "如何跨越語言的障礙？", "我們可以做到！"]


def test_inline_markup_stays_inside_its_sentence():
    source = sanitize('<p>Click <b>Save</b>. Then open <a href="https://example.com/a?x=1&amp;y=2">your '
                      'account</a> and wait.</p><ul><li>One. Two.</li></ul>')
    segments = segment(source, "en")
    assert [s.text_html for s in segments] == [
        "Click <b>Save</b>.",
        'Then open <a href="https://example.com/a?x=1&amp;y=2" rel="noopener noreferrer">your account</a> and wait.',
        "One.", "Two."]
    assert [s.block_index for s in segments] == [0, 0, 2, 2]


def test_a_sentence_boundary_inside_an_inline_element_keeps_the_sentences_together():
    source = "<p><b>First sentence. Second sentence.</b> Third one.</p>"
    assert [s.text_html for s in segment(source, "en")] == ["<b>First sentence. Second sentence.</b>",
                                                            "Third one."]


def test_line_breaks_code_blocks_and_inline_elements_around_blocks_stay_in_the_template():
    source = sanitize("<p>Line one<br>Line two.</p><pre>do not. translate.</pre>"
                      "<li><b>bold <p>Inner one. Inner two.</p></b></li><p><img src=\"https://x.test/a.png\"> </p>")
    segments = segment(source, "en")
    assert [s.text_html for s in segments] == ["Line one", "Line two.", "bold", "Inner one.", "Inner two."]
    assert reassemble(source, segments) == source


def test_reassemble_puts_translations_in_place_and_keeps_markup():
    source = sanitize("<h2>Returns</h2><p>Pack the item. Print <b>the label</b>.</p>")
    segments = segment(source, "en")
    spanish = ["Devoluciones", "Empaqueta el artículo.", "Imprime <b>la etiqueta</b>."]
    assert reassemble(source, with_texts(segments, spanish)) == (
        "<h2>Devoluciones</h2><p>Empaqueta el artículo. Imprime <b>la etiqueta</b>.</p>")


def test_entities_and_whitespace_survive_a_round_trip():
    source = sanitize("<p>  Fish &amp; chips&nbsp;cost 5 &lt; 6 euros.   Really \"good\".  </p>\n<p>\n</p>")
    segments = segment(source, "en")
    assert [s.text for s in segments] == ["Fish & chips\xa0cost 5 < 6 euros.", 'Really "good".']
    assert reassemble(source, segments) == source
    assert all(balanced(s.text_html) for s in segments)


def test_with_texts_refuses_a_wrong_number_of_translations():
    segments = segment("<p>One. Two.</p>", "en")
    with pytest.raises(ValueError, match="1 translations for 2 segments"):
        with_texts(segments, ["Uno."])


# --- the cache of split articles (``_segments``) ---------------------------------------------------


def test_an_edited_article_is_split_again_never_served_from_the_cache():
    before = sanitize("<p>Pack the item. Print the label.</p><p>Drop it at a post office.</p>")
    after = before.replace("Print the label.", "Print the new label.")
    assert [s.text for s in segment(before, "en")] == ["Pack the item.", "Print the label.", "Drop it at a post office."]
    assert [s.text for s in segment(after, "en")] == ["Pack the item.", "Print the new label.",
                                                      "Drop it at a post office."]
    assert [s.text for s in segment(before, "en")] == ["Pack the item.", "Print the label.", "Drop it at a post office."]


def test_a_caller_changing_its_list_of_segments_does_not_change_the_next_callers():
    source = sanitize("<p>Pack the item. Print the label.</p>")
    first = segment(source, "en")
    first.pop()
    first.reverse()
    assert [s.text for s in segment(source, "en")] == ["Pack the item.", "Print the label."]


def test_the_language_is_part_of_what_is_cached():
    # Splitting depends on the language: the same HTML in another language is split on its own terms.
    source = sanitize("<p>Ceci est un test, M. Dupont. Merci.</p>")
    calls = _segments.cache_info().misses
    segment(source, "fr")
    segment(source, "de")
    assert _segments.cache_info().misses == calls + 2


def test_the_cache_keeps_a_bounded_number_of_articles():
    limit = _segments.cache_info().maxsize
    assert limit is not None and limit > 0
    for n in range(limit + 20):
        segment(sanitize(f"<p>Article number {n} of the bounded cache test. It has two sentences.</p>"), "en")
    assert _segments.cache_info().currsize == limit
    latest = sanitize(f"<p>Article number {limit + 19} of the bounded cache test. It has two sentences.</p>")
    hits = _segments.cache_info().hits
    segment(latest, "en")
    assert _segments.cache_info().hits == hits + 1  # the most recent articles stay cached
