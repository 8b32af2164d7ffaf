"""Fuzz run over what other servers answer when we fetch (issue 11, security pass):
actor documents, post objects, WebFinger and NodeInfo answers, served by a loopback
server. Each is stored or refused with ``RemoteError`` (never another exception, the
500 or failed task it would become), and a refused document stores nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rostra.accounts.models import Account
from rostra.federation import remote as federation_remote
from rostra.federation.remote import RemoteError
from rostra.portability import post_transfer, x_lookup
from rostra.portability.lola_client import TransferError
from rostra.posts.models import Post
from tests.federation.remote_rig import PUBLIC
from tests.security.fuzz import fuzz, json_values, long_text, scalars

pytestmark = pytest.mark.django_db

ACTOR_KEYS = ("id", "type", "preferredUsername", "name", "summary", "inbox", "outbox",
              "followers", "following", "featured", "endpoints", "sharedInbox", "icon",
              "image", "url", "publicKey", "publicKeyPem", "owner", "attachment",
              "PropertyValue", "value", "alsoKnownAs", "manuallyApprovesFollowers",
              "discoverable", "movedTo")
NOTE_KEYS = ("id", "type", "attributedTo", "content", "contentMap", "summary", "sensitive",
             "published", "updated", "to", "cc", "inReplyTo", "attachment", "tag", "url",
             "mediaType", "href", "name", "oneOf", "anyOf", "endTime", "closed", "quoteUrl")


def _uris(base: str):
    return st.sampled_from([f"{base}/users/zoe", f"{base}/users/zoe/inbox", f"{base}/inbox",
                            f"{base}/missing", "https://elsewhere.example/users/x",
                            "http://localhost:8000/users/alice", PUBLIC, "", "not a uri",
                            "javascript:alert(1)", f"{base}/" + "a" * 3000])


def _fields(keys, base: str):
    leaves = scalars | _uris(base)
    return st.dictionaries(st.sampled_from(keys), json_values(keys, leaves), max_size=10)


def _counter():
    n = iter(range(10**6))
    return lambda: next(n)


def test_any_actor_document_is_stored_or_refused_with_a_remote_error(remote):
    seq = _counter()

    @fuzz(120)
    @given(kind=st.sampled_from(["Person", "Service", "Group", "Note", "Key", None]),
           username=st.none() | st.integers() | st.text(max_size=30) | long_text,
           fields=_fields(ACTOR_KEYS, remote.base), keys=st.booleans())
    def fetch(kind, username, fields, keys):
        path = f"/users/fuzz{seq()}"
        uri = remote.base + path
        document = {**fields, "id": uri, "type": kind, "preferredUsername": username}
        if keys:
            document["publicKey"] = {"id": f"{uri}#main-key", "owner": uri,
                                     "publicKeyPem": remote.public_pem}
        remote.serve(path, document)
        try:
            account = federation_remote.fetch_actor(uri)
        except RemoteError:
            assert not Account.objects.filter(uri=uri).exists()
            return
        assert account.uri == uri and account.domain == remote.domain
        assert account.remote_actor.fetched_at is not None

    fetch()


def test_any_post_object_is_stored_or_refused_with_a_remote_error(remote):
    seq = _counter()
    author = remote.uri("zoe")

    @fuzz(120)
    @given(kind=st.sampled_from(["Note", "Question", "Article", "Person", None]),
           attributed=st.sampled_from([author, author, "https://elsewhere.example/u/x", None]),
           content=st.none() | st.integers() | st.text(max_size=60) | long_text,
           fields=_fields(NOTE_KEYS, remote.base))
    def fetch(kind, attributed, content, fields):
        path = f"/users/zoe/statuses/fuzz{seq()}"
        uri = remote.base + path
        remote.serve(path, {**fields, "id": uri, "type": kind, "attributedTo": attributed,
                            "content": content})
        try:
            post = federation_remote.fetch_object(uri)
        except RemoteError:
            assert not Post.objects.filter(uri=uri).exists()
            return
        assert post.uri == uri and post.account.uri == author

    fetch()


def _raw(server, path: str, body: bytes, ctype: str) -> None:
    server.routes[path] = (200, {"Content-Type": ctype}, body)


def test_any_webfinger_answer_resolves_the_handle_or_a_remote_error(remote):
    seq = _counter()
    links = st.fixed_dictionaries({}, optional={
        "rel": st.sampled_from(["self", "http://webfinger.net/rel/profile-page"]) | scalars,
        "type": st.sampled_from(["application/activity+json", "text/html"]) | scalars,
        "href": _uris(remote.base) | scalars | st.lists(_uris(remote.base), max_size=2)})
    answers = (json_values(("subject", "links", "rel", "type", "href"))
               | st.fixed_dictionaries({"links": st.lists(links, max_size=3) | scalars}))

    @fuzz(100)
    @given(answer=answers, raw=st.none() | st.binary(max_size=80))
    def resolve(answer, raw):
        name = f"wf{seq()}"
        remote.actor(name)
        resource = f"acct:{name}@{remote.domain}"
        body = raw if raw is not None else json.dumps(answer).encode()
        _raw(remote.server, f"/.well-known/webfinger?resource={resource}", body,
             "application/jrd+json")
        try:
            account = federation_remote.resolve_handle(f"{name}@{remote.domain}")
        except RemoteError:
            return
        assert (account.username, account.domain) == (name, remote.domain)

    resolve()


def test_any_nodeinfo_answer_is_read_or_ignored(remote):
    """``x_lookup.probe`` never raises on an odd NodeInfo; it records a lookup URL only
    on the server it probed."""
    index_links = st.lists(st.fixed_dictionaries({}, optional={
        "rel": st.just("http://nodeinfo.diaspora.software/ns/schema/2.1") | scalars,
        "href": st.just(f"{remote.base}/nodeinfo/2.1") | _uris(remote.base) | scalars}),
        max_size=3)
    infos = (json_values(("metadata", "rostraXConnections", "lookup", "software"))
             | st.fixed_dictionaries({"metadata": st.fixed_dictionaries({
                 "rostraXConnections": st.fixed_dictionaries({
                     "lookup": _uris(remote.base) | scalars})}) | scalars}))

    @fuzz(100)
    @given(index=json_values(("links", "rel", "href")) | st.fixed_dictionaries(
        {"links": index_links | scalars}), info=infos)
    def probe(index, info):
        _raw(remote.server, "/.well-known/nodeinfo", json.dumps(index).encode(),
             "application/json")
        _raw(remote.server, "/nodeinfo/2.1", json.dumps(info).encode(), "application/json")
        server = x_lookup.probe(remote.domain)
        assert server.lookup_url == "" or x_lookup._on(remote.domain, server.lookup_url)

    probe()


def test_any_outbox_collection_gives_items_or_a_transfer_error(remote):
    """An account transfer's outbox pages (``post_transfer._pages``): odd pages end the
    walk, odd items are skipped; only ``TransferError`` stops it."""
    outbox = f"{remote.uri('zoe')}/outbox"
    page_uris = st.sampled_from([f"{outbox}?page=1", f"{outbox}?page=2", outbox,
                                 "https://elsewhere.example/outbox?page=1"])
    pages = st.fixed_dictionaries({}, optional={
        "orderedItems": st.lists(json_values(NOTE_KEYS), max_size=3) | scalars,
        "items": st.lists(json_values(NOTE_KEYS), max_size=3) | scalars,
        "next": page_uris | scalars})

    @fuzz(100)
    @given(collection=pages | st.fixed_dictionaries({"first": page_uris | pages | scalars}),
           page1=pages, page2=pages | json_values(("next", "items")))
    def walk(collection, page1, page2):
        remote.serve("/users/zoe/outbox", collection)
        remote.serve("/users/zoe/outbox?page=1", page1)
        remote.serve("/users/zoe/outbox?page=2", page2 if isinstance(page2, dict) else [page2])
        try:
            items = list(post_transfer._pages({"actor": remote.uri("zoe")}, "token"))
        except TransferError:
            return
        assert all(isinstance(item, dict) for item in items)

    walk()
