"""Term matchers shared through the store (``glossaries.compiled``): a loaded matcher finds what the built one
finds, whether its terms were written as marshal strings or, for payloads marshal cannot write, as objects."""

from __future__ import annotations

import pickle
from typing import NamedTuple

import pytest

from glossaries.matching import Matcher


class Entry(NamedTuple):
    """A payload marshal cannot write (a tuple subclass)."""

    concept: int


TERMS = [("wireless order", False, 0), ("order", False, 1), ("Tolk", True, 2), ("refund request", False, 3)]
TEXTS = ["Two wireless orders and a refund requests form", "tolk and Tolk ordered", "ORDER: wireless"]


@pytest.mark.parametrize("payload", [lambda n: n, lambda n: (n, False), Entry])
@pytest.mark.parametrize("lang", ["en", "de", "pl", "ja"])
def test_a_loaded_matcher_finds_what_the_built_one_finds(payload, lang):
    built = Matcher(lang, [(text, case, payload(n)) for text, case, n in TERMS])
    data = pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)
    for text in TEXTS:
        loaded = pickle.loads(data)  # noqa: S301 - our own object
        assert sorted(loaded.find(text)) == sorted(built.find(text))
        assert built.find(text) or lang == "ja"
    if payload is not Entry:
        # Marshal strings: a loaded matcher makes a term into objects only when a text brings it up.
        loaded = pickle.loads(data)  # noqa: S301 - our own object
        loaded.find("nothing to see")
        assert loaded._built == {}
