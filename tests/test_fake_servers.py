"""The local vendor fakes can keep connections alive like the vendors (benchmarks measure with it)."""

from __future__ import annotations

import http.client

import pytest

from tests.fakes.deepl_server import DeepLFake


@pytest.mark.parametrize("keep_alive, version, reused", [(True, 11, True), (False, 10, False)])
def test_keep_alive_answers_http11_on_one_connection(keep_alive, version, reused):
    fake = DeepLFake()
    fake.keep_alive = keep_alive
    with fake:
        conn = http.client.HTTPConnection("127.0.0.1", int(fake.url.rsplit(":", 1)[1]), timeout=5)
        sockets = []
        for _ in range(2):
            conn.request("GET", "/v2/usage", headers={"Authorization": f"DeepL-Auth-Key {fake.auth_key}"})
            response = conn.getresponse()
            assert response.status == 200 and response.version == version
            response.read()
            sockets.append(conn.sock)
        conn.close()
    # http.client reconnects after the server closed (HTTP/1.0): a new socket for the second request.
    assert (sockets[0] is sockets[1] and sockets[0] is not None) == reused
    assert len(fake.requests) == 2
