"""Closing one's own account: at once (log-in, profile, tokens, federation), then
the purge (posts, media, graph, notifications) with everyone's counters right."""

from __future__ import annotations

import json

import pytest
from django.test import TestCase
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from rostra.accounts import deletion
from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Follow
from rostra.api import oauth
from rostra.api.models import AccessToken
from rostra.federation.models import Delivery
from rostra.notifications.models import Notification
from rostra.posts import services as posts
from rostra.posts.models import Favourite, Media, Post
from rostra.timelines.models import List
from tests import factories


def committed(fn, *args, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn(*args, **kwargs)


def run_queued() -> None:
    """Run the queued tasks (the worker's job), oldest first, until none is left."""
    while row := DBTaskResult.objects.order_by("enqueued_at", "id").first():
        row.delete()
        module, name = row.task_path.rsplit(".", 1)
        task = getattr(__import__(module, fromlist=[name]), name)
        with TestCase.captureOnCommitCallbacks(execute=True):
            task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])


def remote(username: str, domain: str) -> Account:
    base = f"https://{domain}"
    return Account.objects.create(username=username, domain=domain, uri=f"{base}/users/{username}",
                                  inbox_url=f"{base}/users/{username}/inbox",
                                  shared_inbox_url=f"{base}/inbox")


@pytest.fixture
def doomed(db):
    user = factories.make_user("doomed")
    return user.account


def test_closing_an_account_disables_it_at_once(doomed):
    user = doomed.user
    app, _secret = oauth.create_application("App", "urn:ietf:wg:oauth:2.0:oob", "read")
    oauth.issue_token(app, user, ["read"])
    committed(deletion.delete_account, doomed)
    doomed.refresh_from_db()
    user.refresh_from_db()
    assert doomed.deleted_at and doomed.suspended_at
    assert not user.is_active and not user.has_usable_password()
    assert "doomed@" not in user.email
    assert AccessToken.objects.filter(user=user).count() == 1
    assert AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    assert accounts.find_account("doomed") is None
    assert Account.objects.filter(username="doomed").count() == 1  # the name stays taken


def test_the_purge_removes_posts_and_relations_and_keeps_counters_right(doomed, alice, bob):
    factories.make_post(alice, "Alice's post")
    theirs = Post.objects.get(account=alice)
    committed(accounts.follow, doomed, alice)
    committed(accounts.follow, bob, doomed)
    committed(posts.favourite, doomed, theirs)
    reply = factories.make_post(doomed, "A reply", in_reply_to=theirs)
    media = posts_media(doomed)
    factories.make_post(bob, "@doomed hello")
    committed(accounts.follow, alice, bob)
    List.objects.create(account=doomed, title="Mine")
    theirs.refresh_from_db()
    assert (theirs.favourites_count, theirs.replies_count) == (1, 1)
    committed(deletion.delete_account, doomed)
    run_queued()
    assert not Post.objects.filter(account=doomed).exists()
    assert not Post.objects.filter(pk=reply.pk).exists()
    assert not Media.objects.filter(pk=media.pk).exists()
    assert not Favourite.objects.filter(account=doomed).exists()
    assert not Follow.objects.filter(account=doomed).exists()
    assert not Follow.objects.filter(target_account=doomed).exists()
    assert not List.objects.filter(account=doomed).exists()
    assert not Notification.objects.filter(from_account=doomed).exists()
    assert not Notification.objects.filter(account=doomed).exists()
    theirs.refresh_from_db()
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (theirs.favourites_count, theirs.replies_count) == (0, 0)
    assert (alice.followers_count, alice.following_count) == (0, 1)
    assert (bob.followers_count, bob.following_count) == (1, 0)
    assert Follow.objects.filter(account=alice, target_account=bob).exists()  # others' stay


def posts_media(account):
    from io import BytesIO

    from PIL import Image

    from rostra.posts import media

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return media.upload_media(account, buffer.getvalue(), description="red")


def test_remote_servers_get_one_delete_of_the_actor_and_no_delete_per_post(doomed, alice):
    fan = remote("fan", "one.example")
    idol = remote("idol", "two.example")
    remote("stranger", "three.example")  # a server that merely knows the account
    committed(accounts.follow, fan, doomed)
    Follow.objects.create(account=doomed, target_account=idol, uri="x")
    Account.objects.filter(pk=doomed.pk).update(following_count=1)
    Account.objects.filter(pk=idol.pk).update(followers_count=1)
    factories.make_post(doomed, "Soon gone")
    Delivery.objects.all().delete()
    committed(deletion.delete_account, doomed)
    run_queued()
    kinds = [(json.loads(d.payload)["type"], d.inbox_url) for d in Delivery.objects.all()]
    assert sorted(kinds) == [("Delete", "https://one.example/inbox"),
                             ("Delete", "https://three.example/inbox"),
                             ("Delete", "https://two.example/inbox")]
    delete = json.loads(Delivery.objects.first().payload)
    assert delete["object"] == delete["actor"] and delete["actor"].endswith("/users/doomed")


def test_the_actor_of_a_deleted_account_is_gone(client, doomed):
    committed(deletion.delete_account, doomed)
    response = client.get("/users/doomed", HTTP_ACCEPT="application/activity+json")
    assert response.status_code == 410
    assert client.get("/.well-known/webfinger",
                      {"resource": "acct:doomed@localhost:8000"}).status_code == 404


def test_settings_delete_needs_the_password_and_the_tick(client, doomed):
    client.force_login(doomed.user)
    url = reverse("web:delete_account")
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400 and b"not your password" in wrong.content
    untick = client.post(url, {"password": factories.PASSWORD})
    assert untick.status_code == 400
    doomed.refresh_from_db()
    assert doomed.deleted_at is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(url, {"password": factories.PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    doomed.refresh_from_db()
    assert doomed.deleted_at is None and doomed.delete_after is not None  # scheduled
    assert client.get(reverse("web:settings_account")).status_code == 302  # logged out
