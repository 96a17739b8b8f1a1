"""Local HTTP fakes of vendor APIs: a threaded server base, failure scripting and a toy lexicon.

A fake binds 127.0.0.1 on an ephemeral port, records every request it receives (so tests can
assert what left the process) and can be told to misbehave for the next requests: an HTTP error,
a hang (for client timeouts) or a malformed body. Subclasses implement ``route`` in the vendor's
wire format; the "translation" they return comes from ``fake_translate``, a word-for-word lexicon
that touches text nodes only, so markup and ignored elements come back byte-identical.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for servers that cannot be given port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

@dataclass
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    body: Any = None

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    """What a route answers: a status, a JSON-able or raw body, extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclass
class _Script:
    kind: str  # "fail", "hang" or "malformed"
    times: int
    path: str | None
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # The status line and headers go out in one write, the body in another: with Nagle's algorithm on, the
    # body waits for the client's delayed ACK of the headers, about 40 ms on every call (vendors' servers do
    # not stall so; the benches' "Tolk's own" time included it).
    disable_nagle_algorithm = True

    def _handle(self) -> None:
        self.server.fake._serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the fake's record of requests is the log."""


class _KeepAliveHandler(_Handler):
    """HTTP/1.1 with persistent connections, as the vendors speak it (every answer has a Content-Length)."""

    protocol_version = "HTTP/1.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closes its socket while a hung handler still holds it: expected.
        return


