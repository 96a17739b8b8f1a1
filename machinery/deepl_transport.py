"""DeepL's HTTP transport: deepl-python's client cut to one attempt, Tolk's timeout and Retry-After kept."""

from __future__ import annotations

import os
import threading
from typing import Any

import deepl
import requests

from machinery.base import bounded_timeout, retry_after_seconds


class Transport(deepl.http_client.HttpClient):
    """deepl-python's HTTP client cut to one attempt with Tolk's timeout.

    The library retries 429 and 5xx up to five times with its own backoff and takes its timeout
    from module globals shared by the whole process; retries and failover belong to the router,
    and each engine has its own timeout. It also keeps Retry-After, which the library drops.
    """

    def __init__(self, timeout: float):
        super().__init__(send_platform_info=False)
        self.timeout = timeout
        self._local = threading.local()
        # requests re-reads the environment for proxies on every call (about 1 ms with a large
        # environment); without proxy variables, read the CA bundle once and stop looking.
        if not any(name.lower().endswith("_proxy") for name in os.environ):
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            self._session.trust_env = False
            if bundle:
                self._session.verify = bundle

    @property
    def retry_after(self) -> float | None:
        """Retry-After of this thread's last response, in seconds."""
        return getattr(self._local, "retry_after", None)

    def request_with_backoff(self, method: str, url: str, data: dict | None, json: dict | None,
                             headers: dict, stream: bool = False, **kwargs: Any) -> tuple[int, Any]:
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
