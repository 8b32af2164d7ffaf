"""The outbound HTTP door refuses what must not be reached, on every hop."""

from __future__ import annotations

import pytest

from rostra.core import net


@pytest.fixture
def allow_http(settings):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False


@pytest.fixture
def exempt(monkeypatch):
    """Exempt exactly one loopback endpoint from the private-address rule."""
    endpoints: set = set()
    monkeypatch.setattr(net, "_exempt_endpoints", endpoints)
    return endpoints


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/",
    "https://10.0.0.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:10.0.0.1]/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://100.64.0.1/",
    "https://192.168.1.1/",
    "https://[64:ff9b::7f00:1]/",
    "https://[2002:7f00:1::]/",
])
def test_private_and_special_addresses_are_refused(settings, url):
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    with pytest.raises(net.BlockedAddress):
        net.fetch(url)


def test_a_hostname_resolving_to_loopback_is_refused(settings, monkeypatch):
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    monkeypatch.setattr(net, "_resolve", lambda host, port: ["127.0.0.1"])
    with pytest.raises(net.BlockedAddress):
        net.fetch("https://innocent.example/")


def test_a_hostname_with_one_private_address_among_public_ones_is_refused(settings, monkeypatch):
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    monkeypatch.setattr(net, "_resolve", lambda host, port: ["93.184.215.14", "10.1.2.3"])
    with pytest.raises(net.BlockedAddress):
        net.fetch("https://mixed.example/")


def test_real_loopback_name_is_refused(settings):
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    with pytest.raises(net.BlockedAddress):
        net.fetch("https://localhost/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/",
                                 "http://example.org/", "https://user:pw@example.org/",
                                 "https:///nohost", "https://[::1/"])
def test_bad_schemes_and_malformed_urls_are_refused(settings, url):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = False
    with pytest.raises(net.BlockedURL):
        net.fetch(url)


def test_public_addresses_pass_the_check():
    assert not net.is_blocked_ip("93.184.215.14")
    assert not net.is_blocked_ip("2606:2800:21f:cb07:6820:80da:af6b:8b2c")


def test_allowed_loopback_server_is_fetched_with_allow_private(settings, http_server):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    http_server.routes["/doc"] = (200, {"Content-Type": "application/activity+json"},
                                  b'{"ok": true}')
    response = net.fetch(f"{http_server.base}/doc")
    assert response.status == 200
    assert response.json() == {"ok": True}
    net.require_content_type(response)
    method, _path, headers = http_server.hits[0]
    assert headers["Host"] == http_server.base.removeprefix("http://")
    assert "activity+json" in headers["Accept"]


def test_loopback_server_is_refused_without_allow_private(allow_http, http_server):
    with pytest.raises(net.BlockedAddress):
        net.fetch(f"{http_server.base}/doc")
    assert http_server.hits == []


def test_redirect_to_a_private_address_is_refused(allow_http, exempt, http_server):
    """The first hop is exempt (our test server); the redirect target is checked anew."""
    exempt.add(("127.0.0.1", http_server.server_address[1]))
    http_server.routes["/start"] = (302, {"Location": "http://169.254.169.254/latest/"}, b"")
    with pytest.raises(net.BlockedAddress):
        net.fetch(f"{http_server.base}/start")
    assert [hit[1] for hit in http_server.hits] == ["/start"]  # the first hop did happen


def test_redirect_to_another_loopback_port_is_refused(allow_http, exempt, http_server):
    exempt.add(("127.0.0.1", http_server.server_address[1]))
    http_server.routes["/start"] = (301, {"Location": "http://127.0.0.1:1/admin"}, b"")
    with pytest.raises(net.BlockedAddress):
        net.fetch(f"{http_server.base}/start")


def test_redirect_to_a_name_resolving_to_loopback_is_refused(allow_http, exempt, http_server,
                                                            monkeypatch):
    exempt.add(("127.0.0.1", http_server.server_address[1]))
    port = http_server.server_address[1]
    monkeypatch.setattr(net, "_resolve", lambda host, p: ["127.0.0.1"])
    # The exemption is for one (address, port); a name resolving to loopback elsewhere
    # is checked like any other redirect target.
    http_server.routes["/start"] = (302, {"Location": f"http://rebind.example:{port + 1}/"},
                                    b"")
    with pytest.raises(net.BlockedAddress):
        net.fetch(f"{http_server.base}/start")


def test_allowed_redirects_are_followed(settings, http_server):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    http_server.routes["/a"] = (302, {"Location": "/b"}, b"")
    http_server.routes["/b"] = (200, {"Content-Type": "application/json"}, b"[]")
    response = net.fetch(f"{http_server.base}/a")
    assert response.status == 200
    assert response.url.endswith("/b")
    assert response.history == [f"{http_server.base}/a"]


