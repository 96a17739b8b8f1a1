"""The stylesheet: every status colour on its badge background, and the theme's text colours on theirs, meet
WCAG 2.x AA contrast (4.5:1 for normal text), computed from the CSS itself (its variables resolved)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

CSS = (ROOT / "static" / "tolk.css").read_text()
AA = 4.5
#: Rules whose text colour sits on their own background: badges of states, severities and messages.
COLOURED = re.compile(r"\.(status|state|sev|flash|badge|inconclusive|spot)\b")


def variables() -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", CSS)
    assert root is not None
    return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b", root.group(1)))


def colour(value: str, names: dict[str, str]) -> str:
    found = re.fullmatch(r"var\(--([\w-]+)\)", value.strip())
    return names[found.group(1)] if found else value.strip()


def luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)

    def channel(pair: str) -> float:
        c = int(pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(digits[i:i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def coloured_rules() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of each coloured rule; text defaults to the theme's ``--fg``."""
    names = variables()
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        if not COLOURED.search(selector):
            continue
        decl = {k.strip(): v.strip() for k, v in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)}
        background = colour(decl.get("background", ""), names)
        if background.startswith("#"):
            rules.append((" ".join(selector.split()), colour(decl.get("color", "var(--fg)"), names), background))
    return rules


def test_the_reference_values_of_the_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss


def test_every_status_badge_is_found():
    selectors = " ".join(s for s, _fg, _bg in coloured_rules())
    for name in ("status-released", "status-awaiting_agent", "status-rejected", "state-failed", "sev-critical",
                 "sev-major", "flash-error", "flash-info"):
        assert f".{name}" in selectors


@pytest.mark.parametrize(("selector", "fg", "bg"), coloured_rules(), ids=lambda v: v if v.startswith(".") else None)
def test_status_colours_meet_aa(selector, fg, bg):
    assert contrast(fg, bg) >= AA, f"{selector}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"


@pytest.mark.parametrize(("fg", "bg"), [("fg", "bg"), ("muted", "bg"), ("muted", "card"), ("accent", "card"),
                                        ("accent", "bg"), ("accent-fg", "accent"), ("ok", "card"),
                                        ("warn", "card"), ("danger", "card")])
def test_theme_text_colours_meet_aa(fg, bg):
    names = variables()
    assert contrast(names[fg], names[bg]) >= AA
