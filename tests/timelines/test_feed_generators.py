"""Third-party feed generators: a real generator on loopback names posts; this server
shows only those it has and a third party may surface, in the generator's order,
refuses unsafe addresses, survives bad answers with a clear message, pages with the
generator's cursor, and tells the generator nothing about the reader."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.api import oauth
from rostra.core import links, net
from rostra.posts import restrictions
from rostra.timelines import generator_client as client
from rostra.timelines.feeds import FeedError
from rostra.timelines.feeds import services as feed_services
from rostra.timelines.feeds.generator import GeneratorUnavailable, subscribe
from rostra.timelines.pagination import Page
from tests.factories import make_post

pytestmark = pytest.mark.django_db
SKELETON = "/xrpc/" + client.SKELETON_METHOD
DESCRIBE = "/xrpc/" + client.DESCRIBE_METHOD
PAGE = Page(limit=20)


class FakeGenerator:
    """A feed generator on 127.0.0.1: ``answer(query) -> (status, type, body, delay)``
    per path; every request it receives is kept in ``requests``."""

    def __init__(self):
        self.answers = {}
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                outer.requests.append({"path": parts.path, "query": query,
                                       "headers": {k.lower(): v for k, v in self.headers.items()}})
                found = outer.answers.get(parts.path)
                status, kind, body, delay = found(query) if found else (
                    404, "application/json", b'{"error": "UnknownFeed"}', 0)
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/feeds/cats"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, items, cursor=None, path=SKELETON):
        """Answer the skeleton with ``items`` (post ids, or dicts) and ``cursor``."""
        feed = [i if isinstance(i, dict) else {"post": i} for i in items]
        body = {"feed": feed, **({"cursor": cursor} if cursor else {})}
        self.answers[path] = lambda q: (200, "application/json", json.dumps(body).encode(), 0)

    def skeleton_requests(self):
        return [r for r in self.requests if r["path"] == SKELETON]


@pytest.fixture
def generator(settings, monkeypatch):
    """Plain http to loopback is allowed for this generator's port only: the private
    address rule stays on for everything else."""
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    cache.clear()
    fake = FakeGenerator()
    monkeypatch.setattr(net, "_exempt_endpoints", {("127.0.0.1", fake.port)})
    # The audit's control cohort (2% of accounts, by id) reads home instead of a ranked
    # feed; these tests are about the generator, whoever the reader is.
    if hasattr(feed_services, "in_control"):
        monkeypatch.setattr(feed_services, "in_control", lambda account_id: False)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    net.close_connections()


def uri_of(post):
    return links.absolute_url(f"/users/{post.account.username}/statuses/{post.pk}")


def page_url(post):
    return links.absolute_url(f"/@{post.account.username}/{post.pk}")


def read(viewer, url, page=PAGE):
    return feed_services.read(viewer, f"generator:{url}", page)


def ids(result):
    return [p.pk for p in result.posts]


# --- what is shown ----------------------------------------------------------------------

def test_posts_are_shown_in_the_generators_order(generator, alice, bob, carol):
    first, second, third = (make_post(bob, "one"), make_post(carol, "two"),
                            make_post(bob, "three"))
    generator.serve([uri_of(second), page_url(first), uri_of(third)])
    subscribe(alice, generator.url)
    result = read(alice, generator.url)
    assert ids(result) == [second.pk, first.pk, third.pk]
    assert [p.ranked.reasons["position"] for p in result.posts] == [1, 2, 3]


def test_remote_posts_are_found_by_their_activitypub_id(generator, alice):
    far = Account.objects.create(username="far", domain="remote.example")
    remote = make_post(far, "from afar", source="federation",
                       uri="https://remote.example/notes/1")
    generator.serve(["https://remote.example/notes/1"])
    subscribe(alice, generator.url)
    assert ids(read(alice, generator.url)) == [remote.pk]


def test_unknown_ids_are_dropped_and_nothing_is_fetched_for_them(generator, alice, bob):
    known = make_post(bob, "known")
    generator.serve([f"http://127.0.0.1:{generator.port}/notes/unknown", uri_of(known),
                     links.absolute_url("/users/bob/statuses/999999999"),
                     links.absolute_url(f"/users/carol/statuses/{known.pk}"),  # wrong author
                     "not a url", 42])
    subscribe(alice, generator.url)
    assert ids(read(alice, generator.url)) == [known.pk]
    assert [r["path"] for r in generator.requests] == [SKELETON]


def test_non_public_posts_are_never_shown_nor_leaked(generator, client, alice, bob):
    accounts.follow(alice, bob)  # alice may see bob's followers-only posts at home
    shown = make_post(bob, "public words")
    unlisted = make_post(bob, "unlisted words", visibility="unlisted")
    private = make_post(bob, "followers secret", visibility="private")
    direct = make_post(bob, "@alice direct secret", visibility="direct")
    removed = make_post(bob, "removed words")
    restrictions.restrict(removed, removed=True)
    held = make_post(bob, "held words")
    type(held).objects.filter(pk=held.pk).update(held="quarantine")
    hidden = [private, direct, removed, held]
    generator.serve([uri_of(p) for p in [*hidden, shown, unlisted]])
    subscribe(alice, generator.url)
    result = read(alice, generator.url)
    assert ids(result) == [shown.pk, unlisted.pk]
    assert not {p.pk for p in hidden} & set(result.page_ids)
    client.force_login(alice.user)
    page = client.get("/home", {"feed": f"generator:{generator.url}"}).content.decode()
    assert "public words" in page and "unlisted words" in page
    for words in ("followers secret", "direct secret", "removed words", "held words"):
        assert words not in page
    for post in hidden:
        assert str(post.pk) not in page


def test_blocked_and_muted_accounts_stay_hidden(generator, alice, bob, carol):
    mine = make_post(bob, "bob's")
    theirs = make_post(carol, "carol's")
    accounts.mute(alice, carol)
    generator.serve([uri_of(theirs), uri_of(mine)])
    subscribe(alice, generator.url)
    assert ids(read(alice, generator.url)) == [mine.pk]


def test_claimed_reasons_are_shown_as_the_generators_claims(generator, client, alice, bob):
    post = make_post(bob, "why me")
    generator.serve([{"post": uri_of(post), "reason": {"text": "You like <b>cats</b>"}}])
    generator.answers[DESCRIBE] = lambda q: (200, "application/json", json.dumps(
        {"did": "did:web:x", "feeds": [{"uri": generator.url, "displayName": "Cat pictures",
                                        "description": "Every cat, newest first"}]}).encode(), 0)
    subscribe(alice, generator.url)
    assert read(alice, generator.url).posts[0].ranked.reasons["claimed"] == \
        "You like <b>cats</b>"
    client.force_login(alice.user)
    page = client.get("/home", {"feed": f"generator:{generator.url}"}).content.decode()
    assert "its claim, not checked by this server" in page
    assert "You like &lt;b&gt;cats&lt;/b&gt;" in page and "<b>cats</b>" not in page
    assert "Cat pictures" in page and "Every cat, newest first" in page


# --- paging ------------------------------------------------------------------------------

def test_the_generators_cursor_pages_through_its_feed(generator, client, alice, bob):
    posts = [make_post(bob, f"post {i}") for i in range(4)]

    def answer(query):
        start = int(query.get("cursor") or 0)
        feed = [{"post": uri_of(p)} for p in posts[start:start + 2]]
        body = {"feed": feed, **({"cursor": str(start + 2)} if start + 2 < 4 else {})}
        return 200, "application/json", json.dumps(body).encode(), 0

    generator.answers[SKELETON] = answer
    subscribe(alice, generator.url)
    first = read(alice, generator.url, Page(limit=2))
    second = read(alice, generator.url, Page(max_id=first.page_ids[-1], limit=2))
    end = read(alice, generator.url, Page(max_id=second.page_ids[-1], limit=2))
    assert ids(first) + ids(second) == [p.pk for p in posts]
    assert ids(end) == []
    assert [r["query"].get("cursor") for r in generator.skeleton_requests()] == [None, "2"]
    client.force_login(alice.user)
    page = client.get("/home", {"feed": f"generator:{generator.url}", "limit": 2}).content.decode()
    assert f"max_id={posts[1].pk}" in page


def test_an_unknown_page_is_an_honest_error(generator, alice, bob):
    generator.serve([uri_of(make_post(bob, "x"))])
    subscribe(alice, generator.url)
    with pytest.raises(GeneratorUnavailable, match="start again from the top"):
        read(alice, generator.url, Page(max_id=12345))


# --- what the generator learns -------------------------------------------------------------

def test_the_generator_learns_nothing_about_the_reader(generator, client, alice, bob):
    generator.serve([uri_of(make_post(bob, "x"))])
    subscribe(alice, generator.url)
    client.force_login(alice.user)
    assert client.get("/home", {"feed": f"generator:{generator.url}"}).status_code == 200
    (request,) = generator.skeleton_requests()
    assert not {"cookie", "authorization", "signature", "x-forwarded-for"} & set(
        request["headers"])
    assert set(request["query"]) == {"feed", "limit"}
    assert request["query"]["feed"] == generator.url
    sent = json.dumps(request).lower()
    for trace in ("alice", str(alice.pk), "sessionid", "csrftoken"):
        assert trace not in sent


# --- bad answers ----------------------------------------------------------------------------

@pytest.mark.parametrize(("answer", "message"), [
    ((200, "application/json", b'{"feed": [' + b'{"post": "https://x.example/1"},' * 9000
      + b'{}]}', 0), "larger than 256 KB"),
    ((200, "application/json", b'{"feed": []}', 4), "did not answer within 3 seconds"),
    ((200, "application/json", b'{"feed": "nope"}', 0), "not a feed skeleton"),
    ((200, "application/json", b"{not json", 0), "not valid JSON"),
    ((200, "text/html", b"<html></html>", 0), "did not answer with JSON"),
    ((500, "application/json", b"{}", 0), "HTTP 500"),
    ((200, "application/json", json.dumps({"feed": [{"post": f"https://x.example/{i}"}
                                                    for i in range(101)]}).encode(), 0),
     "more than 100 posts"),
])
def test_a_bad_answer_gives_a_clear_message_on_the_feed_page(generator, client, alice, answer,
                                                            message):
    generator.answers[SKELETON] = lambda q: answer
    subscribe(alice, generator.url)
    with pytest.raises(GeneratorUnavailable, match=message):
        read(alice, generator.url)
    client.force_login(alice.user)
    response = client.get("/home", {"feed": f"generator:{generator.url}"})
    assert response.status_code == 200
    assert "This feed cannot be shown right now" in response.content.decode()
    assert message in response.content.decode().replace("&#x27;", "'")


# --- subscribing ------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data",
    "http://[::ffff:169.254.169.254]/feed",
    "file:///etc/passwd",
    "gopher://127.0.0.1/x",
    "http://localhost:9/feed",
    "http://10.0.0.1/feed",
    "https://user:secret@feeds.example/cats",
    "https://feeds.example/cats?viewer=me",
    "",
])
def test_unsafe_or_unusable_addresses_are_refused_at_subscription(generator, alice, url):
    with pytest.raises(FeedError):
        subscribe(alice, url)
    assert feed_services.pinned(alice) == []


def test_subscribing_on_the_settings_page_pins_the_generator(generator, client, alice):
    client.force_login(alice.user)
    response = client.post("/settings/feeds", {"action": "subscribe",
                                               "generator_url": generator.url + "/"},
                           follow=True)
    assert "is now beside your home timeline" in response.content.decode()
    (choice,) = feed_services.pinned(alice)
    assert choice.key == f"generator:{generator.url}"
    refused = client.post("/settings/feeds", {"action": "subscribe",
                                              "generator_url": "http://169.254.169.254/"},
                          follow=True)
    assert "not on a public address" in refused.content.decode()
    assert len(feed_services.pinned(alice)) == 1
    home = client.get("/home").content.decode()
    assert f"127.0.0.1:{generator.port}/feeds/cats" in home  # in the feed selector


def test_unsubscribing_removes_the_generator(generator, client, alice):
    subscribe(alice, generator.url)
    client.force_login(alice.user)
    client.post("/settings/feeds", {"action": "unpin", "key": f"generator:{generator.url}"})
    assert feed_services.pinned(alice) == []


def test_a_generator_is_read_only_after_subscribing(generator, alice):
    with pytest.raises(FeedError, match="Subscribe to this feed generator first"):
        read(alice, generator.url)
    assert generator.requests == []


def test_a_subscribed_generator_is_a_read_only_list_in_mastodon_apps(generator, alice, bob):
    post = make_post(bob, "for apps")
    generator.serve([uri_of(post)])
    subscribe(alice, generator.url)
    app, _ = oauth.create_application("App", "urn:ietf:wg:oauth:2.0:oob", "read write")
    token = oauth.issue_token(app, alice.user, ["read", "write"]).access_token
    api = Client(headers={"Authorization": f"Bearer {token}"})
    list_id = f"feed-generator:{generator.url}"
    assert list_id in [x["id"] for x in api.get("/api/v1/lists").json()]
    timeline = api.get(f"/api/v1/timelines/list/{list_id}")
    assert [s["id"] for s in timeline.json()] == [str(post.pk)]
    assert api.delete(f"/api/v1/lists/{list_id}").status_code == 422
    generator.answers[SKELETON] = lambda q: (200, "application/json", b"[]", 0)
    failed = api.get(f"/api/v1/timelines/list/{list_id}")
    assert failed.status_code == 422 and "not a feed skeleton" in failed.json()["error"]


# --- the parser -----------------------------------------------------------------------------

@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["feed", "post", "cursor", "reason",
                                                       "text", "$type"]), inner, max_size=4),
                    max_leaves=20))
def test_the_skeleton_parser_takes_any_json_without_crashing(body):
    try:
        skeleton = client.parse_skeleton(body)
    except client.GeneratorError:
        return
    assert all(urlsplit(i.post).scheme in ("http", "https") for i in skeleton.items)
    assert len(skeleton.items) <= client.MAX_ITEMS and len(skeleton.cursor) <= client.MAX_CURSOR