class FakeServer:
    """Base of the vendor fakes: lifecycle, request log and failure scripting."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._scripts: list[_Script] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        #: Keep client connections open between requests (HTTP/1.1), as the vendors do; set before ``start``.
        self.keep_alive = False
        #: Seconds every answer waits, like a vendor's processing time (benchmarks: realistic engine latency).
        self.latency = 0.0
        #: Serve HTTPS with this context (its certificate and key); set before ``start``.
        self.tls: ssl.SSLContext | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeServer:
        """Bind an ephemeral port on 127.0.0.1 and serve in a background thread."""
        self._httpd = _Server(("127.0.0.1", 0), _KeepAliveHandler if self.keep_alive else _Handler)
        self._httpd.fake = self
        if self.tls is not None:
            self._httpd.socket = self.tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hung requests, stop serving and free the port."""
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("fake server is not running")
        host, port = self._httpd.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    # --- scripting ------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, body: Any = None, headers: Mapping[str, str] | None = None,
                  *, path: str | None = None) -> None:
        """Answer the next ``times`` requests (whose path contains ``path``) with an HTTP error."""
        self._script(_Script("fail", times, path, status=status, body=body, headers=dict(headers or {})))

    def hang_next(self, seconds: float, times: int = 1, *, path: str | None = None) -> None:
        """Hold the next requests ``seconds`` before answering normally, to trip client timeouts."""
        self._script(_Script("hang", times, path, seconds=seconds))

    def malformed_next(self, body: Any = b'{"translations": [', times: int = 1, *, path: str | None = None) -> None:
        """Answer the next requests 200 with ``body``: invalid JSON by default, or a wrong shape."""
        self._script(_Script("malformed", times, path, body=body))

    def reset(self) -> None:
        """Forget recorded requests and pending scripts (vendor state is kept)."""
        with self._lock:
            self.requests.clear()
            self._scripts.clear()

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path contains ``path`` (and with ``method``, if given)."""
        return [r for r in self.requests if path in r.path and (method is None or r.method == method)]

    def _script(self, script: _Script) -> None:
        if script.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._scripts.append(script)

    def _take_script(self, path: str) -> _Script | None:
        with self._lock:
            for script in self._scripts:
                if script.path is None or script.path in path:
                    script.times -= 1
                    if script.times == 0:
                        self._scripts.remove(script)
                    return script
        return None

    # --- vendor hooks ---------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> Reply:
        """Answer a request in the vendor's wire format."""
        raise NotImplementedError

    def error_reply(self, status: int, message: str) -> Reply:
        """The vendor's error body for ``status``."""
        return Reply(status, {"message": message})

    # --- serving --------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = RecordedRequest(handler.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                                  headers, raw, _parse_body(raw, headers.get("content-type", "")))
        with self._lock:
            self.requests.append(request)
        if self.latency:
            time.sleep(self.latency)
        script = self._take_script(request.path)
        if script is not None and script.kind == "hang":
            self._release.wait(script.seconds)
            script = None
        if script is None:
            try:
                reply = self.route(request)
            except Exception as exc:  # noqa: BLE001 - a fake bug must show up as a 500, not a hang
                reply = self.error_reply(500, f"fake server error: {exc!r}")
        elif script.kind == "fail":
            reply = (Reply(script.status, script.body, script.headers) if script.body is not None
                     else self.error_reply(script.status, f"scripted failure {script.status}"))
            reply.headers.update(script.headers)
        else:
            reply = Reply(200, script.body if script.body is not None else b"")
        self._write(handler, reply)

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        data = reply.encoded()
        try:
            handler.send_response(reply.status)
            if data:
                handler.send_header("Content-Type", f"{reply.content_type}; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if data and handler.command != "HEAD":
                handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


def _parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            return text
    if "x-www-form-urlencoded" in content_type:
        return parse_qs(text, keep_blank_values=True)
    return text


# --- a deterministic toy translation ---------------------------------------------------------

# A tuple is (informal, formal): the formal form is used only when formality asks for it.
LEXICON: dict[str, dict[str, str | tuple[str, str]]] = {
    "es": {
        "hello": "hola", "hi": "hola", "thanks": "gracias", "thank": "gracias", "you": ("tú", "usted"),
        "your": "su", "order": "pedido", "refund": "reembolso", "has": "ha", "been": "sido",
        "shipped": "enviado", "please": "por favor", "restart": "reinicie", "the": "el", "app": "aplicación",
        "account": "cuenta", "password": "contraseña", "we": "nosotros", "will": "vamos a", "send": "enviar",
        "a": "un", "new": "nuevo", "link": "enlace", "to": "a", "for": "por", "is": "está", "on": "en",
        "its": "su", "way": "camino", "sorry": "lo siento", "delay": "retraso", "invoice": "factura",
        "payment": "pago", "card": "tarjeta", "help": "ayuda", "today": "hoy", "our": "nuestro",
        "team": "equipo", "support": "soporte", "and": "y", "call": "llame", "write": "escriba",
        "number": "número", "here": "aquí", "click": "haga clic", "ready": "listo", "my": "mi", "where": "dónde",
    },
    "de": {
        "hello": "hallo", "hi": "hallo", "thanks": "danke", "thank": "danke", "you": ("du", "Sie"),
        "your": ("dein", "Ihr"), "order": "Bestellung", "refund": "Rückerstattung", "has": "wurde",
        "been": "", "shipped": "versandt", "please": "bitte", "restart": "neu starten", "the": "die",
        "app": "App", "account": "Konto", "password": "Passwort", "we": "wir", "will": "werden",
        "send": "senden", "a": "einen", "new": "neuen", "link": "Link", "to": "an", "for": "für", "is": "ist",
        "on": "auf", "its": "dem", "way": "Weg", "sorry": "Entschuldigung", "delay": "Verzögerung",
        "invoice": "Rechnung", "payment": "Zahlung", "card": "Karte", "help": "Hilfe", "today": "heute",
        "our": "unser", "team": "Team", "support": "Support", "and": "und", "call": "rufen",
        "number": "Nummer", "here": "hier", "ready": "bereit", "my": "mein", "where": "wo",
    },
    "pl": {
        "hello": "cześć", "hi": "cześć", "thanks": "dzięki", "thank": "dziękuję", "you": ("ty", "Pan"),
        "your": ("twój", "Pana"), "order": "zamówienie", "refund": "zwrot", "has": "zostało",
        "been": "", "shipped": "wysłane", "please": "proszę", "restart": "uruchom ponownie", "the": "",
        "app": "aplikację", "account": "konto", "password": "hasło", "we": "my", "will": "będziemy",
        "send": "wysłać", "a": "", "new": "nowy", "link": "link", "to": "do", "for": "za", "is": "jest",
        "on": "w", "way": "drodze", "sorry": "przepraszamy", "delay": "opóźnienie", "invoice": "faktura",
        "payment": "płatność", "card": "karta", "help": "pomoc", "today": "dzisiaj", "our": "nasz",
        "team": "zespół", "support": "wsparcie", "and": "i", "number": "numer", "here": "tutaj",
    },
    "fr": {
        "hello": "bonjour", "hi": "salut", "thanks": "merci", "thank": "merci", "you": ("tu", "vous"),
        "your": ("ton", "votre"), "order": "commande", "refund": "remboursement", "has": "a",
        "been": "été", "shipped": "expédiée", "please": "veuillez", "restart": "redémarrer", "the": "le",
        "app": "application", "account": "compte", "password": "mot de passe", "we": "nous",
        "will": "allons", "send": "envoyer", "a": "un", "new": "nouveau", "link": "lien", "to": "à",
        "for": "pour", "is": "est", "on": "en", "way": "route", "sorry": "désolé", "delay": "retard",
        "invoice": "facture", "payment": "paiement", "card": "carte", "help": "aide",
        "today": "aujourd'hui", "our": "notre", "team": "équipe", "support": "assistance", "and": "et",
        "number": "numéro", "here": "ici",
    },
}

_TAG = re.compile(r"<[^<>]*>")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][\w:.-]*)")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|\w+);")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:'[a-z]+)?")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})


