"""The engines in plain language for the admin pages: ready, not configured (and which setting to set),
down (the circuit breaker is open) or recovering, with the language pairs each serves and the routes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString, lazy_gettext
from flask_babel import gettext as _

from machinery.base import Engine
from machinery.routing import CircuitBreaker

#: What people call each engine.
LABELS = {"deepl": "DeepL", "google": "Google Cloud Translation", "apertium": "Apertium",
          "llm": "Language model (llm)", "fake": "Fake engine (tests and demos)"}
#: What an administrator does to configure an engine that is not.
TO_CONFIGURE: dict[str, LazyString] = {
    "deepl": lazy_gettext("set %(setting)s", setting="TOLK_DEEPL_AUTH_KEY"),
    "google": lazy_gettext("set %(setting)s", setting="TOLK_GOOGLE_PROJECT"),
    "llm": lazy_gettext("set %(setting)s (and %(url)s for a local server)", setting="TOLK_LLM_MODEL",
                        url="TOLK_LLM_BASE_URL"),
    "apertium": lazy_gettext("install Apertium language pairs (e.g. %(command)s) in %(setting)s",
                             command="apt install apertium-en-es", setting="TOLK_APERTIUM_MODES_DIR")}


@dataclass
class EngineStatus:
    """One engine as the admin pages show it."""

    name: str
    label: str
    state: str  # ready, not_configured, down, recovering, broken
    summary: str
    pairs: list[str] | None = None  # None: any pair of the vendor's languages
    notes: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return self.state in ("down", "broken", "recovering")


def _pairs(engine: Engine) -> list[str] | None:
    pairs = engine.language_pairs()
    return None if pairs is None else [f"{s} → {t}" for s, t in pairs]


def _notes(health: Mapping[str, Any]) -> list[str]:
    notes = []
    usage = health.get("usage")
    if isinstance(usage, Mapping) and usage.get("character_count") is not None:
        used, limit = format(usage["character_count"], ","), usage.get("character_limit")
        notes.append(_("%(used)s of %(limit)s characters used this billing period", used=used,
                       limit=format(limit, ",")) if limit else
                     _("%(used)s characters used this billing period", used=used))
    if health.get("model"):
        notes.append(_("model %(model)s", model=health["model"]))
    if health.get("characters_sent"):
        sent = format(health["characters_sent"], ",")
        notes.append(_("%(count)s characters translated since start", count=sent))
    return notes


def engine_status(name: str, engine: Engine, breaker: CircuitBreaker | None = None, *,
                  with_health: bool = True) -> EngineStatus:
    """The status of one engine; ``with_health`` adds what its health report says (no network request)."""
    label = LABELS.get(name, name)
    try:
        configured = engine.is_configured()
        health = engine.health() if with_health and configured else {}
        pairs = _pairs(engine) if configured else []
    except Exception as exc:  # a broken engine is what these pages are for: say why, do not fail the page
        error = f"{type(exc).__name__}: {exc}"
        return EngineStatus(name, label, "broken", _("%(engine)s: broken: %(error)s", engine=label, error=error))
    if not configured:
        todo = str(TO_CONFIGURE.get(name) or _("see its settings"))
        return EngineStatus(name, label, "not_configured",
                            _("%(engine)s: not configured: %(todo)s", engine=label, todo=todo), [])
    circuit = breaker.state(name) if breaker is not None else {"state": "closed"}
    if circuit["state"] == "open":
        status = EngineStatus(name, label, "down", _(
            "%(engine)s: down: %(failures)d failures in a row; requests skip it for %(seconds)s more seconds",
            engine=label, failures=circuit["consecutive_failures"], seconds=circuit.get("retry_in_seconds", 0)),
            pairs)
    elif circuit["state"] == "half_open":
        status = EngineStatus(name, label, "recovering", _(
            "%(engine)s: recovering: the next request tests whether it works again", engine=label), pairs)
    else:
        status = EngineStatus(name, label, "ready", _("%(engine)s: ready", engine=label), pairs)
    status.notes = _notes(health)
    return status


def engine_statuses(engines: Mapping[str, Engine], breaker: CircuitBreaker | None = None, *,
                    with_health: bool = True) -> list[EngineStatus]:
    """Every engine's status, in registry order."""
    return [engine_status(name, engine, breaker, with_health=with_health) for name, engine in engines.items()]


def route_lines(routes: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """(target languages, engines tried in order) of the routing table, in words; the fallback last."""
    lines = []
    for target, names in sorted(routes.items(), key=lambda item: item[0] == "*"):
        who = _(", then ").join(LABELS.get(n, n) for n in names)
        lines.append((_("Any other language") if target == "*" else target, who))
    return lines
