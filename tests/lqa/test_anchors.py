"""Annotation anchors: the marked words are found again after the text around them is edited."""

from __future__ import annotations

import pytest

from lqa.anchors import TextQuote, locate, quote_of, reanchor

MT = "Su reembolso fue procesado ayer. El reembolso llega en tres días."


def words(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0]:span[1]]


@pytest.mark.parametrize(("edited", "expected"), [
    (MT, "fue procesado"),                                                     # unchanged
    ("Hola Ana. " + MT, "fue procesado"),                                      # text inserted before
    (MT.replace("Su reembolso", "Tu devolución"), "fue procesado"),            # words before rewritten
    (MT.replace("ayer", "el lunes"), "fue procesado"),                         # words after rewritten
])
def test_an_annotation_after_an_edit_points_at_the_same_words(edited, expected):
    start = MT.index("fue procesado")
    span = reanchor(MT, edited, start, start + len("fue procesado"))
    assert words(edited, span) == expected
    assert span is not None and edited[span[1]:].startswith(" ayer" if "ayer" in edited else " el lunes")


def test_of_two_equal_words_the_one_in_the_same_context_is_found():
    second = MT.index("reembolso llega")
    edited = "Hola. " + MT
    span = reanchor(MT, edited, second, second + len("reembolso"))
    assert span == (edited.index("reembolso llega"), edited.index("reembolso llega") + len("reembolso"))
    # Offsets alone would now mark other words: the old span in the new text is not "reembolso".
    assert edited[second:second + len("reembolso")] != "reembolso"


def test_words_edited_away_are_not_moved_onto_other_words():
    start = MT.index("fue procesado")
    assert reanchor(MT, MT.replace("fue procesado", "se procesó"), start, start + len("fue procesado")) is None


def test_a_point_is_found_by_its_context_and_a_bad_span_is_refused():
    assert locate("abc def", TextQuote("", "abc", " def")) == (3, 3)
    assert locate("abc", TextQuote("")) is None
    with pytest.raises(ValueError, match="span must satisfy"):
        quote_of("abc", 2, 9)
    assert quote_of("0123456789", 4, 6, context=2) == TextQuote("45", "23", "67")
