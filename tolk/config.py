"""Every setting Tolk reads, with its default and meaning, in one place.

Order of precedence: the defaults below, then ``TOLK_<NAME>`` environment variables, then the mapping
passed to ``create_app(config=...)`` (tests). The README's configuration table is generated from
``SETTINGS`` (``tolk config --markdown``), so this module is the one place a setting is documented.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _smtp_security(value: str) -> str:
    mode = value.strip().lower()
    if mode not in ("starttls", "tls", "none"):
        raise ValueError(f"not one of starttls, tls, none: {value!r}")
    return mode


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default, how an environment string is parsed, and what it means."""

    name: str
    default: Any
    doc: str
    parse: Callable[[str], Any] = str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None, "SQLAlchemy URL. Default: SQLite file `instance/tolk.db`; "
            "PostgreSQL: `postgresql+psycopg://user:pw@host/db`."),
    Setting("REDIS_URL", "redis://127.0.0.1:6390/0", "Redis for RQ jobs (the Makefile starts one on this port)."),
    Setting("QUEUE_NAME", "tolk", "RQ queue name shared by web processes and workers."),
    Setting("SECRET_KEY", None, "Flask session and CSRF signing key. Generated into `instance/secret_key` "
            "when unset.", secret=True),
    Setting("LANGUAGES", "en,es,ca,de,fr,nl,pl,et,pt,it,ja,zh-Hans,zh-Hant",
            "Locales the installation serves: language detection loads only these.", _list),
    Setting("ENGINE_ROUTES", "*=deepl,google,apertium",
            "Ordered engines per target language, e.g. `es=apertium,deepl;*=deepl,google`. Engines that are "
            "not configured or do not support the pair are skipped; errors fail over to the next."),
    Setting("ENGINE_TIMEOUT", 10.0, "Seconds before an engine request is abandoned.", float),
    Setting("ENGINE_RETRIES", 2, "Retries per engine on rate limits, 5xx and timeouts before failing over.", int),
    Setting("ENGINE_BACKOFF", 0.5, "First retry delay in seconds; doubles each retry.", float),
    Setting("ENGINE_DEADLINE", 8.0, "Seconds one request may spend on engine work in all (translation, retries, "
            "failover and back-translation together); past it no engine is tried and a reply goes to a human "
            "translator. 0: no deadline.", float),
    Setting("ENGINE_CIRCUIT_THRESHOLD", 5, "Consecutive failed calls after which an engine is skipped for "
            "`TOLK_ENGINE_CIRCUIT_COOLDOWN` seconds (shown in `/healthz`); 0 turns the circuit breaker off.", int),
    Setting("ENGINE_CIRCUIT_COOLDOWN", 30.0, "Seconds an engine with an open circuit is skipped before one "
            "request probes it again.", float),
    Setting("DEEPL_AUTH_KEY", None, "DeepL API key; DeepL is off without it.", secret=True),
    Setting("DEEPL_SERVER_URL", None, "DeepL server URL (default: the vendor's, chosen by the key)."),
    Setting("GOOGLE_PROJECT", None, "Google Cloud project id; Google v3 is off without it."),
    Setting("GOOGLE_LOCATION", "global", "Google Cloud location for v3 requests and glossaries."),
    Setting("GOOGLE_API_ENDPOINT", None, "Google API endpoint, e.g. `http://127.0.0.1:9000` for a local server."),
    Setting("GOOGLE_GLOSSARIES", "", "Google v3 glossary resources per Tolk glossary and pair: "
            "`brand:en-es=projects/p/locations/l/glossaries/g;...`."),
    Setting("APERTIUM_MODES_DIR", "/usr/share/apertium/modes", "Where installed Apertium modes live."),
    Setting("APERTIUM_BINARY", "apertium", "The apertium command (used to discover pairs)."),
    Setting("LLM_MODEL", None, "Chat model of the `llm` engine (an OpenAI-compatible chat-completions API); "
            "the engine is off without it."),
    Setting("LLM_BASE_URL", None, "Chat-completions server of the `llm` engine, e.g. `http://127.0.0.1:11434/v1` "
            "(Ollama), `http://127.0.0.1:8000/v1` (vLLM) or `http://127.0.0.1:8080/v1` (llama.cpp); default: "
            "OpenAI's."),
    Setting("LLM_API_KEY", None, "API key of the `llm` engine's server (local servers need none).", secret=True),
    Setting("LLM_TIMEOUT", 30.0, "Seconds before a request to the `llm` engine is abandoned (models are slower "
            "than machine-translation engines).", float),
    Setting("LLM_LANGUAGES", "", "Languages the `llm` engine may translate between; empty: every one of "
            "`LANGUAGES`.", _list),
    Setting("LLM_PRICE_INPUT", 0.0, "Price of the `llm` engine per million input (prompt) tokens, in "
            "`COST_CURRENCY`.", float),
    Setting("LLM_PRICE_OUTPUT", 0.0, "Price of the `llm` engine per million output (completion) tokens, in "
            "`COST_CURRENCY`.", float),
    Setting("ENGINE_PRICES", "deepl=25,google=20,apertium=0", "Price per million billed characters of each "
            "machine-translation engine (characters sent, for an engine that reports no billing), in `COST_CURRENCY` (`engine=price,...`; an engine left out costs 0)."),
    Setting("COST_CURRENCY", "EUR", "Currency of engine prices, budgets and the cost figures of the quality "
            "dashboard."),
    Setting("ENGINE_BUDGETS", "", "Monthly budget per engine in `COST_CURRENCY` (`deepl=500,llm=100`): a webhook "
            "and an admin notice at 80% and 100%; past 100% routing skips the engine until the month ends."),
    Setting("MAX_TEXT_CHARS", 20000, "Largest single text accepted by the API (413 beyond).", int),
    Setting("MAX_BATCH_TEXTS", 200, "Most texts in one translate request (413 beyond).", int),
    Setting("MAX_UPLOAD_BYTES", 5_000_000, "Largest import file (TBX, TMX, CSV, PO) accepted.", int),
    Setting("IMPORT_SYNC_BYTES", 262_144, "Glossary and TMX files up to this size are imported within the "
            "request; larger ones by a worker (202 and a job at `/api/v1/imports/<id>`).", int),
    Setting("PII_PATTERNS", "order_number=\\b(?:ORD|ORDER)-?\\d{5,12}\\b",
            "Extra customer-data patterns masked before text leaves the process: `name=regex;name=regex`."),
    Setting("EGRESS_LOG", "hash", "Record of what is sent to external engines: `off`, `hash` (SHA-256 of "
            "each payload) or `full` (the masked text itself)."),
    Setting("DETECTION_MIN_MARGIN", 0.2, "Relative margin between the two likeliest languages below which "
            "detection is reported as uncertain.", float),
    Setting("DEFAULT_GLOSSARY", "brand", "Glossary enforced on replies when the request names none (skipped "
            "when it does not exist)."),
    Setting("QUALITY_MIN_WORDS", 1000, "Evaluated words below which an MQM figure is marked inconclusive.", int),
    Setting("TM_FUZZY_THRESHOLD", 75, "Lowest fuzzy-match score (0-100) the translation memory reports; "
            "`/api/v1/tm/lookup` refuses a lower `threshold`.", int),
    Setting("TM_INDEX_DIR", "", "Directory of the translation memory's fuzzy-index snapshots, which every process "
            "maps instead of building its own index (default `instance/tm-index`; `memory`: an index per process, "
            "in memory). Rebuilt by the worker when recent segments outgrow it, or by `tolk tm index`."),
    Setting("TM_LOOKUP_MAX_RESULTS", 10, "Most fuzzy matches one `/api/v1/tm/lookup` call returns (`limit`).", int),
    Setting("CACHE_SECONDS", 30.0, "How long a process reuses locale profiles, a language's recent quality "
            "score and whether the default glossary exists before reading them again (changes made in the same "
            "process apply at once).", float),
    Setting("RETENTION_DAYS_REPLIES", 365, "Days a reply's texts are kept (agent text, translation, final text, "
            "customer details, webhook payloads, feedback comments); then they are removed and the reply's "
            "routing, engine and figures stay. 0 keeps them forever.", int),
    Setting("RETENTION_DAYS_REVIEWS", 365, "Days the texts of reply review items and their quality records are "
            "kept; outcomes, MQM annotations, words and SLA times stay. 0 keeps them forever.", int),
    Setting("RETENTION_DAYS_EGRESS", 90, "Days the egress record of an engine call (hashes or masked text, and "
            "its ticket) is kept; the call's engine, characters and cost stay. 0 keeps it forever.", int),
    Setting("RETENTION_PURGE_HOURS", 24, "Hours between two runs of the retention purge by the worker "
            "(`tolk privacy purge` runs it at once).", int),
    Setting("WEB_WORKERS", 2, "Gunicorn worker processes for `tolk serve`. A kept-alive connection stays with "
            "one worker, so a worker holding connections leaves a new one to a worker holding fewer (it waits 2 ms "
            "per connection it holds, 8 ms at most): a few busy clients are spread over the workers.", int),
    Setting("WEB_THREADS", 4, "Threads per worker process: they keep a process busy while engines answer "
            "(real engines take 100-500 ms); 1 gives the lowest latency with instant engines.", int),
    Setting("TOKEN_CACHE_SECONDS", 5.0, "How long a web process trusts an API token it has checked without reading "
            "it again: a token revoked (or its user deactivated) in another process is refused within this time; "
            "in the same process at once. 0 reads every request's token.", float),
    Setting("SESSION_HOURS", 12, "Hours a signed-in web session lasts.", int),
    Setting("SECURE_COOKIES", False, "Send the session cookie only over HTTPS (`Secure`); turn on whenever Tolk "
            "is served over HTTPS, directly or behind a proxy.", _bool),
    Setting("SIGN_IN_MAX_FAILURES", 5, "Failed sign-ins per account name within `TOLK_SIGN_IN_LOCKOUT_MINUTES` "
            "after which that name is locked for the rest of the window (even with the right password).", int),
    Setting("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 20, "Failed sign-ins from one client address (any names) within "
            "the window after which that address is locked.", int),
    Setting("SIGN_IN_LOCKOUT_MINUTES", 15, "The window in which failed sign-ins are counted and the lockout "
            "lasts (counted in Redis, so shared by every web process).", int),
    Setting("WORKER_HEARTBEAT", 5, "Seconds between a worker's heartbeats for its running job: a job whose worker "
            "died is re-queued about 3-5 heartbeats later, and a scheduler that died (a Redis restart) is restarted "
            "within 2.", int),
    Setting("WORKER_PROCESSES", 2, "Worker processes `tolk worker` runs (and restarts when one dies): the locales of an "
            "article translate in parallel, one job per process.", int),
    Setting("WORKER_FORK_PER_JOB", False, "Run each job in a process forked for it (RQ's default): jobs are isolated "
            "from each other, but engines, Apertium's pipelines and the glossary's matchers are built again for "
            "every job.", _bool),
    Setting("WEBHOOK_URLS", "", "Comma-separated helpdesk URLs receiving signed webhooks.", _list),
    Setting("WEBHOOK_SECRET", None, "Secret for Standard Webhooks signatures (`whsec_` + base64).", secret=True),
    Setting("NOTIFY_WEBHOOK_EVENTS", "", "Notification events also sent as webhooks to `TOLK_WEBHOOK_URLS`: any of "
            "`review.assigned`, `review.sla_at_risk`, `review.escalated`, `reply.awaiting_agent`, or `*` for all. "
            "Empty by default, so an existing helpdesk endpoint receives no event types it does not know.", _list),
    Setting("SMTP_HOST", None, "SMTP server for e-mail notifications (sent by the worker); e-mail is off without it."),
    Setting("SMTP_PORT", 587, "Port of `TOLK_SMTP_HOST` (587 with STARTTLS, 465 with TLS, 25 plain).", int),
    Setting("SMTP_SECURITY", "starttls", "How the SMTP connection is protected: `starttls` (upgrade a plain "
            "connection), `tls` (TLS from the start) or `none` (a local relay only).", _smtp_security),
    Setting("SMTP_USER", None, "SMTP user name; no login without it."),
    Setting("SMTP_PASSWORD", None, "SMTP password of `TOLK_SMTP_USER`.", secret=True),
    Setting("SMTP_TIMEOUT", 15.0, "Seconds before an SMTP connection or command is abandoned (the job retries).",
            float),
    Setting("MAIL_SENDER", "Tolk <tolk@localhost>", "The `From` of notification e-mails."),
    Setting("SLA_AT_RISK_PERCENT", 80, "Share of a review item's time to its deadline after which its reviewer is "
            "told it is at risk (`review.sla_at_risk`).", int),
    Setting("SLA_SWEEP_MINUTES", 5, "Minutes between two runs of the SLA sweep by the worker (at-risk notices, "
            "overdue items); `tolk reviews escalate` runs it at once, e.g. from cron.", int),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def load(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults, then ``TOLK_*`` variables, then ``overrides``; raise ValueError on a malformed value."""
    environ = os.environ if environ is None else environ
    # String defaults go through the same parser as environment values, so both have one type.
    values: dict[str, Any] = {
        s.name: s.parse(s.default) if isinstance(s.default, str) and s.parse is not str else s.default
        for s in SETTINGS
    }
    for setting in SETTINGS:
        raw = environ.get(f"TOLK_{setting.name}")
        if raw is None:
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ValueError(f"TOLK_{setting.name}: {exc}") from exc
    for key, value in (overrides or {}).items():
        values[key] = value
    return values


def is_secret(name: str) -> bool:
    """Whether a setting must never be shown in logs, errors or API output."""
    setting = _BY_NAME.get(name)
    return bool(setting and setting.secret)


_URL = re.compile(r"\b([a-z][a-z0-9+.-]*://)([^/@\s?#]*@)?([^\s,;]*)", re.I)
_SECRET_PARAM = re.compile(r"([?&](?:[a-z_-]*(?:key|token|secret|password|passwd|pwd|sig|signature|auth)"
                           r"[a-z_-]*)=)[^&#\s,;]*", re.I)


def mask_url(text: str) -> str:
    """``text`` with the credentials of every URL in it masked: the password of the user information
    (``postgresql://tolk:***@db/tolk``) and query parameters named like a key, token, secret or password."""

    def one(match: re.Match[str]) -> str:
        scheme, userinfo, rest = match.group(1), match.group(2), match.group(3)
        if userinfo:
            user, colon, _password = userinfo[:-1].partition(":")
            userinfo = f"{user}:***@" if colon else "***@"
        return scheme + (userinfo or "") + _SECRET_PARAM.sub(r"\1***", rest)

    # Also a bare path with a query (``url: /in?token=...`` in a requests error message).
    return _SECRET_PARAM.sub(r"\1***", _URL.sub(one, text))


def markdown_table() -> str:
    """The configuration table for the README."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = s.default
        if isinstance(default, list):
            default = ",".join(default)
        shown = "" if default in (None, "") else f"`{default}`"
        rows.append(f"| `TOLK_{s.name}` | {shown} | {s.doc} |")
    return "\n".join(rows)
