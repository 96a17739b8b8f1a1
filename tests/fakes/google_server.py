"""A local fake of Google Cloud Translation v3 REST (translateText, detectLanguage, languages, glossaries)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.fakes import LEXICON, FakeServer, RecordedRequest, Reply, fake_translate

LANGUAGES = ("en", "es", "de", "fr", "pl", "pt", "pt-PT", "it", "nl", "ca", "et", "ja", "ko", "zh-CN",
             "zh-TW", "iw", "ru", "uk", "sv", "tr")
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "UNIMPLEMENTED",
                503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
MAX_SEGMENTS = 1024
MAX_CODEPOINTS = 30_720
_PARENT = r"/v3/projects/(?P<project>[^/:]+)(?:/locations/(?P<location>[^/:]+))?"


@dataclass
class Glossary:
    """A unidirectional glossary resource on the fake project."""

    name: str
    source: str
    target: str
    entries: dict[str, str]

    def resource(self) -> dict[str, Any]:
        return {"name": self.name, "languagePair": {"sourceLanguageCode": self.source,
                                                    "targetLanguageCode": self.target},
                "entryCount": len(self.entries), "displayName": self.name.rsplit("/", 1)[-1]}


def _no_translate(name: str, tag: str) -> bool:
    return re.search(r"""\btranslate\s*=\s*["']?no\b""", tag) is not None or "notranslate" in tag


class GoogleTranslateFake(FakeServer):
    """Speaks Cloud Translation v3's REST wire format with the toy lexicon of ``tests.fakes``."""

    def __init__(self) -> None:
        super().__init__()
        self.languages: tuple[str, ...] = LANGUAGES
        self.glossaries: dict[str, Glossary] = {}

    def error_reply(self, status: int, message: str) -> Reply:
        return Reply(status, {"error": {"code": status, "message": message,
                                        "status": STATUS_NAMES.get(status, "UNKNOWN")}})

    def add_glossary(self, name: str, source: str, target: str, entries: dict[str, str]) -> Glossary:
        """Create a glossary resource (``projects/p/locations/l/glossaries/g``) on the fake project."""
        glossary = Glossary(name, source, target, dict(entries))
        self.glossaries[name] = glossary
        return glossary

    # --- routing --------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> Reply:
        path, method = request.path, request.method
        body = request.body if isinstance(request.body, dict) else {}
        m = re.fullmatch(_PARENT + r":translateText", path)
        if m and method == "POST":
            return self._translate(m.group("project"), m.group("location") or "global", body)
        m = re.fullmatch(_PARENT + r":detectLanguage", path)
        if m and method == "POST":
            return self._detect(body)
        m = re.fullmatch(_PARENT + r"/supportedLanguages", path)
        if m and method == "GET":
            return Reply(200, {"languages": [{"languageCode": code, "supportSource": True, "supportTarget": True}
                                             for code in self.languages]})
        m = re.fullmatch(_PARENT + r"/glossaries", path)
        if m and method == "GET":
            prefix = path[len("/v3/"):-len("/glossaries")]
            return Reply(200, {"glossaries": [g.resource() for n, g in self.glossaries.items()
                                              if n.startswith(prefix + "/")]})
        m = re.fullmatch(_PARENT + r"/glossaries/[^/:]+", path)
        if m and method == "GET":
            glossary = self.glossaries.get(path[len("/v3/"):])
            if glossary is None:
                return self.error_reply(404, f"Glossary {path[len('/v3/'):]} not found.")
            return Reply(200, glossary.resource())
        return self.error_reply(404, f"no route for {method} {path}")

    def _translate(self, project: str, location: str, body: dict[str, Any]) -> Reply:
        contents = body.get("contents") or []
        if not isinstance(contents, list) or not contents:
            return self.error_reply(400, "Empty contents.")
        if len(contents) > MAX_SEGMENTS or sum(len(str(c)) for c in contents) > MAX_CODEPOINTS:
            return self.error_reply(400, "Text too long.")
        target = str(body.get("targetLanguageCode") or "")
        source = str(body.get("sourceLanguageCode") or "") or None
        if target not in self.languages:
            return self.error_reply(400, "Target language is invalid.")
        if source is not None and source not in self.languages:
            return self.error_reply(400, "Source language is invalid.")
        mime = body.get("mimeType") or "text/html"  # Google's default is HTML
        if mime not in {"text/html", "text/plain"}:
            return self.error_reply(400, "Unsupported mime type.")
        markup = "html" if mime == "text/html" else None
        glossary = None
        config = body.get("glossaryConfig")
        if config:
            name = str(config.get("glossary", ""))
            glossary = self.glossaries.get(name)
            if glossary is None:
                return self.error_reply(404, f"Glossary {name} not found.")
            if not name.startswith(f"projects/{project}/locations/{location}/"):
                return self.error_reply(400, "Glossary location must match the request location.")
            if source is None or (source, target) != (glossary.source, glossary.target):
                return self.error_reply(400, "Glossary language pair does not match the request.")
        reply: dict[str, Any] = {"translations": []}
        for text in contents:
            item = {"translatedText": fake_translate(str(text), target, markup=markup, ignored=_no_translate)}
            if source is None:
                item["detectedLanguageCode"] = "en"
            reply["translations"].append(item)
        if glossary is not None:
            reply["glossaryTranslations"] = [
                {"translatedText": fake_translate(str(text), target, markup=markup, ignored=_no_translate,
                                                  glossary=glossary.entries),
                 "glossaryConfig": {"glossary": glossary.name}} for text in contents]
        return Reply(200, reply)

    def _detect(self, body: dict[str, Any]) -> Reply:
        words = set(re.findall(r"\w+", str(body.get("content", "")).lower()))
        scores = {lang: len(words & {str(v if isinstance(v, str) else v[0]).lower() for v in lexicon.values()})
                  for lang, lexicon in LEXICON.items()}
        best = max(scores, key=lambda lang: scores[lang])
        code = best if scores[best] > 0 else "en"
        return Reply(200, {"languages": [{"languageCode": code, "confidence": 0.9}]})