def lexicon_for(target: str) -> dict[str, str | tuple[str, str]]:
    """The lexicon of a target code in any vendor's spelling (``ES``, ``de``, ``PT-BR``, ``zh-CN``)."""
    return LEXICON.get(re.split(r"[-_]", target.strip())[0].lower(), {})


def fake_translate(text: str, target: str, *, markup: str | None = None,
                   ignored: Callable[[str, str], bool] = lambda name, tag: False,
                   glossary: Mapping[str, str] | None = None, formal: bool = False) -> str:
    """Translate word by word; with ``markup`` only text nodes outside ignored elements change.

    ``ignored(name, tag)`` says whether an opening tag's content must stay untouched; glossary
    entries (source term -> target term, case-insensitive, longest first) win over the lexicon.
    """
    words = lexicon_for(target)
    terms = {k.lower(): v for k, v in (glossary or {}).items() if k.strip()}
    alternatives = [re.escape(t) for t in sorted(terms, key=len, reverse=True)]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)|" + _WORD.pattern if alternatives
                         else _WORD.pattern, re.IGNORECASE)

    def word(m: re.Match[str]) -> str:
        found = m.group(0)
        key = found.lower()
        if key in terms:
            return terms[key]
        entry = words.get(key)
        if entry is None:
            return found
        out = entry[1 if formal else 0] if isinstance(entry, tuple) else entry
        return out[:1].upper() + out[1:] if found[:1].isupper() and out[:1].islower() else out

    def node(piece: str) -> str:
        out, pos = [], 0
        for m in _ENTITY.finditer(piece):
            out.append(pattern.sub(word, piece[pos:m.start()]))
            out.append(m.group(0))
            pos = m.end()
        out.append(pattern.sub(word, piece[pos:]))
        return "".join(out)

    if markup is None:
        return node(text)
    out, pos = [], 0
    stack: list[tuple[str, bool]] = []
    for m in _TAG.finditer(text):
        piece = text[pos:m.start()]
        out.append(piece if any(ig for _n, ig in stack) else node(piece))
        tag = m.group(0)
        out.append(tag)
        name_match = _TAG_NAME.match(tag)
        name = name_match.group(1).lower() if name_match else ""
        if tag.startswith("</"):
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == name:
                    del stack[i:]
                    break
        elif name and not tag.endswith("/>") and not tag.startswith(("<!", "<?")) and name not in _VOID:
            stack.append((name, ignored(name, tag)))
        pos = m.end()
    tail = text[pos:]
    out.append(tail if any(ig for _n, ig in stack) else node(tail))
    return "".join(out)
