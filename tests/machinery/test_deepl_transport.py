"""DeepL's transport: straight to urllib3 without a proxy, through requests with one; the same answers and errors."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from machinery.base import EngineTimeout, EngineUnavailable
from machinery.deepl import DeepLEngine
from machinery.deepl_transport import Transport, timed_out
from tests.fakes.deepl_server import DeepLFake


@pytest.fixture
def no_proxy_variables(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sends(monkeypatch):
    """The calls that went through requests' session."""
    calls = []
    real = requests.Session.send

    def send(self, request, **kwargs):
        calls.append(request.url)
        return real(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return calls


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_without_a_proxy_calls_skip_requests_and_send_what_requests_would(no_proxy_variables, deepl_settings,
                                                                         deepl_fake, sends):
    engine = DeepLEngine.from_settings(deepl_settings)
    [out] = engine.translate_batch(["Your refund"], "en", "es")
    engine.close()

    assert out.text == "Su reembolso"
    assert sends == []
    [call] = deepl_fake.requests_to("/v2/translate", "POST")
    assert call.header("Content-Type") == "application/json"
    assert call.header("Authorization") == f"DeepL-Auth-Key {deepl_fake.auth_key}"
    assert call.header("User-Agent").startswith("deepl-python/")
    assert call.body["text"] == ["Your refund"]


def test_a_form_is_encoded_as_requests_encodes_it(no_proxy_variables, deepl_fake):
    transport = Transport(timeout=5.0)
    status, text = transport.request_with_backoff(
        "POST", f"{deepl_fake.url}/v2/translate", data={"text": ["Your refund", "Your order"], "target_lang": "ES",
                                                         "formality": None},
        json=None, headers={"Authorization": f"DeepL-Auth-Key {deepl_fake.auth_key}"})
    transport.close()

    assert status == 200
    assert "Su reembolso" in text and "Su pedido" in text
    [call] = deepl_fake.requests_to("/v2/translate", "POST")
    assert call.header("Content-Type") == "application/x-www-form-urlencoded"
    # A None value is left out, a list repeats its key: as requests does.
    assert parse_qs(call.text) == {"text": ["Your refund", "Your order"], "target_lang": ["ES"]}


def test_a_proxy_in_the_environment_is_honoured_through_requests(monkeypatch, no_proxy_variables, deepl_settings,
                                                                 deepl_fake, sends):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    engine = DeepLEngine.from_settings(deepl_settings)
    with pytest.raises(EngineUnavailable):  # the proxy is down: nothing reaches DeepL around it
        engine.translate_batch(["Your refund"], "en", "es")
    engine.close()
    assert deepl_fake.requests_to("/v2/translate", "POST") == []

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    engine = DeepLEngine.from_settings(deepl_settings)
    [out] = engine.translate_batch(["Your refund"], "en", "es")
    engine.close()
    assert out.text == "Su reembolso"
    assert any(url.endswith("/v2/translate") for url in sends)


def test_rate_limit_and_server_errors_keep_their_status_on_the_direct_path(no_proxy_variables, deepl_fake):
    transport = Transport(timeout=5.0)
    auth = {"Authorization": f"DeepL-Auth-Key {deepl_fake.auth_key}"}

    def call() -> int:
        status, _ = transport.request_with_backoff("POST", f"{deepl_fake.url}/v2/translate", data=None,
                                                   json={"text": ["a"], "target_lang": "ES"}, headers=dict(auth))
        return status

    deepl_fake.fail_next(429, headers={"Retry-After": "7"}, path="/v2/translate")
    assert (call(), transport.retry_after) == (429, 7.0)
    deepl_fake.fail_next(503, path="/v2/translate")  # no Retry-After: the last one is not kept
    assert (call(), transport.retry_after) == (503, None)
    deepl_fake.fail_next(456, path="/v2/translate")  # DeepL's quota exceeded
    assert call() == 456
    assert call() == 200
    transport.close()
    assert len(deepl_fake.requests_to("/v2/translate", "POST")) == 4  # one attempt each: no retry of its own


def test_threads_share_the_connections_and_keep_their_own_retry_after(no_proxy_variables):
    fake = DeepLFake()
    fake.keep_alive = True
    with fake:
        engine = DeepLEngine.from_settings({"DEEPL_AUTH_KEY": fake.auth_key, "DEEPL_SERVER_URL": fake.url,
                                            "ENGINE_TIMEOUT": 5.0})
        engine.supports("en", "es")
        start = threading.Barrier(8)
        answers: dict[int, str] = {}
        failures: list[BaseException] = []

        def work(thread: int) -> None:
            try:
                start.wait()
                for n in range(20):
                    [out] = engine.translate_batch([f"Your refund for order {thread * 100 + n}"], "en", "es")
                    answers[thread * 100 + n] = out.text
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert failures == []
        # Each answer is its own request's: no answer read from a connection another thread was using.
        assert answers == {key: f"Su reembolso por pedido {key}" for key in answers} and len(answers) == 160
        transport = engine.client.transport
        pool = transport._pool.connection_from_url(fake.url)
        assert 1 <= pool.num_connections <= 8  # kept alive and shared, not one connection per call

        # Retry-After is the calling thread's: read after another thread's call, a 429's is still there.
        fake.fail_next(429, headers={"Retry-After": "7"}, path="/v2/translate")
        seen: dict[str, float | None] = {}
        answered, other_answered = threading.Event(), threading.Event()

        def ask(name: str, before: threading.Event | None, after: threading.Event) -> None:
            if before is not None:
                before.wait(10)
            transport.request_with_backoff("POST", f"{fake.url}/v2/translate", data=None,
                                           json={"text": ["a"], "target_lang": "ES"},
                                           headers={"Authorization": f"DeepL-Auth-Key {fake.auth_key}"})
            after.set()
            if before is None:
                other_answered.wait(10)
            seen[name] = transport.retry_after

        pair = [threading.Thread(target=ask, args=("limited", None, answered)),
                threading.Thread(target=ask, args=("served", answered, other_answered))]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join(10)
        engine.close()
    assert seen == {"limited": 7.0, "served": None}


def test_a_hanging_server_is_a_timeout_and_a_refused_connection_is_not(no_proxy_variables, deepl_settings,
                                                                      deepl_fake):
    engine = DeepLEngine.from_settings({**deepl_settings, "ENGINE_TIMEOUT": 0.5})
    engine.supports("en", "es")
    deepl_fake.hang_next(3, path="/v2/translate")
    with pytest.raises(EngineTimeout):
        engine.translate_batch(["Your refund"], "en", "es")
    engine.close()

    refused = DeepLEngine.from_settings({**deepl_settings, "DEEPL_SERVER_URL": f"http://127.0.0.1:{closed_port()}"})
    with pytest.raises(EngineUnavailable):
        refused.translate_batch(["Your refund"], "en", "es")
    refused.close()


def test_timeouts_are_told_apart_from_refusals_on_both_paths():
    pool = urllib3.HTTPConnectionPool("127.0.0.1")
    assert timed_out(urllib3.exceptions.ReadTimeoutError(pool, "/v2/translate", "read timed out"))
    assert timed_out(urllib3.exceptions.ConnectTimeoutError("connect timed out"))
    # urllib3 makes a refused connection a kind of connect timeout; requests does not, nor does Tolk.
    assert not timed_out(urllib3.exceptions.NewConnectionError(urllib3.connection.HTTPConnection("127.0.0.1"),
                                                               "refused"))
    assert timed_out(requests.ReadTimeout())
    assert not timed_out(requests.ConnectionError())
    assert not timed_out(None)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: no CA bundle trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def https_fake(tmp_path):
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake = DeepLFake()
    fake.tls = context
    with fake:
        yield fake, cert


def test_an_untrusted_certificate_is_refused_and_a_named_bundle_trusts_it(monkeypatch, no_proxy_variables, https_fake,
                                                                          sends):
    fake, cert = https_fake
    settings = {"DEEPL_AUTH_KEY": fake.auth_key, "DEEPL_SERVER_URL": fake.url, "ENGINE_TIMEOUT": 5.0}
    engine = DeepLEngine.from_settings(settings)
    with pytest.raises(EngineUnavailable):  # certificates are checked: nothing is sent to a server not trusted
        engine.translate_batch(["Your refund"], "en", "es")
    engine.close()
    assert fake.requests_to("/v2/translate", "POST") == []

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    engine = DeepLEngine.from_settings(settings)
    [out] = engine.translate_batch(["Your refund"], "en", "es")
    engine.close()
    assert out.text == "Su reembolso"
    assert sends == []  # the direct path, with the named bundle
