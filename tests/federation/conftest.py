"""The federation test rig: a small real HTTP server on loopback (for ``core.net``)
and shared key material (RSA generation is slow; one pair per test session)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rostra.federation.keys import generate_keypair


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    hits: list = []
    peers: list = []  # the client's (address, port) of each request: one per connection

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.hits.append((self.command, self.path, dict(self.headers)))
        self.peers.append(self.client_address)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)  # read the body, so a kept-alive connection stays in step
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            if value is not None:  # None: leave the header out (body ends at close)
                self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815


def _serve(protocol: str):
    handler = type("Handler", (_Handler,), {"routes": {}, "hits": [], "peers": [],
                                            "protocol_version": protocol})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.routes = handler.routes
    server.hits = handler.hits
    server.peers = handler.peers
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    return server


@pytest.fixture
def http_server():
    """A loopback server (HTTP/1.0: a connection per request); set
    ``server.routes[path] = (status, headers, body)``."""
    server = _serve("HTTP/1.0")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def keepalive_server():
    """The same, speaking HTTP/1.1 with kept-alive connections, as real servers do."""
    server = _serve("HTTP/1.1")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def rsa_pair():
    return generate_keypair()


@pytest.fixture(scope="session")
def other_rsa_pair():
    return generate_keypair()


@pytest.fixture
def remote(settings, http_server, rsa_pair, db):
    """A fake remote server (``remote_rig.FakeRemote``) publishing the actor ``zoe``,
    with outbound fetches allowed to reach it over plain http on loopback."""
    from tests.federation.remote_rig import FakeRemote

    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    fake = FakeRemote(http_server, *rsa_pair)
    fake.actor("zoe")
    return fake
