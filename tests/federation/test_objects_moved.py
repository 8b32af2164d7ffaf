"""``Move`` of a post: a server holding a copy of a post that moved with its author
(LOLA) re-homes the copy, once the notice is verified."""

from __future__ import annotations

import pytest

from rostra.accounts.models import Account
from rostra.federation import remote as remote_mod
from rostra.federation.models import InboxActivity
from rostra.posts.models import Favourite, Post
from tests.federation.remote_rig import PUBLIC, FakeRemote


@pytest.fixture
def remote(settings, http_server, rsa_pair, db):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    fake = FakeRemote(http_server, *rsa_pair)
    fake.actor("old")
    return fake


@pytest.fixture
def held(remote, alice):
    """A post by ``old`` stored here (as a fetch stores it), which alice liked."""
    note = remote.note("old", "<p>moving soon</p>")
    remote.serve(note["id"].removeprefix(remote.base), note)
    post = remote_mod.fetch_object(note["id"])
    Favourite.objects.create(account=alice, post=post)
    return post


def new_home(remote, held, *, aliases=True, **extra) -> dict:
    remote.actor("new", **({"alsoKnownAs": [remote.uri("old")]} if aliases else {}))
    copy = {**remote.note("new", "<p>moving soon</p>"), "published": "2024-05-01T12:00:00Z",
            "url": f"{remote.base}/@new/77", **extra}
    remote.serve(copy["id"].removeprefix(remote.base), copy)
    return copy


def notice(remote, held, target: str, actor: str = "old") -> dict:
    return remote.activity(actor, "Move", held.uri, target=target, to=[PUBLIC])


def test_a_verified_move_rehomes_the_held_copy_keeping_its_likes(client, remote, held):
    copy = new_home(remote, held, previously=[{"id": held.uri, "actor": remote.uri("old")}])
    remote.deliver(client, notice(remote, held, copy["id"]))
    post = Post.objects.get(pk=held.pk)
    assert post.uri == copy["id"] and post.account.uri == remote.uri("new")
    assert post.origin_url == f"{remote.base}/@new/77"
    assert Favourite.objects.filter(post=post).exists()
    assert Post.objects.filter(uri=held.uri).count() == 0


def test_a_move_to_an_author_who_does_not_alias_the_old_one_is_ignored(client, remote, held):
    copy = new_home(remote, held, aliases=False)
    remote.deliver(client, notice(remote, held, copy["id"]))
    assert Post.objects.get(pk=held.pk).uri == held.uri
    record = InboxActivity.objects.get(payload__type="Move")
    assert "not where this actor moved" in record.error


def test_a_move_by_someone_other_than_the_author_is_ignored(client, remote, held):
    copy = new_home(remote, held)
    remote.actor("mallory")
    remote.deliver(client, notice(remote, held, copy["id"], actor="mallory"))
    assert Post.objects.get(pk=held.pk).uri == held.uri


def test_breadcrumbs_naming_another_post_are_refused(client, remote, held):
    copy = new_home(remote, held, previously=[f"{remote.base}/users/old/statuses/999"])
    remote.deliver(client, notice(remote, held, copy["id"]))
    assert Post.objects.get(pk=held.pk).uri == held.uri


def test_when_the_new_post_is_already_held_the_old_copy_is_marked_moved(client, remote, held):
    copy = new_home(remote, held)
    already = remote_mod.fetch_object(copy["id"])
    remote.deliver(client, notice(remote, held, copy["id"]))
    old = Post.objects.get(pk=held.pk)
    assert old.uri == held.uri and old.moved_to_uri == copy["id"]
    assert Post.objects.get(pk=already.pk).uri == copy["id"]


def test_an_actor_moving_itself_is_still_handled_as_an_account_move(client, remote, held):
    remote.actor("new", alsoKnownAs=[remote.uri("old")])
    remote.deliver(client, remote.activity("old", "Move", remote.uri("old"),
                                           target=remote.uri("new")))
    assert Account.objects.get(uri=remote.uri("old")).moved_to.uri == remote.uri("new")
