"""Language detection: Chinese script by its characters, and no language for text without any."""

from __future__ import annotations

import pytest

from machinery.detection import LanguageDetector, chinese_script_of


@pytest.mark.parametrize(("text", "script"), [
    ("請問我的訂單什麼時候會寄出？", "Hant"),  # traditional: 請 問 訂 單 麼 時 會
    ("请问我的订单什么时候会寄出？", "Hans"),  # simplified: 请 问 订 单 么 时 会
    ("我們的订单", "Hans"),  # mixed, more simplified-only characters than traditional-only
    ("我的", "Hans"),  # shared characters only say nothing: the default
])
def test_chinese_script_is_read_from_the_characters(text, script):
    assert chinese_script_of(text) == script


def test_chinese_is_detected_with_its_script():
    detector = LanguageDetector(["en", "zh-Hant", "zh-Hans", "es"])
    assert detector.detect("請問我的訂單什麼時候會寄出？").lang == "zh-Hant"
    assert detector.detect("请问我的订单什么时候会寄出？").lang == "zh-Hans"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_has_no_language(text):
    detection = LanguageDetector(["en", "es"]).detect(text)
    assert (detection.lang, detection.reliable) == (None, False)


def test_detection_needs_two_languages_it_knows():
    with pytest.raises(ValueError, match="at least two"):
        LanguageDetector(["en", "tlh"]).warm()
