"""Bring my posts from my old account (LOLA), the new server's side, against a
source server on loopback: the grant, the copy (dates, audiences, threads, media,
old ids), idempotence, and the report of the copies."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from rostra.accounts.models import Account
from rostra.api.scopes import PORTABILITY
from rostra.portability import post_transfer
from rostra.portability.models import ImportedItem, ImportJob
from rostra.posts.models import Post
from tests import factories
from tests.federation.conftest import http_server  # noqa: F401  (the loopback fixture)

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CALLBACK = "http://localhost:8000/settings/transfer/callback"
JSON = {"Content-Type": "application/activity+json"}


class Source:
    """A LOLA source on loopback: the old actor ``old``, its outbox and its OAuth."""

    def __init__(self, server):
        self.server, self.base = server, server.base
        self.actor = f"{self.base}/users/old"
        self.followers = f"{self.actor}/followers"
        self.notes: list[dict] = []
        self.reported: list[dict] = []
        self.json("/users/old", {
            "id": self.actor, "type": "Person", "preferredUsername": "old",
            "inbox": f"{self.actor}/inbox", "outbox": f"{self.actor}/outbox",
            "followers": self.followers, "accountPortabilityOauth": f"{self.base}/oauth/authorize",
            "migration": {"outbox": f"{self.actor}/outbox",
                          "movedObjects": f"{self.actor}/migration/moved"}})
        self.json("/api/v1/apps", {"client_id": "cid", "client_secret": "secret"})
        self.json("/oauth/token", {"access_token": "tok", "token_type": "Bearer",
                                   "scope": PORTABILITY})
        self.json("/oauth/revoke", {})
        self.json("/users/old/migration/moved", {"recorded": 0, "skipped": []})

    def json(self, path: str, document: dict, status: int = 200) -> None:
        self.server.routes[path] = (status, JSON, json.dumps(document).encode())

    def note(self, n: int, audience: str, published: str, **extra) -> dict:
        to, cc = {"public": ([PUBLIC], [self.followers]), "unlisted": ([self.followers], [PUBLIC]),
                  "private": ([self.followers], []),
                  "direct": (["https://else.example/users/x"], [])}[audience]
        note = {"id": f"{self.actor}/statuses/{n}", "type": "Note", "attributedTo": self.actor,
                "content": f"<p>{audience} post {n}</p>", "published": published,
                "url": f"{self.base}/@old/{n}", "to": to, "cc": cc, **extra}
        self.notes.append(note)
        return note

    def publish(self) -> None:
        """The outbox in two pages, newest first, as Create activities."""
        items = [{"id": f"{n['id']}/activity", "type": "Create", "actor": self.actor,
                  "object": n} for n in reversed(self.notes)]
        half = len(items) // 2
        self.json("/users/old/outbox", {"type": "OrderedCollection", "totalItems": len(items),
                                         "first": f"{self.actor}/outbox/p1"})
        self.json("/users/old/outbox/p1", {"type": "OrderedCollectionPage",
                                            "orderedItems": items[:half],
                                            "next": f"{self.actor}/outbox/p2"})
        self.json("/users/old/outbox/p2", {"type": "OrderedCollectionPage",
                                            "orderedItems": items[half:]})

    def hits(self, path: str) -> list[dict]:
        return [headers for _m, p, headers in self.server.hits if p == path]


@pytest.fixture
def source(settings, http_server, db):  # noqa: F811
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    return Source(http_server)


@pytest.fixture
def newcomer(source):
    user = factories.make_user("newcomer")
    Account.objects.filter(pk=user.account_id).update(also_known_as=[source.actor])
    user.account.refresh_from_db()
    return user


def authorized(user, source) -> ImportJob:
    _job, url = post_transfer.start(user, "", CALLBACK)
    state = parse_qs(urlsplit(url).query)["state"][0]
    return post_transfer.finish_authorization(user, state, "the-code", source.actor)


def test_start_sends_the_browser_to_authorize_the_portability_scope(source, newcomer):
    job, url = post_transfer.start(newcomer, "", CALLBACK)
    assert url.startswith(f"{source.base}/oauth/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == [PORTABILITY] and query["client_id"] == ["cid"]
    assert query["redirect_uri"] == [CALLBACK] and query["state"] == [job.options["state"]]
    assert job.status == ImportJob.Status.PENDING


def test_an_account_that_is_not_an_alias_cannot_be_copied(source, newcomer):
    with pytest.raises(post_transfer.TransferError, match="alias"):
        post_transfer.start(newcomer, "https://else.example/users/someone", CALLBACK)
    assert not ImportJob.objects.exists()


def test_the_callback_refuses_a_foreign_state_and_another_actor(source, newcomer):
    job, url = post_transfer.start(newcomer, "", CALLBACK)
    with pytest.raises(post_transfer.TransferError, match="does not match"):
        post_transfer.finish_authorization(newcomer, "forged", "code", source.actor)
    with pytest.raises(post_transfer.TransferError, match="not your old account"):
        post_transfer.finish_authorization(newcomer, job.options["state"], "code",
                                           f"{source.base}/users/other")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "token" not in job.options


def copy(source, user) -> ImportJob:
    source.publish()
    job = authorized(user, source)
    assert job.status == ImportJob.Status.RUNNING and job.options["token"] == "tok"
    return post_transfer.run(ImportJob.objects.get(pk=job.pk))


def test_the_copy_keeps_dates_audiences_and_old_addresses(source, newcomer):
    for n, audience in enumerate(("public", "unlisted", "private", "direct"), 1):
        source.note(n, audience, f"2019-0{n}-02T10:00:00Z")
    job = copy(source, newcomer)
    assert job.status == ImportJob.Status.DONE, job.error
    copies = {p.uri: p for p in Post.objects.filter(account=newcomer.account)}
    assert len(copies) == 4
    for note in source.notes:
        post = copies[note["id"]]
        assert post.published.strftime("%Y-%m-%dT%H:%M:%SZ") == note["published"]
        assert post.content == f"<p>{note['content'][3:-4]}</p>"
        assert post.origin_url == note["url"] and post.quiet
    visibilities = sorted(p.visibility for p in copies.values())
    assert visibilities == ["direct", "private", "public", "unlisted"]
    outbox = source.hits("/users/old/outbox/p2")[0]
    assert outbox["Authorization"] == "Bearer tok"


def test_replies_are_linked_to_the_copies_of_their_parents(source, newcomer):
    parent = source.note(1, "public", "2020-01-01T00:00:00Z")
    source.note(2, "public", "2020-01-02T00:00:00Z", inReplyTo=parent["id"])
    source.note(3, "public", "2020-01-03T00:00:00Z",
                inReplyTo="https://else.example/notes/9")
    copy(source, newcomer)
    reply = Post.objects.get(uri=f"{source.actor}/statuses/2")
    assert reply.in_reply_to == Post.objects.get(uri=parent["id"])
    stranger = Post.objects.get(uri=f"{source.actor}/statuses/3")
    assert stranger.in_reply_to is None and "https://else.example/notes/9" in stranger.text


def test_media_are_downloaded_through_the_gate_without_the_grant(source, newcomer):
    source.server.routes["/media/cat.png"] = (200, {"Content-Type": "image/png"},
                                              factories.image_bytes())
    source.note(1, "public", "2021-05-05T00:00:00Z", attachment=[
        {"type": "Document", "mediaType": "image/png", "url": f"{source.base}/media/cat.png",
         "name": "a cat"}])
    job = copy(source, newcomer)
    media = Post.objects.get(account=newcomer.account).media.get()
    assert media.description == "a cat" and media.sha256 and media.file
    assert job.report["media_imported"] == 1
    assert "Authorization" not in source.hits("/media/cat.png")[0]


def test_a_missing_file_is_reported_and_the_post_copied_without_it(source, newcomer):
    source.note(1, "public", "2021-05-05T00:00:00Z", attachment=[
        {"type": "Document", "mediaType": "image/png", "url": f"{source.base}/media/gone.png"}])
    job = copy(source, newcomer)
    assert Post.objects.filter(account=newcomer.account).count() == 1
    assert "gone.png" in job.report["errors"][0]["error"]


def test_running_it_again_copies_nothing_twice(source, newcomer):
    source.note(1, "public", "2019-01-01T00:00:00Z")
    source.note(2, "private", "2019-01-02T00:00:00Z")
    job = copy(source, newcomer)
    ImportJob.objects.filter(pk=job.pk).update(options={**job.options, "stage": "copying",
                                                        "token": "tok"})
    again = post_transfer.run(ImportJob.objects.get(pk=job.pk))
    assert Post.objects.filter(account=newcomer.account).count() == 2
    assert again.report["already_imported"] == 2 and again.report["imported"] == 0
    assert ImportedItem.objects.filter(job__user=newcomer).count() == 2


def test_posts_of_someone_else_in_the_outbox_are_not_copied(source, newcomer):
    source.note(1, "public", "2019-01-01T00:00:00Z", attributedTo=f"{source.base}/users/eve")
    job = copy(source, newcomer)
    assert not Post.objects.filter(account=newcomer.account).exists()
    assert job.report["errors"]


def test_the_copies_are_reported_to_the_old_server_and_the_grant_given_back(
        source, newcomer):
    source.note(1, "public", "2019-01-01T00:00:00Z")
    source.json("/users/old/migration/moved", {"recorded": 1, "skipped": []})
    job = copy(source, newcomer)
    assert job.report["redirects"] == "done" and job.report["redirected"] == 1
    sent = source.hits("/users/old/migration/moved")
    assert sent and sent[0]["Authorization"] == "Bearer tok"
    assert source.hits("/oauth/revoke") and "token" not in job.options


def test_before_the_old_account_moved_the_job_waits_and_keeps_the_grant(source, newcomer):
    source.note(1, "public", "2019-01-01T00:00:00Z")
    source.json("/users/old/migration/moved", {"error": "not moved"}, status=409)
    job = copy(source, newcomer)
    assert job.report["redirects"] == "waiting" and job.options["stage"] == "reporting"
    assert job.options["token"] == "tok" and not source.hits("/oauth/revoke")


def test_a_refused_grant_fails_the_job_with_a_clear_message(source, newcomer):
    source.note(1, "public", "2019-01-01T00:00:00Z")
    source.publish()
    source.json("/users/old/outbox/p1", {"error": "no"}, status=401)
    job = post_transfer.run(ImportJob.objects.get(pk=authorized(newcomer, source).pk))
    assert job.status == ImportJob.Status.FAILED and "authorize" in job.error
    assert not Post.objects.filter(account=newcomer.account).exists()


# --- the settings page ------------------------------------------------------------------

def test_the_page_sends_the_browser_to_the_old_server_and_takes_the_grant_back(
        client, source, newcomer):
    client.force_login(newcomer)
    page = client.get("/settings/transfer")
    assert page.status_code == 200 and source.actor.encode() in page.content
    started = client.post("/settings/transfer", {"action": "start",
                                                 "old_account": source.actor})
    assert started.status_code == 302
    assert started["Location"].startswith(f"{source.base}/oauth/authorize?")
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    back = client.get("/settings/transfer/callback",
                      {"state": state, "code": "c", "activitypub_actor": source.actor})
    assert back.status_code == 302
    job = ImportJob.objects.get(user=newcomer)
    assert job.status == ImportJob.Status.RUNNING and job.options["stage"] == "copying"


def test_the_page_explains_a_refused_start_and_creates_nothing(client, source, newcomer):
    client.force_login(newcomer)
    answer = client.post("/settings/transfer", {"action": "start",
                                                "old_account": "https://else.example/users/x"},
                         follow=True)
    assert b"alias" in answer.content
    assert not ImportJob.objects.exists()


def test_a_denied_authorization_is_shown_and_the_job_failed(client, source, newcomer):
    client.force_login(newcomer)
    job, _url = post_transfer.start(newcomer, "", CALLBACK)
    answer = client.get("/settings/transfer/callback",
                        {"state": job.options["state"], "error": "access_denied"}, follow=True)
    assert b"did not authorize" in answer.content
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
