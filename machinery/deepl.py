"""DeepL: transport, language codes, formality and native glossaries synced by content checksum."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, ClassVar

import deepl
from deepl.api_data import MultilingualGlossaryDictionaryEntries

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
)
from machinery.deepl_transport import Client, timed_out
from machinery.protection import Protector
from tolk.config import mask_url
from tolk.languages import subtags

log = logging.getLogger(__name__)

# Used until the account's own lists arrive, and whenever the server cannot be reached.
SOURCE_LANGUAGES = frozenset({
    "AR", "BG", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FI", "FR", "HE", "HU", "ID", "IT", "JA",
    "KO", "LT", "LV", "NB", "NL", "PL", "PT", "RO", "RU", "SK", "SL", "SV", "TH", "TR", "UK", "VI", "ZH"
})
TARGET_LANGUAGES = frozenset({
    "AR", "BG", "CS", "DA", "DE", "EL", "EN-GB", "EN-US", "ES", "ES-419", "ET", "FI", "FR", "HE", "HU",
    "ID", "IT", "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT-BR", "PT-PT", "RO", "RU", "SK", "SL",
    "SV", "TH", "TR", "UK", "VI", "ZH", "ZH-HANS", "ZH-HANT"
})
FORMALITY_TARGETS = frozenset({"DE", "ES", "ES-419", "FR", "IT", "JA", "NL", "PL", "PT-BR", "PT-PT", "RU"})
GLOSSARY_LANGUAGES = ("DA", "DE", "EN", "ES", "FR", "IT", "JA", "KO", "NB", "NL", "PL", "PT", "RU", "SV", "ZH")

# Tolk's formality -> DeepL's; the prefer_ variants never fail on a language without formality.
FORMALITY = {"formal": "prefer_more", "informal": "prefer_less", "default": "default"}
BRITISH_REGIONS = frozenset({"GB", "UK", "IE", "AU", "NZ", "ZA", "IN"})
TRADITIONAL_REGIONS = frozenset({"TW", "HK", "MO"})
# A failed language-list fetch is retried after this many seconds, not on every supports() call.
LANGUAGE_RETRY_SECONDS = 300.0


def source_code(tag: str) -> str:
    """DeepL's source code for a BCP 47 tag: the bare language (``pt-BR`` -> ``PT``, ``no`` -> ``NB``)."""
    language = subtags(tag)[0]
    return "NB" if language in {"nb", "no"} else language.upper()


def target_code(tag: str, targets: frozenset[str] | set[str] = TARGET_LANGUAGES,
                english: str = "EN-US") -> str:
    """DeepL's target code for a BCP 47 tag (``en-GB`` -> ``EN-GB``, ``zh-Hant`` -> ``ZH-HANT``)."""
    language, script, region = subtags(tag)
    if language == "zh":
        if script == "Hant" or (script is None and region in TRADITIONAL_REGIONS):
            return "ZH-HANT"
        # Accounts listing only ``ZH`` get simplified Chinese from it.
        return "ZH" if "ZH-HANS" not in targets and "ZH" in targets else "ZH-HANS"
    if language in {"nb", "no"}:
        return "NB"
    if language == "en":
        return "EN-GB" if region in BRITISH_REGIONS else ("EN-US" if region == "US" else english)
    if language == "pt":
        return "PT-BR" if region == "BR" else "PT-PT"
    if region and f"{language}-{region}".upper() in targets:
        return f"{language}-{region}".upper()  # ES-419 where the account offers it
    return language.upper()


