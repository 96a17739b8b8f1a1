"""Google Cloud Translation v3 (REST): transport, language codes and configured glossaries."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from google.api_core import exceptions as core_exceptions
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import translate_v3
from google.protobuf.json_format import ParseError

from machinery.base import (
    AuthFailed,
    BadResponse,
    Engine,
    EngineError,
    EngineGlossary,
    EngineTimeout,
    EngineUnavailable,
    QuotaExceeded,
    RateLimited,
    Sent,
    Unsupported,
    bounded_timeout,
    retry_after_seconds,
)
from machinery.protection import Protector
from tolk.config import mask_url
from tolk.languages import subtags

log = logging.getLogger(__name__)

# Google's documented ceiling is 30k codepoints per request; stay a little under it.
MAX_CODEPOINTS = 30_000
# Used until the project's own list arrives, and whenever the server cannot be reached.
LANGUAGES = frozenset({
    "af", "am", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es", "et",
    "eu", "fa", "fi", "fr", "ga", "gl", "gu", "ha", "hi", "hr", "hu", "hy", "id", "is", "it", "iw", "he", "ja",
    "jw", "ka", "kk", "km", "kn", "ko", "lt", "lv", "mk", "ml", "mn", "mr", "ms", "mt", "my", "ne", "nl", "no",
    "pa", "pl", "pt", "pt-PT", "ro", "ru", "si", "sk", "sl", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl",
    "tr", "uk", "ur", "uz", "vi", "zh-CN", "zh-TW", "zu",
})
TRADITIONAL_REGIONS = frozenset({"TW", "HK", "MO"})
LANGUAGE_RETRY_SECONDS = 300.0


def google_code(tag: str, known: frozenset[str] | set[str] = LANGUAGES) -> str:
    """Google's code for a BCP 47 tag: ``zh-Hant`` -> ``zh-TW``, ``he`` -> ``iw`` where only ``iw`` is listed."""
    by_lower = {code.lower(): code for code in known}
    language, script, region = subtags(tag)
    if language == "zh":
        return "zh-TW" if script == "Hant" or (script is None and region in TRADITIONAL_REGIONS) else "zh-CN"
    if tag.lower() in by_lower:
        return by_lower[tag.lower()]
    if region and f"{language}-{region}".lower() in by_lower:
        return by_lower[f"{language}-{region}".lower()]  # pt-PT, fr-CA where the project lists them
    for modern, legacy in (("he", "iw"), ("jv", "jw"), ("nb", "no")):
        if language == modern and modern not in by_lower and legacy in by_lower:
            return legacy
    return language


def parse_glossaries(spec: str) -> dict[tuple[str, str, str], str]:
    """``name:src-tgt=projects/.../glossaries/g;...`` -> {(name, src, tgt): resource}, tags lower-cased."""
    table: dict[tuple[str, str, str], str] = {}
    for n, entry in enumerate(filter(None, (e.strip() for e in (spec or "").split(";"))), 1):
        key, sep, resource = entry.partition("=")
        name, colon, pair = key.strip().partition(":")
        resource = resource.strip()
        if not sep or not colon or not name.strip() or not re.fullmatch(
                r"projects/[^/]+/locations/[^/]+/glossaries/[^/]+", resource):
            raise ValueError(f"GOOGLE_GLOSSARIES entry {n} ({entry!r}) is not "
                             "name:src-tgt=projects/P/locations/L/glossaries/G")
        parts = pair.strip().split("-")
        # Tags contain hyphens too: the target starts at the subtag that can only be a language.
        splits = [i for i in range(1, len(parts)) if re.fullmatch(r"[a-z]{2,3}", parts[i])]
        if len(splits) != 1:
            raise ValueError(f"GOOGLE_GLOSSARIES entry {n} ({entry!r}): cannot tell source from target in {pair!r}")
        source, target = "-".join(parts[:splits[0]]), "-".join(parts[splits[0]:])
        table[(name.strip(), source.lower(), target.lower())] = resource
    return table


@dataclass(frozen=True)
class LanguageList:
    """Codes the project translates from and to."""

    sources: frozenset[str]
    targets: frozenset[str]
    from_server: bool


BUILT_IN = LanguageList(LANGUAGES, LANGUAGES, from_server=False)


