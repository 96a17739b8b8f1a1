"""A deterministic engine for tests: ``[es] text``, with placeholders, markup and glossary terms kept.

Tests that exercise the pipeline (routing, translation memory, metering, LQA) but no vendor route to it
with ``ENGINE_ROUTES="*=fake"``. It is configured only when the app runs with Flask's ``TESTING`` set,
so an installation never routes to it, and it is in no default route.

The base class masks protected spans as ``[[N]]`` tokens and glossary terms as tokens that come back as
the target terms; this engine prefixes each payload with its target tag and sends it back unchanged,
so what survives a real engine survives here, byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from machinery.base import Engine, Sent
from machinery.protection import Protector


class FakeEngine(Engine):
    """Translates ``text`` into ``[target] text``; bills one character per character sent."""

    name: ClassVar[str] = "fake"
    token_style: ClassVar[str] = "plain"
    max_batch: ClassVar[int] = 50
    native_glossaries: ClassVar[bool] = False

    def __init__(self, *, enabled: bool = True, protector: Protector | None = None, timeout: float = 10.0):
        super().__init__(protector=protector, timeout=timeout)
        self.enabled = enabled
        #: Every batch of payloads sent, in order: what a vendor would have received.
        self.sent: list[list[str]] = []

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, protector: Protector | None = None) -> FakeEngine:
        """Enabled only under ``TESTING``; ``ENGINE_TIMEOUT`` as for the vendors."""
        return cls(enabled=bool(settings.get("TESTING")), protector=protector,
                   timeout=float(settings.get("ENGINE_TIMEOUT") or 10.0))

    def is_configured(self) -> bool:
        """Whether the app runs under ``TESTING``."""
        return self.enabled

    def supports(self, source: str, target: str) -> bool:
        """Any pair of two different languages (source may be empty: detected)."""
        return bool(target.strip()) and source.strip().lower() != target.strip().lower()

    def health(self) -> dict[str, Any]:
        """Configured or not, and that this is the test engine."""
        return {"configured": self.is_configured(), "test_engine": True}

    def _send(self, payloads: list[str], source: str, target: str, *, payload_fmt: str, glossary: Any,
              formality: str | None, context: str | None, tone: Sequence[str] = ()) -> list[Sent]:
        """``[target] payload`` for each payload, billed by its length."""
        self.sent.append(list(payloads))
        return [Sent(f"[{target}] {payload}", billed_characters=len(payload)) for payload in payloads]