def test_redirect_loops_stop(settings, http_server):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    http_server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(net.TooManyRedirects):
        net.fetch(f"{http_server.base}/loop")
    assert len(http_server.hits) == net.MAX_REDIRECTS + 1


def test_oversized_body_is_refused(settings, http_server):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    http_server.routes["/big"] = (200, {"Content-Type": "application/json"}, b"x" * 5000)
    with pytest.raises(net.ResponseTooLarge):
        net.fetch(f"{http_server.base}/big", max_bytes=1000)


def test_oversized_body_without_length_is_cut_off_while_streaming(settings, http_server):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    # No Content-Length: only the streaming count can stop it.
    http_server.routes["/stream"] = (200, {"Content-Type": "application/json",
                                           "Content-Length": None}, b"y" * 50_000)
    with pytest.raises(net.ResponseTooLarge):
        net.fetch(f"{http_server.base}/stream", max_bytes=1000)


def test_content_type_check(settings, http_server):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    http_server.routes["/html"] = (200, {"Content-Type": "text/html"}, b"<p>hi</p>")
    with pytest.raises(net.UnexpectedContentType):
        net.fetch_json(f"{http_server.base}/html")


def test_post_is_not_redirected_and_signer_is_called(settings, http_server):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    http_server.routes["/inbox"] = (307, {"Location": "/elsewhere"}, b"")
    calls = []

    def signer(method, url, headers, body):
        calls.append((method, url, body))
        return {"Signature": "test"}

    response = net.post(f"{http_server.base}/inbox", b"{}", sign_with=signer)
    assert response.status == 307
    assert calls == [("POST", f"{http_server.base}/inbox", b"{}")]
    assert http_server.hits[0][2]["Signature"] == "test"
    assert len(http_server.hits) == 1


def test_unresolvable_host_is_a_net_error(settings):
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    with pytest.raises(net.NetError):
        net.fetch("https://does-not-exist.invalid/")


def test_tls_goes_to_the_checked_address_with_the_real_name_for_sni(settings, monkeypatch,
                                                                   tmp_path):
    """Connect to the resolved IP, but present the host name in SNI and verify the
    certificate against it (a self-signed certificate is refused)."""
    import datetime as dt
    import socket
    import ssl
    import threading

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rostra.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("rostra.test")]), False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    context.sni_callback = lambda sock, server_name, ctx: seen.append(server_name)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        try:
            context.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    monkeypatch.setattr(net, "_resolve", lambda host, p: ["127.0.0.1"])
    with pytest.raises(net.NetError):
        net.fetch(f"https://rostra.test:{port}/")
    thread.join(5)
    listener.close()
    assert seen == ["rostra.test"]


def test_requests_to_one_server_reuse_a_kept_alive_connection(settings, keepalive_server):
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    keepalive_server.routes["/inbox"] = (202, {}, b"")
    net.close_connections()
    for _ in range(5):
        assert net.post(f"{keepalive_server.base}/inbox", b"{}").status == 202
    assert len(keepalive_server.peers) == 5
    assert len(set(keepalive_server.peers)) == 1  # one TCP connection for all five


def test_a_kept_alive_connection_serves_one_host_name_only(settings, monkeypatch,
                                                           keepalive_server):
    """Two names on one address get two connections: a connection (and a TLS session
    verified for a name) is never lent to another name."""
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    monkeypatch.setattr(net, "_resolve", lambda host, port: ["127.0.0.1"])
    keepalive_server.routes["/"] = (200, {}, b"ok")
    net.close_connections()
    port = keepalive_server.server_address[1]
    for name in ("one.test", "two.test", "one.test", "two.test"):
        assert net.fetch(f"http://{name}:{port}/").status == 200
    hosts = [headers["Host"] for _, _, headers in keepalive_server.hits]
    assert hosts == [f"one.test:{port}", f"two.test:{port}"] * 2
    assert len(set(keepalive_server.peers)) == 2
    by_host = {}
    for host, peer in zip(hosts, keepalive_server.peers, strict=True):
        by_host.setdefault(host, set()).add(peer)
    assert all(len(peers) == 1 for peers in by_host.values())


def test_the_pool_checks_the_address_again_when_it_dials(settings, monkeypatch, keepalive_server):
    """A name that answered with an allowed address at the first check and with a
    forbidden one when the pool connects (DNS rebinding) is refused at connect time."""
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    port = keepalive_server.server_address[1]
    net._exempt_endpoints.add(("127.0.0.2", port))
    answers = iter([["127.0.0.2"], ["127.0.0.1"]])  # allowed (exempt), then loopback
    monkeypatch.setattr(net, "_resolve", lambda host, p: next(answers))
    net.close_connections()
    try:
        with pytest.raises(net.BlockedAddress):
            net.fetch(f"http://rebind.test:{port}/")
    finally:
        net._exempt_endpoints.discard(("127.0.0.2", port))
    assert keepalive_server.hits == []
