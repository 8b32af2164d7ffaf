"""t.co links of the profile, expanded through ``core.net`` (a loopback "t.co")."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rostra.portability import short_links
from rostra.portability.importer import import_x_archive
from tests.portability.archives import write_archive, ytd


class _Shortener(BaseHTTPRequestHandler):
    targets = {"/RL76DqYwVT": "https://milahu.example/", "/dzymudWRGp": "https://blog.example/x"}

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        target = self.targets.get(self.path)
        self.send_response(301 if target else 404)
        if target:
            self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def shortener(settings, monkeypatch):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Shortener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(short_links, "SHORTENER_HOSTS", frozenset({"127.0.0.1"}))
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_short_link_is_expanded_from_its_redirect_without_following_it(shortener):
    assert short_links.expand(f"{shortener}/RL76DqYwVT") == "https://milahu.example/"


def test_an_unknown_or_unreachable_short_link_is_kept(shortener):
    assert short_links.expand(f"{shortener}/nope") == f"{shortener}/nope"
    assert short_links.expand("http://127.0.0.1:9/x") == "http://127.0.0.1:9/x"


def test_other_links_are_never_requested(shortener):
    assert short_links.expand("https://example.org/a") == "https://example.org/a"


def test_profile_website_and_bio_links_are_expanded(db, make_user, tmp_path, shortener):
    path = write_archive(tmp_path / "x.zip", {
        "data/account.js": ytd("account", [{"account": {
            "accountId": "7", "username": "me", "accountDisplayName": "Me"}}]),
        "data/profile.js": ytd("profile", [{"profile": {"description": {
            "bio": f"my blog → {shortener}/dzymudWRGp", "website": f"{shortener}/RL76DqYwVT",
            "location": "Kiel"}}}]),
        "data/tweets.js": ytd("tweets", []),
    })
    user = make_user()
    import_x_archive(user, path, profile=True)
    user.account.refresh_from_db()
    assert user.account.note == "my blog → https://blog.example/x"
    assert {"name": "Website", "value": "https://milahu.example/"} in user.account.fields