def glossary_checksum(entries: Mapping[str, str]) -> str:
    """A content checksum for glossaries that arrive without one."""
    digest = hashlib.sha256()
    for source, target in sorted(entries.items()):
        digest.update(f"{source}\t{target}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class LanguageLists:
    """What the account translates from and to, and which targets take a formality."""

    sources: frozenset[str]
    targets: frozenset[str]
    formality: frozenset[str]
    from_server: bool


BUILT_IN = LanguageLists(SOURCE_LANGUAGES, TARGET_LANGUAGES, FORMALITY_TARGETS, from_server=False)


class DeepLEngine(Engine):
    """DeepL through deepl-python: tokens as ``<x/>`` elements, glossaries as DeepL v3 glossaries."""

    name: ClassVar[str] = "deepl"
    token_style: ClassVar[str] = "xml"
    max_batch: ClassVar[int] = 50
    native_glossaries: ClassVar[bool] = True

    def __init__(self, auth_key: str | None, *, server_url: str | None = None, protector: Protector | None = None,
                 timeout: float = 10.0, english: str = "EN-US"):
        super().__init__(protector=protector, timeout=timeout)
        if english not in {"EN-US", "EN-GB"}:
            raise ValueError(f"english must be EN-US or EN-GB, not {english!r}")
        self.auth_key = auth_key or None
        self.server_url = server_url or None
        self.english = english
        self._client: Client | None = None
        self._lock = threading.Lock()
        self._glossary_lock = threading.Lock()
        self._languages: LanguageLists | None = None
        self._languages_failed_at: float | None = None
        self._glossary_pairs: frozenset[tuple[str, str]] | None = None
        self._glossary_ids: dict[str, str] = {}
        self._usage: dict[str, int | None] | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, protector: Protector | None = None) -> DeepLEngine:
        """Build from ``DEEPL_AUTH_KEY``, ``DEEPL_SERVER_URL`` and ``ENGINE_TIMEOUT``."""
        return cls(settings.get("DEEPL_AUTH_KEY"), server_url=settings.get("DEEPL_SERVER_URL"),
                   protector=protector, timeout=float(settings.get("ENGINE_TIMEOUT") or 10.0))

    def is_configured(self) -> bool:
        """Whether a key is set."""
        return self.auth_key is not None

    @property
    def client(self) -> Client:
        """The deepl-python client, built on first use."""
        if self.auth_key is None:
            raise EngineError("DeepL has no auth key", engine=self.name)
        with self._lock:
            if self._client is None:
                self._client = Client(self.auth_key, server_url=self.server_url, timeout=self.timeout)
            return self._client

    def close(self) -> None:
        """Close the HTTP session."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # --- languages ------------------------------------------------------------------------

    def languages(self) -> LanguageLists:
        """The account's language lists, fetched once; the built-in lists while the server is unreachable."""
        if self._languages is not None:
            return self._languages
        if not self.is_configured() or (self._languages_failed_at is not None
                                        and time.monotonic() - self._languages_failed_at < LANGUAGE_RETRY_SECONDS):
            return BUILT_IN
        try:
            with self._mapped_errors():
                sources = self.client.get_source_languages()
                targets = self.client.get_target_languages()
        except EngineError as exc:
            log.warning("DeepL language lists unavailable, using built-in lists: %s", mask_url(str(exc)))
            self._languages_failed_at = time.monotonic()
            return BUILT_IN
        self._languages = LanguageLists(
            sources=frozenset(str(lang.code).upper() for lang in sources),
            targets=frozenset(str(lang.code).upper() for lang in targets),
            formality=frozenset(str(lang.code).upper() for lang in targets if lang.supports_formality),
            from_server=True)
        return self._languages

    def target_code(self, tag: str) -> str:
        """DeepL's target code for a BCP 47 tag on this account."""
        return target_code(tag, self.languages().targets, self.english)

    def supports(self, source: str, target: str) -> bool:
        """Whether both codes are on the account's lists (or the built-in ones); never raises."""
        lists = self.languages()
        return (not source or source_code(source) in lists.sources) and self.target_code(target) in lists.targets

    # --- status ---------------------------------------------------------------------------

    def usage(self) -> dict[str, int | None]:
        """Characters used and allowed this billing period (asks the server; cached for ``health``)."""
        with self._mapped_errors():
            usage = self.client.get_usage()
        self._usage = {"character_count": usage.character.count, "character_limit": usage.character.limit}
        return self._usage

    def health(self) -> dict[str, Any]:
        """Configuration, server and the last known usage; makes no request."""
        return {"configured": self.is_configured(), "server_url": mask_url(self.server_url or "vendor default"),
                "languages": "account" if self._languages else "built-in", "usage": self._usage}

    # --- glossaries -----------------------------------------------------------------------

    def glossary_pairs(self) -> frozenset[tuple[str, str]]:
        """Base-language pairs DeepL takes glossaries for."""
        if self._glossary_pairs is None:
            try:
                with self._mapped_errors():
                    pairs = self.client.get_glossary_languages()
                self._glossary_pairs = frozenset((p.source_lang.upper(), p.target_lang.upper()) for p in pairs)
            except EngineError as exc:
                log.warning("DeepL glossary pairs unavailable, using built-in list: %s", mask_url(str(exc)))
                return frozenset((s, t) for s in GLOSSARY_LANGUAGES for t in GLOSSARY_LANGUAGES if s != t)
        return self._glossary_pairs

    def glossary_for(self, glossary: EngineGlossary | None) -> str | None:
        """The id of a DeepL glossary holding exactly ``glossary``'s entries, created once per checksum.

        None (terms are then masked) when there are no entries, the pair takes no glossary or the
        account cannot hold another one.
        """
        if glossary is None or not glossary.entries:
            return None
        source, target = source_code(glossary.source_lang), source_code(glossary.target_lang)
        if (source, target) not in self.glossary_pairs():
            return None
        prefix = f"tolk-{glossary.name}-{glossary.source_lang}-{glossary.target_lang}-"
        name = prefix + (glossary.checksum or glossary_checksum(glossary.entries))[:12]
        with self._glossary_lock:
            if name in self._glossary_ids:
                return self._glossary_ids[name]
            with self._mapped_errors():
                existing = self.client.list_multilingual_glossaries()
                found = next((g for g in existing if g.name == name and any(
                    d.source_lang == source and d.target_lang == target for d in g.dictionaries)), None)
                if found is not None:
                    glossary_id = found.glossary_id
                else:
                    created = self._create_glossary(name, source, target, glossary.entries)
                    if created is None:
                        return None
                    glossary_id = created
                    for stale in existing:
                        rest = stale.name[len(prefix):]
                        if stale.name.startswith(prefix) and rest and "-" not in rest:
                            self._delete_glossary(stale.glossary_id)
            self._glossary_ids[name] = glossary_id
            return glossary_id

    def _create_glossary(self, name: str, source: str, target: str, entries: Mapping[str, str]) -> str | None:
        try:
            info = self.client.create_multilingual_glossary(
                name, [MultilingualGlossaryDictionaryEntries(source, target, dict(entries))])
        except ValueError as exc:
            # A term DeepL cannot store (tab, newline, control character): masking still works.
            log.warning("DeepL glossary %s not created, terms will be masked: %s", name, mask_url(str(exc)))
            return None
        except deepl.DeepLException as exc:
            # 456: the account's glossary limit; 400: a pair or entry DeepL refuses. Both leave masking.
            if exc.http_status_code in {400, 456}:
                log.warning("DeepL glossary %s not created, terms will be masked: %s", name, mask_url(str(exc)))
                return None
            raise
        return info.glossary_id

    def _delete_glossary(self, glossary_id: str) -> None:
        # Another process may have cleaned it up first.
        with suppress(deepl.GlossaryNotFoundException):
            self.client.delete_multilingual_glossary(glossary_id)

    # --- transport ------------------------------------------------------------------------

    def formality_for(self, target: str, formality: str | None) -> str | None:
        """DeepL's formality parameter, or None where the target language has no formality."""
        if formality is None:
            return None
        if formality not in FORMALITY:
            raise ValueError(f"formality {formality!r} is not one of {', '.join(FORMALITY)}")
        code = self.target_code(target)
        return FORMALITY[formality] if code in self.languages().formality else None

    def _send(self, payloads: list[str], source: str, target: str, *, payload_fmt: str, glossary: Any,
              formality: str | None, context: str | None, tone: Sequence[str] = ()) -> list[Sent]:
        """One /v2/translate request for up to 50 payloads."""
        options: dict[str, Any] = {
            "source_lang": source_code(source) if source else None,
            "target_lang": self.target_code(target),
            "formality": self.formality_for(target, formality),
            "tag_handling": "html" if payload_fmt == "html" else "xml",
            "ignore_tags": ["x"],
        }
        if payload_fmt != "html":
            # With tag handling DeepL stops splitting sentences at newlines; a plain-text reply's
            # paragraphs must stay separate sentences as they would without tags.
            options["split_sentences"] = "1"
        if glossary:
            options["glossary"] = glossary
        if context:
            options["context"] = context
        with self._mapped_errors(glossary_id=glossary):
            results = self.client.translate_text(payloads, **options)
        if not isinstance(results, list) or len(results) != len(payloads):
            raise BadResponse(f"DeepL returned {len(results) if isinstance(results, list) else 'no'} "
                              f"translations for {len(payloads)} texts", engine=self.name)
        sent = []
        for payload, result in zip(payloads, results, strict=True):
            if not isinstance(result.text, str):
                raise BadResponse("DeepL returned a translation that is not text", engine=self.name)
            billed = getattr(result, "billed_characters", None)
            sent.append(Sent(result.text, billed_characters=billed if isinstance(billed, int) else len(payload),
                             detected_source_lang=(result.detected_source_lang or "").lower() or None))
        return sent

    @contextmanager
    def _mapped_errors(self, glossary_id: str | None = None) -> Iterator[None]:
        """Turn deepl-python's exceptions into Tolk's engine errors."""
        try:
            yield
        except EngineError:
            raise
        except deepl.QuotaExceededException as exc:
            raise QuotaExceeded(f"DeepL quota exceeded: {exc}", engine=self.name) from exc
        except deepl.TooManyRequestsException as exc:
            retry_after = self._client.transport.retry_after if self._client else None
            raise RateLimited(f"DeepL rate limit: {exc}", engine=self.name, retry_after=retry_after) from exc
        except deepl.AuthorizationException as exc:
            raise AuthFailed("DeepL rejected the auth key", engine=self.name) from exc
        except deepl.ConnectionException as exc:
            if timed_out(exc.__cause__):
                raise EngineTimeout(f"DeepL did not answer within {self.timeout:g} s", engine=self.name) from exc
            raise EngineUnavailable(f"DeepL unreachable: {exc}", engine=self.name) from exc
        except deepl.DeepLException as exc:
            status = exc.http_status_code
            message = str(exc)
            if status is not None and status >= 500:
                raise EngineUnavailable(f"DeepL server error: {message}", engine=self.name) from exc
            if glossary_id and status in {400, 404} and "glossary" in message.lower():
                # The glossary was deleted behind our back: forget it so the retry syncs a new one.
                with self._glossary_lock:
                    self._glossary_ids = {k: v for k, v in self._glossary_ids.items() if v != glossary_id}
                raise EngineUnavailable(f"DeepL glossary vanished: {message}", engine=self.name) from exc
            if status == 400 and "_lang" in message:
                raise Unsupported(f"DeepL refused the language: {message}", engine=self.name) from exc
            raise EngineError(f"DeepL request failed: {message}", engine=self.name) from exc
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            # deepl-python parses responses without checking their shape.
            raise BadResponse(f"DeepL response has an unexpected shape: {exc!r}", engine=self.name) from exc