class GoogleEngine(Engine):
    """Google Cloud Translation v3 over REST: tokens as ``translate="no"`` spans in HTML requests."""

    name: ClassVar[str] = "google"
    token_style: ClassVar[str] = "html"
    max_batch: ClassVar[int] = 128
    native_glossaries: ClassVar[bool] = True

    def __init__(self, project: str | None, *, location: str = "global", api_endpoint: str | None = None,
                 glossaries: Mapping[tuple[str, str, str], str] | None = None,
                 protector: Protector | None = None, timeout: float = 10.0, credentials: Any = None):
        super().__init__(protector=protector, timeout=timeout)
        self.project = project or None
        self.location = location or "global"
        self.api_endpoint = api_endpoint or None
        self.glossaries = {(n, s.lower(), t.lower()): r for (n, s, t), r in (glossaries or {}).items()}
        self._credentials = credentials
        self._client: translate_v3.TranslationServiceClient | None = None
        self._lock = threading.Lock()
        self._languages: LanguageList | None = None
        self._languages_failed_at: float | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, protector: Protector | None = None) -> GoogleEngine:
        """Build from ``GOOGLE_PROJECT``, ``GOOGLE_LOCATION``, ``GOOGLE_API_ENDPOINT``, ``GOOGLE_GLOSSARIES``."""
        return cls(settings.get("GOOGLE_PROJECT"), location=settings.get("GOOGLE_LOCATION") or "global",
                   api_endpoint=settings.get("GOOGLE_API_ENDPOINT"),
                   glossaries=parse_glossaries(settings.get("GOOGLE_GLOSSARIES") or ""),
                   protector=protector, timeout=float(settings.get("ENGINE_TIMEOUT") or 10.0))

    def is_configured(self) -> bool:
        """Whether a project is set (credentials are checked on first use)."""
        return self.project is not None

    @property
    def parent(self) -> str:
        """The resource requests are made against."""
        return f"projects/{self.project}/locations/{self.location}"

    @property
    def client(self) -> translate_v3.TranslationServiceClient:
        """The v3 REST client, built on first use."""
        with self._lock:
            if self._client is None:
                credentials = self._credentials
                if credentials is None and self.api_endpoint and urlsplit(self.api_endpoint).scheme == "http":
                    # A plain-HTTP endpoint is a local server: never send real credentials over it.
                    credentials = AnonymousCredentials()
                options = {"api_endpoint": self.api_endpoint} if self.api_endpoint else None
                with self._mapped_errors():
                    self._client = translate_v3.TranslationServiceClient(
                        transport="rest", credentials=credentials, client_options=options)
            return self._client

    def close(self) -> None:
        """Close the HTTP session."""
        with self._lock:
            if self._client is not None:
                self._client.transport.close()
                self._client = None

    # --- languages ------------------------------------------------------------------------

    def languages(self) -> LanguageList:
        """The project's language list, fetched once; the built-in list while the server is unreachable."""
        if self._languages is not None:
            return self._languages
        if not self.is_configured() or (self._languages_failed_at is not None
                                        and time.monotonic() - self._languages_failed_at < LANGUAGE_RETRY_SECONDS):
            return BUILT_IN
        try:
            with self._mapped_errors():
                response = self.client.get_supported_languages(parent=self.parent, timeout=self.timeout, retry=None)
        except EngineError as exc:
            log.warning("Google language list unavailable, using built-in list: %s", mask_url(str(exc)))
            self._languages_failed_at = time.monotonic()
            return BUILT_IN
        self._languages = LanguageList(
            sources=frozenset(lang.language_code for lang in response.languages if lang.support_source),
            targets=frozenset(lang.language_code for lang in response.languages if lang.support_target),
            from_server=True)
        return self._languages

    def supports(self, source: str, target: str) -> bool:
        """Whether both codes are on the project's list (or the built-in one); never raises."""
        lists = self.languages()
        return ((not source or google_code(source, lists.sources) in lists.sources)
                and google_code(target, lists.targets) in lists.targets)

    def health(self) -> dict[str, Any]:
        """Configuration only; makes no request."""
        # /healthz is public: say that a project is set, not which one.
        return {"configured": self.is_configured(), "project": "(set)" if self.project else None,
                "location": self.location,
                "api_endpoint": mask_url(self.api_endpoint or "vendor default"),
                "languages": "project" if self._languages else "built-in",
                "glossaries": len(self.glossaries)}

    # --- glossaries -----------------------------------------------------------------------

    def glossary_for(self, glossary: EngineGlossary | None) -> translate_v3.TranslateTextGlossaryConfig | None:
        """The configured Google glossary for this termbase and pair, or None (terms are then masked)."""
        if glossary is None:
            return None
        resource = self.glossaries.get((glossary.name, glossary.source_lang.lower(), glossary.target_lang.lower()))
        return translate_v3.TranslateTextGlossaryConfig(glossary=resource) if resource else None

    # --- transport ------------------------------------------------------------------------

    def _send(self, payloads: list[str], source: str, target: str, *, payload_fmt: str, glossary: Any,
              formality: str | None, context: str | None, tone: Sequence[str] = ()) -> list[Sent]:
        """translateText requests of at most ``MAX_CODEPOINTS``; Google has no formality or context input."""
        lists = self.languages()
        # A glossary lives in one region and is only usable by requests made to that region.
        parent = glossary.glossary.rsplit("/glossaries/", 1)[0] if glossary else self.parent
        base = {
            "parent": parent,
            "mime_type": "text/html" if payload_fmt in {"html", "html-escaped"} else "text/plain",
            "source_language_code": google_code(source, lists.sources) if source else "",
            "target_language_code": google_code(target, lists.targets),
        }
        sent: list[Sent] = []
        for chunk in _chunks(payloads, MAX_CODEPOINTS):
            request = translate_v3.TranslateTextRequest(contents=chunk, glossary_config=glossary, **base)
            with self._mapped_errors():
                response = self.client.translate_text(request=request, timeout=bounded_timeout(self.timeout),
                                                        retry=None)
            items = response.glossary_translations if glossary else response.translations
            if len(items) != len(chunk):
                raise BadResponse(f"Google returned {len(items)} translations for {len(chunk)} texts",
                                  engine=self.name)
            sent.extend(Sent(item.translated_text, billed_characters=len(payload),
                             detected_source_lang=item.detected_language_code or None)
                        for payload, item in zip(chunk, items, strict=True))
        return sent

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        """Turn google-api-core, google-auth and requests exceptions into Tolk's engine errors."""
        try:
            yield
        except EngineError:
            raise
        except core_exceptions.TooManyRequests as exc:
            message = exc.message or str(exc)
            if re.search(r"quota", message, re.I) and re.search(r"per day|daily|billing", message, re.I):
                raise QuotaExceeded(f"Google quota exceeded: {message}", engine=self.name) from exc
            # exc.response is None when the error came without one: getattr then gives no headers.
            retry_after = retry_after_seconds(getattr(exc.response, "headers", {}).get("Retry-After"))
            raise RateLimited(f"Google rate limit: {message}", engine=self.name, retry_after=retry_after) from exc
        except (core_exceptions.Unauthorized, core_exceptions.Forbidden) as exc:
            raise AuthFailed(f"Google refused the credentials: {exc.message}", engine=self.name) from exc
        except auth_exceptions.GoogleAuthError as exc:
            raise AuthFailed(f"Google credentials unavailable: {exc}", engine=self.name) from exc
        except core_exceptions.GatewayTimeout as exc:
            raise EngineTimeout(f"Google timed out: {exc.message}", engine=self.name) from exc
        except core_exceptions.ServerError as exc:
            raise EngineUnavailable(f"Google server error: {exc.message}", engine=self.name) from exc
        except core_exceptions.BadRequest as exc:
            if "language" in (exc.message or "").lower():
                raise Unsupported(f"Google refused the language: {exc.message}", engine=self.name) from exc
            raise BadResponse(f"Google rejected the request: {exc.message}", engine=self.name) from exc
        except core_exceptions.GoogleAPICallError as exc:
            raise EngineError(f"Google request failed: {exc}", engine=self.name) from exc
        except requests.Timeout as exc:
            raise EngineTimeout(f"Google did not answer within {self.timeout:g} s", engine=self.name) from exc
        except requests.RequestException as exc:
            raise EngineUnavailable(f"Google unreachable: {exc}", engine=self.name) from exc
        except (ParseError, ValueError, TypeError) as exc:
            raise BadResponse(f"Google response has an unexpected shape: {exc}", engine=self.name) from exc


def _chunks(payloads: list[str], limit: int) -> Iterator[list[str]]:
    """Consecutive runs of payloads whose codepoints stay under ``limit`` (a longer payload goes alone)."""
    chunk: list[str] = []
    size = 0
    for payload in payloads:
        if chunk and size + len(payload) > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(payload)
        size += len(payload)
    if chunk:
        yield chunk
