"""The engine base class: the policy every machine-translation engine shares.

Vendors implement transport only (``_send``) and say what they serve (``supports``); the base owns
batching, text protection (placeholders, URLs, customer data and glossary terms become tokens in the
engine's own markup and come back restored) and the shape of results. Engines are built by
``machinery.registry`` with settings injected at construction: an engine never reads ``current_app``.

To add an engine: subclass ``Engine``, set ``name``, ``token_style`` and ``max_batch``, implement
``from_settings``, ``is_configured``, ``supports`` and ``_send``, map vendor errors to ``EngineError``
subclasses with ``raise ... from exc``, and add the class to ``machinery.registry.ENGINES``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

from machinery.pii import Customer
from machinery.protection import Protector, Span
from machinery.tokens import STYLES, Masked

#: Payloads sent to engines in this context, after masking: the router reads it for the egress record.
SENT_PAYLOADS: ContextVar[list[str] | None] = ContextVar("SENT_PAYLOADS", default=None)
#: When the current request's engine work must end (``time.monotonic()``), or None: no deadline.
DEADLINE: ContextVar[float | None] = ContextVar("DEADLINE", default=None)


def remaining_time() -> float | None:
    """Seconds left before this context's deadline (never negative), or None without one."""
    deadline = DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def bounded_timeout(timeout: float) -> float:
    """An engine's request timeout cut to what is left of the deadline (at least 10 ms)."""
    left = remaining_time()
    return timeout if left is None else max(0.01, min(timeout, left))


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class EngineError(Exception):
    """An engine could not translate; ``retryable`` errors are retried before failing over."""

    code = "engine_error"
    retryable = False

    def __init__(self, message: str, *, engine: str | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.engine = engine
        self.retry_after = retry_after


class NotConfigured(EngineError):
    code = "not_configured"


class Unsupported(EngineError):
    code = "unsupported_pair"


class RateLimited(EngineError):
    code = "rate_limited"
    retryable = True


class QuotaExceeded(EngineError):
    code = "quota_exceeded"


class EngineUnavailable(EngineError):
    code = "unavailable"
    retryable = True


class EngineTimeout(EngineError):
    code = "timeout"
    retryable = True


class BadResponse(EngineError):
    code = "bad_response"


class AuthFailed(EngineError):
    code = "auth_failed"


class Refused(EngineError):
    """A language model declined to translate (a refusal or a content filter)."""

    code = "refused"


@dataclass(frozen=True)
class EngineGlossary:
    """A termbase reduced to one language pair, as an engine needs it.

    ``entries`` maps source terms to target terms (do-not-translate terms map to themselves);
    ``checksum`` names the content, so a native vendor glossary is uploaded once per version.
    """

    name: str
    source_lang: str
    target_lang: str
    entries: Mapping[str, str]
    do_not_translate: tuple[str, ...] = ()
    checksum: str = ""
    # Target-language variants the termbase forbids; engines that take instructions are told to avoid them.
    forbidden: tuple[str, ...] = ()


@dataclass
class Translation:
    """One translated segment and where it came from."""

    text: str
    engine: str
    source_lang: str
    target_lang: str
    billed_characters: int = 0
    detected_source_lang: str | None = None
    native_glossary: bool = False
    # Language models are billed in tokens; a batch's tokens are carried by its first segment.
    input_tokens: int = 0
    output_tokens: int = 0
    # Protected spans whose token the engine dropped; they are re-appended and reported to LQA.
    lost_spans: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "engine": self.engine, "billed_characters": self.billed_characters,
                "detected_source_lang": self.detected_source_lang}


@dataclass
class Sent:
    """What a vendor's transport returns for one payload."""

    text: str
    billed_characters: int = 0
    detected_source_lang: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0


class Engine:
    """Base class of every machine-translation engine."""

    name: ClassVar[str] = ""
    token_style: ClassVar[str] = "plain"
    max_batch: ClassVar[int] = 50
    #: Whether the vendor can enforce a glossary itself (then terms are not masked).
    native_glossaries: ClassVar[bool] = False

    def __init__(self, *, protector: Protector | None = None, timeout: float = 10.0):
        self.protector = protector or Protector()
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, protector: Protector | None = None) -> Engine:
        """Build the engine from the app's configuration mapping."""
        raise NotImplementedError

    def is_configured(self) -> bool:
        """Whether the engine has what it needs (a key, installed data) to be tried at all."""
        raise NotImplementedError

    def supports(self, source: str, target: str) -> bool:
        """Whether the engine can translate this BCP 47 pair now."""
        raise NotImplementedError

    def language_pairs(self) -> list[tuple[str, str]] | None:
        """The pairs served now, or None when the vendor serves any pair of its language list."""
        return None

    def health(self) -> dict[str, Any]:
        """A cheap status report for /healthz."""
        return {"configured": self.is_configured()}

    def glossary_for(self, glossary: EngineGlossary | None) -> Any:
        """The vendor-side handle for a glossary, or None to fall back to masking terms."""
        return None

    def close(self) -> None:
        """Release processes or connections."""

    # --- policy shared by all engines -------------------------------------------------------

    def translate_batch(self, texts: Sequence[str], source: str, target: str, *,
                        glossary: EngineGlossary | None = None, formality: str | None = None,
                        fmt: str = "text", context: str | None = None,
                        customer: Customer | None = None, tone: Sequence[str] = ()) -> list[Translation]:
        """Translate ``texts``; protected spans (and ``customer``'s known values) survive, terms follow
        ``glossary``.

        ``tone`` holds the locale's writing rules ("no upselling"); only engines that take
        instructions (language models) can follow them.
        """
        if not self.is_configured():
            raise NotConfigured(f"{self.name} is not configured", engine=self.name)
        if not self.supports(source, target):
            raise Unsupported(f"{self.name} does not translate {source} to {target}", engine=self.name)
        handle = self.glossary_for(glossary) if glossary else None
        # Without a vendor glossary the terms themselves are masked and come back as target terms.
        terms = glossary.entries if (glossary and handle is None) else None
        keep = glossary.do_not_translate if glossary else ()
        style = STYLES[self.token_style]
        masked: list[Masked] = [
            style.mask(text, self.protector.find(text, fmt, terms=terms, keep=keep, customer=customer), fmt)
            for text in texts
        ]
        results: list[Translation] = []
        for start in range(0, len(masked), self.max_batch):
            chunk = masked[start:start + self.max_batch]
            sent_log = SENT_PAYLOADS.get()
            if sent_log is not None:
                sent_log.extend(m.payload for m in chunk)
            sent = self._send([m.payload for m in chunk], source, target, payload_fmt=chunk[0].fmt if chunk
                              else fmt, glossary=handle, formality=formality, context=context, tone=tone)
            if len(sent) != len(chunk):
                raise BadResponse(f"{self.name} returned {len(sent)} texts for {len(chunk)}", engine=self.name)
            for item, out in zip(chunk, sent, strict=True):
                text, lost = style.unmask(out.text, item)
                results.append(Translation(
                    text=text, engine=self.name, source_lang=source, target_lang=target,
                    billed_characters=out.billed_characters, detected_source_lang=out.detected_source_lang,
                    native_glossary=handle is not None, lost_spans=lost, input_tokens=out.input_tokens,
                    output_tokens=out.output_tokens))
        return results

    def _send(self, payloads: list[str], source: str, target: str, *, payload_fmt: str, glossary: Any,
              formality: str | None, context: str | None, tone: Sequence[str] = ()) -> list[Sent]:
        """Vendor transport: send already-protected payloads, return one ``Sent`` per payload in order."""
        raise NotImplementedError
