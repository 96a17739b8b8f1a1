"""DeepL's HTTP transport: deepl-python's client cut to one attempt, Tolk's timeout and Retry-After kept."""

from __future__ import annotations

import json as jsonlib
import os
import threading
from typing import Any
from urllib.parse import urlencode

import deepl
import requests
import urllib3

from machinery.base import bounded_timeout, retry_after_seconds

# What requests sends by default besides the library's own headers (deepl-python sets the User-Agent).
_DEFAULT_HEADERS = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate"}


class Transport(deepl.http_client.HttpClient):
    """deepl-python's HTTP client cut to one attempt with Tolk's timeout.

    The library retries 429 and 5xx up to five times with its own backoff and takes its timeout
    from module globals shared by the whole process; retries and failover belong to the router,
    and each engine has its own timeout. It also keeps Retry-After, which the library drops.

    With no proxy to honour, a request goes straight to urllib3 (the library under requests): requests'
    own work per call (preparing the URL, cookie jars, adapters, its response object) was about 30% of
    a call's CPU (0.64 against 0.44 ms) and 7% of a reply's instructions. A proxy in the environment, a
    streamed answer or a file upload takes requests' path, as the library would.
    """

    def __init__(self, timeout: float):
        super().__init__(send_platform_info=False)
        self.timeout = timeout
        self._local = threading.local()
        self._pool: urllib3.PoolManager | None = None
        # requests re-reads the environment for proxies on every call (about 1 ms with a large
        # environment); without proxy variables, read the CA bundle once and stop looking.
        if not any(name.lower().endswith("_proxy") for name in os.environ):
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            self._session.trust_env = False
            if bundle:
                self._session.verify = bundle
            # requests' defaults: ten kept connections per host, certificates checked against certifi's bundle.
            self._pool = urllib3.PoolManager(maxsize=10, retries=False, cert_reqs="CERT_REQUIRED",
                                             ca_certs=bundle or requests.utils.DEFAULT_CA_BUNDLE_PATH)

    def close(self) -> None:
        super().close()
        if self._pool is not None:
            self._pool.clear()

    @property
    def retry_after(self) -> float | None:
        """Retry-After of this thread's last response, in seconds."""
        return getattr(self._local, "retry_after", None)

    def request_with_backoff(self, method: str, url: str, data: dict | None, json: dict | None,
                             headers: dict, stream: bool = False, **kwargs: Any) -> tuple[int, Any]:
        if self._pool is None or stream or kwargs:
            return self._through_requests(method, url, data, json, headers, stream, **kwargs)
        headers = {**_DEFAULT_HEADERS, **headers}
        headers.setdefault("User-Agent", f"deepl-python/{deepl.__version__}")
        body: bytes | None = None
        if json is not None and not data:
            body = jsonlib.dumps(json, allow_nan=False).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        elif data:
            body = _form(data).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        seconds = bounded_timeout(self.timeout)
        try:
            response = self._pool.request(method, url, body=body, headers=headers, redirect=False,
                                          timeout=urllib3.Timeout(connect=seconds, read=seconds))
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            what = "Request timed out" if timed_out(exc) else "Connection failed"
            raise deepl.ConnectionException(f"{what}: {exc}", should_retry=True) from exc
        self._local.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return response.status, response.data.decode("utf-8", "replace")

    def _through_requests(self, method: str, url: str, data: dict | None, json: dict | None, headers: dict,
                          stream: bool, **kwargs: Any) -> tuple[int, Any]:
        request = self._prepare_request(method, url, data, json, headers, **kwargs)
        status, response = self._internal_request(request, stream=True, timeout=bounded_timeout(self.timeout))
        if isinstance(response, str):  # the library types both answers; with stream=True it gives the Response
            self._local.retry_after = None
            return status, response
        self._local.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        if stream:
            return status, response
        try:
            response.encoding = "UTF-8"
            return status, response.text
        except requests.RequestException as exc:
            raise deepl.ConnectionException(f"Reading the response failed: {exc}", should_retry=True) from exc
        finally:
            response.close()


def _form(data: dict) -> str:
    """``data`` form-encoded as requests encodes it: a list repeats its key, a None value is left out."""
    return urlencode([(key, value) for key, values in data.items()
                      for value in (values if isinstance(values, list | tuple) else [values]) if value is not None])


def timed_out(exc: BaseException | None) -> bool:
    """Whether ``exc`` (the cause of a ``deepl.ConnectionException``) is a timeout, on either path. urllib3 counts a
    refused connection as a connect timeout; requests does not, and neither does this."""
    if isinstance(exc, requests.Timeout):
        return True
    return isinstance(exc, urllib3.exceptions.TimeoutError) and not isinstance(exc, urllib3.exceptions.NewConnectionError)


class Client(deepl.DeepLClient):
    """deepl-python's client on Tolk's one-attempt ``Transport``."""

    def __init__(self, auth_key: str, *, server_url: str | None, timeout: float):
        super().__init__(auth_key, server_url=server_url, send_platform_info=False)
        self._client.close()
        self._transport = Transport(timeout)
        self._client = self._transport

    @property
    def transport(self) -> Transport:
        return self._transport
