"""Language tags as the rest of Tolk reads them: subtags, spellings and checks, as tables."""

from __future__ import annotations

import pytest

from tolk.errors import ValidationError
from tolk.languages import base, check, normalize, same_language, subtags, underscored


@pytest.mark.parametrize(("tag", "expected"), [
    ("zh-hant-tw", ("zh", "Hant", "TW")),
    ("pt_BR", ("pt", None, "BR")),
    ("es-419", ("es", None, "419")),
    ("ca-ES-valencia", ("ca", None, "ES")),
    ("DE", ("de", None, None)),
])
def test_subtags_are_read_from_any_spelling(tag, expected):
    assert subtags(tag) == expected


@pytest.mark.parametrize(("code", "expected"), [
    ("pt_br", "pt-BR"), ("ZH-hant", "zh-Hant"), (" ca-es-VALENCIA ", "ca-ES-valencia"), ("es-419", "es-419"),
])
def test_normalize_fixes_case_and_separators_only(code, expected):
    assert normalize(code) == expected


def test_normalize_refuses_an_empty_code():
    with pytest.raises(ValueError, match="empty"):
        normalize(" _ ")


@pytest.mark.parametrize(("tag", "expected"), [("es-MX", "es"), ("pt_BR", "pt"), ("ZH-Hant", "zh"), (None, "")])
def test_base_is_the_language_alone(tag, expected):
    assert base(tag) == expected


def test_same_language_ignores_script_and_region():
    assert same_language("pt-BR", "pt-PT") and same_language("zh-Hant", "zh")
    assert not same_language("nb", "nn")


def test_underscored_is_the_gettext_spelling():
    assert (underscored("zh-Hant"), underscored("de-CH"), underscored("pl")) == ("zh_Hant", "de_CH", "pl")


def test_check_gives_the_canonical_tag_or_a_validation_error_naming_the_field():
    assert check("pt_br") == "pt-BR"
    with pytest.raises(ValidationError) as plain:
        check("xx-?")
    assert plain.value.code == "unknown_language" and plain.value.details == {}
    with pytest.raises(ValidationError) as named:
        check("qq", "target_lang")
    assert named.value.message.startswith("'target_lang': ") and named.value.details == {"field": "target_lang"}
