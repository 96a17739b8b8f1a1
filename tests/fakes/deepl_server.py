"""A local fake of the DeepL API (v2 translate, languages, usage, v2 and v3 glossaries)."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes import FakeServer, RecordedRequest, Reply, fake_translate

SOURCE_LANGUAGES = {
    "AR": "Arabic", "BG": "Bulgarian", "CS": "Czech", "DA": "Danish", "DE": "German", "EL": "Greek",
    "EN": "English", "ES": "Spanish", "ET": "Estonian", "FI": "Finnish", "FR": "French", "HU": "Hungarian",
    "ID": "Indonesian", "IT": "Italian", "JA": "Japanese", "KO": "Korean", "LT": "Lithuanian",
    "LV": "Latvian", "NB": "Norwegian", "NL": "Dutch", "PL": "Polish", "PT": "Portuguese",
    "RO": "Romanian", "RU": "Russian", "SK": "Slovak", "SL": "Slovenian", "SV": "Swedish", "TR": "Turkish",
    "UK": "Ukrainian", "ZH": "Chinese",
}
TARGET_LANGUAGES = {
    **{code: name for code, name in SOURCE_LANGUAGES.items() if code not in {"EN", "PT"}},
    "EN-GB": "English (British)", "EN-US": "English (American)", "PT-BR": "Portuguese (Brazilian)",
    "PT-PT": "Portuguese (European)", "ZH-HANS": "Chinese (simplified)", "ZH-HANT": "Chinese (traditional)",
}
FORMALITY_TARGETS = {"DE", "ES", "FR", "IT", "JA", "NL", "PL", "PT-BR", "PT-PT", "RU"}
GLOSSARY_LANGUAGES = ("DA", "DE", "EN", "ES", "FR", "IT", "JA", "KO", "NB", "NL", "PL", "PT", "RU", "SV", "ZH")
# Lists whose items travel as repeated form fields (or JSON arrays).
_LIST_PARAMS = {"text", "ignore_tags", "non_splitting_tags", "splitting_tags", "glossary_ids"}


@dataclass
class Glossary:
    """A glossary on the fake account: one dictionary per (SOURCE, TARGET) base-language pair."""

    glossary_id: str
    name: str
    creation_time: str
    dictionaries: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def v2(self) -> dict[str, Any]:
        (source, target), entries = next(iter(self.dictionaries.items()))
        return {"glossary_id": self.glossary_id, "name": self.name, "ready": True,
                "source_lang": source.lower(), "target_lang": target.lower(),
                "creation_time": self.creation_time, "entry_count": len(entries)}

    def v3(self) -> dict[str, Any]:
        return {"glossary_id": self.glossary_id, "name": self.name, "creation_time": self.creation_time,
                "dictionaries": [{"source_lang": s.lower(), "target_lang": t.lower(), "entry_count": len(e)}
                                 for (s, t), e in self.dictionaries.items()]}


def _tsv(entries: dict[str, str]) -> str:
    return "\n".join(f"{s}\t{t}" for s, t in entries.items())


def _parse_entries(text: str, fmt: str) -> dict[str, str]:
    sep = "," if fmt == "csv" else "\t"
    entries = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        source, found, target = line.partition(sep)
        if not found or not source.strip() or not target.strip():
            raise ValueError(f"Entry {n} is not source{sep!r}target")
        entries[source.strip()] = target.strip()
    return entries


class DeepLFake(FakeServer):
    """Speaks DeepL's wire format; translation is the toy lexicon of ``tests.fakes``."""

    def __init__(self, auth_key: str = "test-key:fx", *, character_limit: int = 500_000,
                 glossary_limit: int = 1000) -> None:
        super().__init__()
        self.auth_key = auth_key
        self.character_limit = character_limit
        self.character_count = 0
        self.glossary_limit = glossary_limit
        self.source_languages = dict(SOURCE_LANGUAGES)
        self.target_languages = dict(TARGET_LANGUAGES)
        self.formality_targets = set(FORMALITY_TARGETS)
        self.glossary_languages: tuple[str, ...] = GLOSSARY_LANGUAGES
        self.glossaries: dict[str, Glossary] = {}

    def error_reply(self, status: int, message: str) -> Reply:
        return Reply(status, {"message": message})

    # --- routing --------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> Reply:
        if request.header("Authorization") != f"DeepL-Auth-Key {self.auth_key}":
            return self.error_reply(403, "Authorization failure")
        params = self.params(request)
        method, path = request.method, request.path.rstrip("/")
        if path == "/v2/translate" and method == "POST":
            return self._translate(params)
        if path == "/v2/usage" and method in {"GET", "POST"}:
            return Reply(200, {"character_count": self.character_count, "character_limit": self.character_limit})
        if path == "/v2/languages" and method in {"GET", "POST"}:
            return self._languages(params.get("type", "source"))
        if path == "/v2/glossary-language-pairs" and method == "GET":
            return Reply(200, {"supported_languages": [
                {"source_lang": s.lower(), "target_lang": t.lower()}
                for s, t in itertools.permutations(self.glossary_languages, 2)]})
        for version in ("v2", "v3"):
            reply = self._glossary_routes(version, method, path, params)
            if reply is not None:
                return reply
        return self.error_reply(404, f"no route for {method} {path}")

    @staticmethod
    def params(request: RecordedRequest) -> dict[str, Any]:
        """Query, form and JSON parameters merged; list parameters always come back as lists."""
        form = "x-www-form-urlencoded" in (request.header("Content-Type") or "")
        sources: list[tuple[dict[str, Any], bool]] = [(request.query, True)]
        if isinstance(request.body, dict):
            sources.append((request.body, form))
        merged: dict[str, Any] = {}
        for source, from_form in sources:
            for key, value in source.items():
                if key in _LIST_PARAMS:
                    values = value if isinstance(value, list) else [value]
                    if key != "text":
                        values = [v for item in values for v in str(item).split(",") if v]
                    merged[key] = values
                else:
                    # Form fields and query strings arrive as lists of strings; JSON keeps its types.
                    merged[key] = value[-1] if from_form and isinstance(value, list) else value
        return merged

    # --- translate ------------------------------------------------------------------------

    def _translate(self, params: dict[str, Any]) -> Reply:
        texts = params.get("text")
        if not texts:
            return self.error_reply(400, "Parameter 'text' not specified.")
        if len(texts) > 50:
            return self.error_reply(413, "Too many texts: at most 50 per request.")
        target = str(params.get("target_lang", "")).upper()
        if target not in self.target_languages:
            return self.error_reply(400, "Value for 'target_lang' not supported.")
        source = str(params.get("source_lang", "")).upper() or None
        if source is not None and source not in self.source_languages:
            return self.error_reply(400, "Value for 'source_lang' not supported.")
        formality = str(params.get("formality", "default")).lower()
        if formality not in {"default", "more", "less", "prefer_more", "prefer_less"}:
            return self.error_reply(400, "Invalid value for 'formality'.")
        if formality in {"more", "less"} and target not in self.formality_targets:
            return self.error_reply(400, "'formality' is not supported for given 'target_lang'.")
        entries = None
        if params.get("glossary_id"):
            glossary = self.glossaries.get(str(params["glossary_id"]))
            if glossary is None:
                return self.error_reply(404, "Glossary not found.")
            if source is None:
                return self.error_reply(400, "Use of a glossary requires the 'source_lang' parameter.")
            entries = glossary.dictionaries.get((source, target.split("-")[0]))
            if entries is None:
                return self.error_reply(400, "Glossary does not match the language pair.")
        tag_handling = params.get("tag_handling")
        if tag_handling not in {None, "xml", "html"}:
            return self.error_reply(400, "Invalid value for 'tag_handling'.")
        ignore = {t.lower() for t in params.get("ignore_tags", [])}
        formal = formality in {"more", "prefer_more"} and target in self.formality_targets
        show_billed = str(params.get("show_billed_characters", "")).lower() in {"1", "true"}
        translations = []
        for text in texts:
            out = fake_translate(str(text), target, markup=tag_handling, glossary=entries, formal=formal,
                                 ignored=lambda name, tag: name in ignore)
            item: dict[str, Any] = {"detected_source_language": source or "EN", "text": out}
            if show_billed:
                item["billed_characters"] = len(str(text))
            self.character_count += len(str(text))
            translations.append(item)
        return Reply(200, {"translations": translations})

    def _languages(self, kind: str) -> Reply:
        if kind == "target":
            return Reply(200, [{"language": code, "name": name, "supports_formality": code in self.formality_targets}
                               for code, name in self.target_languages.items()])
        return Reply(200, [{"language": code, "name": name} for code, name in self.source_languages.items()])

    # --- glossaries -----------------------------------------------------------------------

    def _glossary_routes(self, version: str, method: str, path: str, params: dict[str, Any]) -> Reply | None:
        base = f"/{version}/glossaries"
        if path == base:
            if method == "GET":
                return Reply(200, {"glossaries": [getattr(g, version)() for g in self.glossaries.values()]})
            if method == "POST":
                return self._create(version, params)
            return None
        m = re.fullmatch(re.escape(base) + r"/([^/]+)(/entries|/dictionaries)?", path)
        if m is None:
            return None
        glossary = self.glossaries.get(m.group(1))
        if glossary is None:
            return self.error_reply(404, "Glossary not found.")
        suffix = m.group(2)
        if suffix is None and method == "GET":
            return Reply(200, getattr(glossary, version)())
        if suffix is None and method == "DELETE":
            del self.glossaries[glossary.glossary_id]
            return Reply(204)
        if suffix is None and method == "PATCH" and version == "v3":
            if params.get("name"):
                glossary.name = str(params["name"])
            for item in params.get("dictionaries") or []:
                pair = (str(item["source_lang"]).upper(), str(item["target_lang"]).upper())
                glossary.dictionaries.setdefault(pair, {}).update(
                    _parse_entries(str(item["entries"]), str(item.get("entries_format", "tsv"))))
            return Reply(200, glossary.v3())
        if suffix == "/entries" and method == "GET":
            if version == "v2":
                entries = next(iter(glossary.dictionaries.values()))
                return Reply(200, _tsv(entries), content_type="text/tab-separated-values")
            pair = (str(params.get("source_lang", "")).upper(), str(params.get("target_lang", "")).upper())
            if pair not in glossary.dictionaries:
                return self.error_reply(404, "Dictionary not found.")
            return Reply(200, {"dictionaries": [{
                "source_lang": pair[0].lower(), "target_lang": pair[1].lower(),
                "entries": _tsv(glossary.dictionaries[pair]), "entries_format": "tsv"}]})
        if suffix == "/dictionaries" and version == "v3" and method == "PUT":
            pair = (str(params["source_lang"]).upper(), str(params["target_lang"]).upper())
            glossary.dictionaries[pair] = _parse_entries(str(params["entries"]),
                                                         str(params.get("entries_format", "tsv")))
            return Reply(200, {"source_lang": pair[0].lower(), "target_lang": pair[1].lower(),
                               "entry_count": len(glossary.dictionaries[pair])})
        if suffix == "/dictionaries" and version == "v3" and method == "DELETE":
            pair = (str(params.get("source_lang", "")).upper(), str(params.get("target_lang", "")).upper())
            if glossary.dictionaries.pop(pair, None) is None:
                return self.error_reply(404, "Dictionary not found.")
            return Reply(204)
        return self.error_reply(405, f"{method} not allowed on {path}")

    def _create(self, version: str, params: dict[str, Any]) -> Reply:
        if not params.get("name"):
            return self.error_reply(400, "Parameter 'name' not specified.")
        if len(self.glossaries) >= self.glossary_limit:
            return self.error_reply(456, "Glossary limit reached for this account.")
        items = params.get("dictionaries") if version == "v3" else [params]
        if not items:
            return self.error_reply(400, "Parameter 'dictionaries' not specified.")
        dictionaries = {}
        for item in items:
            pair = (str(item.get("source_lang", "")).upper(), str(item.get("target_lang", "")).upper())
            if pair[0] not in self.glossary_languages or pair[1] not in self.glossary_languages:
                return self.error_reply(400, f"Unsupported glossary language pair {pair[0]}-{pair[1]}.")
            try:
                dictionaries[pair] = _parse_entries(str(item.get("entries", "")),
                                                    str(item.get("entries_format", "tsv")))
            except ValueError as exc:
                return self.error_reply(400, f"Invalid glossary entries: {exc}")
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        glossary = Glossary(str(uuid.uuid4()), str(params["name"]), stamp, dictionaries)
        self.glossaries[glossary.glossary_id] = glossary
        return Reply(201, getattr(glossary, version)())

    def add_glossary(self, name: str, source: str, target: str, entries: dict[str, str]) -> Glossary:
        """Put a glossary on the fake account directly (state a test starts from)."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        glossary = Glossary(str(uuid.uuid4()), name, stamp, {(source.upper(), target.upper()): dict(entries)})
        self.glossaries[glossary.glossary_id] = glossary
        return glossary
