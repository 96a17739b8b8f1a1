"""A local fake of an OpenAI-compatible chat-completions API (hosted, vLLM, Ollama, llama.cpp all speak it)."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from tests.fakes import FakeServer, RecordedRequest, Reply, fake_translate


@dataclass
class _Answer:
    """A scripted assistant message for the next completion."""

    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"


class OpenAIFake(FakeServer):
    """Speaks ``POST /v1/chat/completions``; "translates" each segment with the toy lexicon of ``tests.fakes``.

    The engine's user message is JSON holding ``target_language`` and ``segments``; the answer is the
    structured output ``{"translations": [...]}`` the request's JSON schema asks for. A system prompt
    asking for formal address gets the formal words of the lexicon.
    """

    def __init__(self, api_key: str = "sk-test", *, models: tuple[str, ...] = ("tolk-test-model",)) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = set(models)
        self._answers: list[_Answer] = []

    def error_reply(self, status: int, message: str) -> Reply:
        kind = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
                429: "rate_limit_exceeded"}.get(status, "server_error")
        return Reply(status, {"error": {"message": message, "type": kind, "param": None, "code": None}})

    def answer_next(self, content: str | None = None, *, refusal: str | None = None, finish_reason: str = "stop",
                    times: int = 1) -> None:
        """Answer the next completions 200 with this assistant message instead of translating."""
        self._answers.extend(_Answer(content, refusal, finish_reason) for _ in range(times))

    def reset(self) -> None:
        super().reset()
        self._answers.clear()

    def completions(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat-completion requests received."""
        return [r.body for r in self.requests_to("/chat/completions", "POST")]

    # --- routing --------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> Reply:
        if request.header("Authorization") != f"Bearer {self.api_key}":
            return self.error_reply(401, "Incorrect API key provided.")
        path = request.path.rstrip("/")
        if path == "/v1/models" and request.method == "GET":
            return Reply(200, {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "tolk"}
                                                          for m in sorted(self.models)]})
        if path == "/v1/chat/completions" and request.method == "POST":
            return self._complete(request.body)
        return self.error_reply(404, f"no route for {request.method} {path}")

    def _complete(self, body: Any) -> Reply:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return self.error_reply(400, "'messages' is a required property")
        if body.get("model") not in self.models:
            return self.error_reply(404, f"The model `{body.get('model')}` does not exist.")
        messages = body["messages"]
        prompt = "".join(str(m.get("content", "")) for m in messages)
        if self._answers:
            answer = self._answers.pop(0)
        else:
            answer = self._translate(messages)
            if isinstance(answer, Reply):
                return answer
        message: dict[str, Any] = {"role": "assistant", "content": answer.content, "refusal": answer.refusal}
        return Reply(200, {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": answer.finish_reason, "logprobs": None}],
            "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(answer.content or "") // 4,
                      "total_tokens": len(prompt) // 4 + len(answer.content or "") // 4},
        })

    def _translate(self, messages: list[dict[str, Any]]) -> _Answer | Reply:
        system = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
        try:
            request = json.loads(str(messages[-1].get("content", "")))
            target, segments = str(request["target_language"]), list(request["segments"])
        except (ValueError, KeyError, TypeError):
            return self.error_reply(400, "the fake understands only the engine's JSON user message")
        formal = re.search(r"\bformally\b", system) is not None
        translations = [fake_translate(str(s), target, formal=formal) for s in segments]
        return _Answer(json.dumps({"translations": translations}, ensure_ascii=False))
