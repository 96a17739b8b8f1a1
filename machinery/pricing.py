"""Engine prices: money per million billed characters, or per million tokens for language models."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A TM hit saved a language model roughly this many characters per token, both ways (prompt and answer).
CHARS_PER_TOKEN = 4.0


class PriceError(ValueError):
    """A malformed ENGINE_PRICES or ENGINE_BUDGETS value."""


def parse_amounts(spec: str, setting: str) -> dict[str, float]:
    """Parse ``engine=amount,engine=amount`` into {engine: amount}; raise PriceError naming the bad part."""
    amounts: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.replace(";", ",").split(","))):
        name, sep, value = part.partition("=")
        try:
            amount = float(value)
        except ValueError:
            amount = -1.0
        if not sep or not name.strip() or amount < 0:
            raise PriceError(f"{setting}: {part!r} is not engine=amount (a number, 0 or more)")
        amounts[name.strip()] = amount
    return amounts


@dataclass(frozen=True)
class PriceList:
    """What each engine costs; engines without a price cost nothing."""

    per_million_characters: Mapping[str, float] = field(default_factory=dict)
    # engine -> (price per million input tokens, per million output tokens)
    per_million_tokens: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    currency: str = "EUR"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> PriceList:
        """Prices from ``ENGINE_PRICES``, ``LLM_PRICE_INPUT``/``LLM_PRICE_OUTPUT`` and ``COST_CURRENCY``."""
        tokens = (float(settings.get("LLM_PRICE_INPUT") or 0.0), float(settings.get("LLM_PRICE_OUTPUT") or 0.0))
        return cls(parse_amounts(str(settings.get("ENGINE_PRICES") or ""), "ENGINE_PRICES"), {"llm": tokens},
                   str(settings.get("COST_CURRENCY") or "EUR"))

    def cost(self, engine: str, *, billed_characters: int = 0, input_tokens: int = 0, output_tokens: int = 0) -> float:
        """Money one engine call cost."""
        money = self.per_million_characters.get(engine, 0.0) * billed_characters
        price_in, price_out = self.per_million_tokens.get(engine, (0.0, 0.0))
        return (money + price_in * input_tokens + price_out * output_tokens) / 1_000_000

    def character_price(self, engine: str) -> float:
        """Price per million source characters, estimated from token prices for a language model."""
        if engine in self.per_million_tokens:
            price_in, price_out = self.per_million_tokens[engine]
            return (price_in + price_out) / CHARS_PER_TOKEN
        return self.per_million_characters.get(engine, 0.0)

    def saved(self, engine: str | None, characters: int) -> float:
        """Money a translation-memory hit of ``characters`` saved, had ``engine`` translated it."""
        return self.character_price(engine) * characters / 1_000_000 if engine else 0.0
