"""A large language model behind the OpenAI-compatible chat-completions API (hosted, vLLM, Ollama, llama.cpp).

The prompt carries what a machine-translation engine cannot take: the glossary terms that apply
(required, forbidden, do-not-translate), the locale's register and tone rules, and the ticket's
context. Segments travel as one JSON request and come back as structured output (a JSON schema with
one translation per segment). Protected spans are ``[[n]]`` tokens: an answer that drops, repeats or
invents one, or that is not the JSON asked for, is asked again once; a second bad answer fails the
engine, so the router fails over. The model's token usage is reported for metering.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import openai
from babel import Locale, UnknownLocaleError
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

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
    Refused,
    Sent,
    retry_after_seconds,
)
from machinery.protection import Protector
from tolk.languages import base, same_language, underscored

_TOKEN_RE = re.compile(r"\[\[\d+\]\]")
# How each register is written, so the model need not guess what "formal" means in the language.
_FORMAL_ADDRESS = {
    "es": ("usted", "tú/vosotros"), "ca": ("vostè", "tu/vosaltres"), "de": ("Sie", "du/ihr"),
    "nl": ("u", "jij/je"), "fr": ("vous", "tu"), "it": ("Lei", "tu"), "pt": ("o senhor/a senhora", "tu/você"),
    "pl": ("Pan/Pani", "ty"), "et": ("teie", "sina"), "ru": ("Вы", "ты"), "zh": ("您", "你"),
    "ja": ("keigo (です/ます)", "plain forms"),
}
MAX_PROMPT_TERMS = 60  # enough for a reply; a whole termbase would crowd out the text


def language_name(tag: str) -> str:
    """The English name of a BCP 47 tag ("es-MX" -> "Spanish (Mexico)"), or the tag itself."""
    try:
        return Locale.parse(underscored(tag)).english_name or tag
    except (UnknownLocaleError, ValueError, TypeError):
        return tag


def response_schema(count: int) -> ResponseFormatJSONSchema:
    """The structured-output format asking for exactly ``count`` translations."""
    return {"type": "json_schema", "json_schema": {"name": "translations", "strict": True, "schema": {
        "type": "object", "additionalProperties": False, "required": ["translations"],
        "properties": {"translations": {"type": "array", "items": {"type": "string"},
                                        "minItems": count, "maxItems": count}}}}}


class LLMEngine(Engine):
    """Translation by a chat model through the official ``openai`` client."""

    name = "llm"
    token_style = "plain"
    max_batch = 20
    native_glossaries = True
    #: A bad answer (broken JSON, wrong count, lost tokens) is asked again this many times.
    retries_on_bad_answer: ClassVar[int] = 1

    def __init__(self, model: str | None, *, base_url: str | None = None, api_key: str | None = None,
                 languages: Sequence[str] = (), protector: Protector | None = None, timeout: float = 30.0,
                 temperature: float = 0.0):
        super().__init__(protector=protector, timeout=timeout)
        self.model, self.base_url, self.temperature = model, base_url, temperature
        self._api_key = api_key
        self.languages = frozenset(base(tag) for tag in languages)
        self._client: openai.OpenAI | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, protector: Protector | None = None) -> LLMEngine:
        """Build from ``LLM_MODEL``, ``LLM_BASE_URL``, ``LLM_API_KEY``, ``LLM_TIMEOUT``, ``LLM_LANGUAGES``."""
        languages = settings.get("LLM_LANGUAGES") or settings.get("LANGUAGES") or ()
        return cls(settings.get("LLM_MODEL") or None, base_url=settings.get("LLM_BASE_URL") or None,
                   api_key=settings.get("LLM_API_KEY") or None, languages=languages, protector=protector,
                   timeout=float(settings.get("LLM_TIMEOUT") or 30.0))

    @property
    def client(self) -> openai.OpenAI:
        """The OpenAI client, built on first use; the engine retries, the client does not."""
        if self._client is None:
            # Local servers (Ollama, llama.cpp) take any key, but the client insists on one.
            self._client = openai.OpenAI(api_key=self._api_key or "unused", base_url=self.base_url,
                                         timeout=self.timeout, max_retries=0)
        return self._client

    def is_configured(self) -> bool:
        """Whether a model is named and there is a key or a (local) server to send it to."""
        return bool(self.model) and bool(self._api_key or self.base_url)

    def supports(self, source: str, target: str) -> bool:
        """Any two different languages the installation lets the model write."""
        return not same_language(source, target) and {base(source), base(target)} <= self.languages

    def health(self) -> dict[str, Any]:
        """Configuration and model; makes no request and never shows the key."""
        return {"configured": self.is_configured(), "model": self.model,
                "server_url": self.base_url or "vendor default"}

    def glossary_for(self, glossary: EngineGlossary | None) -> EngineGlossary | None:
        """The glossary itself: its terms go into the prompt instead of being masked."""
        return glossary if glossary is not None and (glossary.entries or glossary.forbidden) else None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- prompt ---------------------------------------------------------------------------

    def instructions(self, payloads: Sequence[str], source: str, target: str, *, payload_fmt: str,
                     glossary: EngineGlossary | None, formality: str | None, context: str | None,
                     tone: Sequence[str]) -> str:
        """The system prompt: task, output, protected tokens, register, tone, terminology, context."""
        lines = [
            "You translate customer-support text for a helpdesk.",
            f"Translate each segment from {language_name(source)} ({source}) to {language_name(target)} ({target}).",
            'Answer with JSON {"translations": [...]}: exactly one translation per segment, in the same order.',
            "Tokens written [[1]], [[2]] and so on stand for protected text (customer data, links, "
            "placeholders): copy each token exactly once and unchanged into the translation.",
        ]
        if payload_fmt == "html":
            lines.append("The segments are HTML: keep every tag and attribute as it is; translate only the text.")
        address = _FORMAL_ADDRESS.get(base(target))
        if formality == "formal":
            lines.append("Address the customer formally" + (f" ({address[0]}, never {address[1]})." if address
                                                             else "."))
        elif formality == "informal":
            lines.append("Address the customer informally" + (f" ({address[1]}, never {address[0]})."
                                                              if address else "."))
        lines.extend(f"Tone: {rule}" for rule in tone)
        if glossary is not None:
            lines.extend(self._term_lines(payloads, glossary))
        if context:
            lines.append(f"Context of the ticket (do not translate it): {context}")
        lines.append("Do not add, drop or explain anything.")
        return "\n".join(lines)

    @staticmethod
    def _term_lines(payloads: Sequence[str], glossary: EngineGlossary) -> list[str]:
        text = "\n".join(payloads).lower()
        required = [(s, t) for s, t in glossary.entries.items() if s != t and s.lower() in text]
        keep = [s for s in glossary.do_not_translate if s.lower() in text]
        lines = [f'Translate "{s}" as "{t}".' for s, t in required[:MAX_PROMPT_TERMS]]
        if keep:
            lines.append("Leave these terms untranslated: " + ", ".join(f'"{s}"' for s in keep[:MAX_PROMPT_TERMS]))
        if glossary.forbidden:
            lines.append("Never use these terms: " + ", ".join(f'"{s}"' for s in glossary.forbidden[:MAX_PROMPT_TERMS]))
        return lines

    # --- transport ------------------------------------------------------------------------

    def _send(self, payloads: list[str], source: str, target: str, *, payload_fmt: str, glossary: Any,
              formality: str | None, context: str | None, tone: Sequence[str] = ()) -> list[Sent]:
        """One chat completion per attempt for up to ``max_batch`` payloads; a bad answer is asked again once."""
        system = self.instructions(payloads, source, target, payload_fmt=payload_fmt, glossary=glossary,
                                   formality=formality, context=context, tone=tone)
        user = json.dumps({"source_language": source, "target_language": target, "segments": payloads},
                          ensure_ascii=False)
        messages: list[ChatCompletionMessageParam] = [{"role": "system", "content": system},
                                                      {"role": "user", "content": user}]
        input_tokens = output_tokens = 0
        problem = ""
        for _attempt in range(self.retries_on_bad_answer + 1):
            with self._mapped_errors():
                response = self.client.chat.completions.create(
                    model=str(self.model), temperature=self.temperature, messages=messages,
                    response_format=response_schema(len(payloads)))
            usage = response.usage
            if usage is not None:
                input_tokens += usage.prompt_tokens or 0
                output_tokens += usage.completion_tokens or 0
            if not response.choices:
                problem = "an answer without choices"
                continue
            choice = response.choices[0]
            if choice.message.refusal or choice.finish_reason == "content_filter":
                raise Refused(f"the model declined to translate: {choice.message.refusal or 'content filter'}",
                              engine=self.name)
            texts, problem = self._parse(choice.message.content, payloads, choice.finish_reason)
            if texts is not None:
                sent = [Sent(text) for text in texts]
                sent[0].input_tokens, sent[0].output_tokens = input_tokens, output_tokens
                return sent
        raise BadResponse(f"the model gave {problem} twice", engine=self.name)

    @staticmethod
    def _parse(content: str | None, payloads: list[str], finish_reason: str | None) -> tuple[list[str] | None, str]:
        """The translations in an answer, or None and what is wrong with it."""
        if finish_reason == "length":
            return None, "an answer cut off at the token limit"
        try:
            data = json.loads(content or "")
        except ValueError:
            return None, "an answer that is not JSON"
        texts = data.get("translations") if isinstance(data, dict) else None
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return None, "an answer without a list of translations"
        if len(texts) != len(payloads):
            return None, f"{len(texts)} translations for {len(payloads)} segments"
        for payload, text in zip(payloads, texts, strict=True):
            if Counter(_TOKEN_RE.findall(payload)) != Counter(_TOKEN_RE.findall(text)):
                return None, "a translation that did not keep its protected tokens"
        return texts, ""

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        """Turn the openai client's exceptions into Tolk's engine errors."""
        try:
            yield
        except EngineError:
            raise
        except openai.APITimeoutError as exc:
            raise EngineTimeout(f"the model did not answer within {self.timeout:g} s", engine=self.name) from exc
        except openai.APIConnectionError as exc:
            raise EngineUnavailable(f"the model server is unreachable: {exc}", engine=self.name) from exc
        except openai.RateLimitError as exc:
            if exc.code == "insufficient_quota":
                raise QuotaExceeded(f"the model account is out of quota: {_message(exc)}", engine=self.name) from exc
            raise RateLimited(f"the model server's rate limit: {_message(exc)}", engine=self.name,
                              retry_after=retry_after_seconds(exc.response.headers.get("retry-after"))) from exc
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise AuthFailed("the model server rejected the API key", engine=self.name) from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise EngineUnavailable(f"model server error {exc.status_code}: {_message(exc)}",
                                        engine=self.name) from exc
            raise EngineError(f"the model request failed ({exc.status_code}): {_message(exc)}",
                              engine=self.name) from exc
        except (openai.APIResponseValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BadResponse(f"the model server's answer has an unexpected shape: {exc!r}", engine=self.name) from exc


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return str(body.get("message") or exc.message)
