"""The inbox: each activity's effect, through the domain services."""

from __future__ import annotations

import json

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, AccountDomainBlock, Block, Follow, FollowRequest
from rostra.federation.models import Delivery, InboxActivity, RemoteReport
from rostra.posts.models import Favourite, Media, Post, PostEdit
from tests import factories
from tests.federation.remote_rig import PUBLIC


def local_uri(account):
    return f"http://localhost:8000/users/{account.username}"


def zoe(remote):
    return Account.objects.get(uri=remote.uri("zoe"))


def test_follow_makes_the_remote_actor_a_follower(client, remote, alice):
    response = remote.deliver(client, remote.activity("zoe", "Follow", local_uri(alice)))
    assert response.status_code == 202
    follower = zoe(remote)
    assert follower.domain == remote.domain and follower.note_html == "<p>Hi</p>"
    assert Follow.objects.filter(account=follower, target_account=alice).exists()
    alice.refresh_from_db()
    assert alice.followers_count == 1


def test_follow_of_a_locked_account_is_a_request(client, remote):
    locked = factories.make_account("locked", locked=True)
    remote.deliver(client, remote.activity("zoe", "Follow", local_uri(locked)),
                   path="/users/locked/inbox")
    assert FollowRequest.objects.filter(target_account=locked).count() == 1
    assert not Follow.objects.filter(target_account=locked).exists()


def test_a_replayed_activity_changes_nothing(client, remote, alice):
    follow = remote.activity("zoe", "Follow", local_uri(alice))
    remote.deliver(client, follow)
    remote.deliver(client, remote.activity("zoe", "Undo", follow["id"]))
    assert not Follow.objects.exists()
    assert remote.deliver(client, follow).status_code == 202
    assert not Follow.objects.exists()
    assert InboxActivity.objects.count() == 2


def test_undo_follow_ends_the_follow(client, remote, alice):
    follow = remote.activity("zoe", "Follow", local_uri(alice))
    remote.deliver(client, follow)
    remote.deliver(client, remote.activity("zoe", "Undo", follow))
    assert not Follow.objects.exists()
    alice.refresh_from_db()
    assert alice.followers_count == 0


def _pending_follow(remote, alice):
    from rostra.accounts import services as accounts
    from rostra.federation.remote import fetch_actor

    remote.actor("zoe", manuallyApprovesFollowers=True)
    target = fetch_actor(remote.uri("zoe"), refresh=True)
    accounts.follow(alice, target, uri=f"{local_uri(alice)}#follows/1")
    return target


def test_accept_turns_our_follow_request_into_a_follow(client, remote, alice):
    target = _pending_follow(remote, alice)
    assert FollowRequest.objects.filter(account=alice, target_account=target).exists()
    accept = remote.activity("zoe", "Accept", {"id": f"{local_uri(alice)}#follows/1",
                                               "type": "Follow", "actor": local_uri(alice),
                                               "object": remote.uri("zoe")})
    assert remote.deliver(client, accept).status_code == 202
    assert Follow.objects.filter(account=alice, target_account=target).exists()
    assert not FollowRequest.objects.exists()


def test_reject_withdraws_our_follow_request(client, remote, alice):
    _pending_follow(remote, alice)
    remote.deliver(client, remote.activity("zoe", "Reject", f"{local_uri(alice)}#follows/1"))
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()


def test_create_mentioning_a_local_account_stores_the_post(client, remote, alice):
    note = remote.note("zoe", '<p>Hello <a href="x">@alice</a><script>x()</script></p>',
                       tag=[{"type": "Mention", "href": local_uri(alice)},
                            {"type": "Hashtag", "name": "#Fedi"}],
                       attachment=[{"type": "Document", "mediaType": "image/png",
                                    "url": "https://cdn.example/a.png", "name": "alt",
                                    "width": 10, "height": 20}])
    assert remote.deliver(client, remote.activity("zoe", "Create", note)).status_code == 202
    post = Post.objects.get(uri=note["id"])
    assert post.source == "federation" and "<script>" not in post.content
    assert post.visibility == "public" and post.text.startswith("Hello")
    assert post.mentions.get().account == alice
    assert list(post.post_tags.values_list("tag__name", flat=True)) == ["fedi"]
    media = Media.objects.get(post=post)
    assert media.remote_url == "https://cdn.example/a.png" and media.description == "alt"
    assert zoe(remote).statuses_count == 1


def test_create_that_concerns_no_one_here_is_dropped(client, remote, alice):
    note = remote.note("zoe")
    assert remote.deliver(client, remote.activity("zoe", "Create", note)).status_code == 202
    assert not Post.objects.exists()
    assert InboxActivity.objects.get().status == "ignored"


def test_create_replying_to_a_local_post_counts_the_reply(client, remote, alice):
    parent = factories.make_post(alice, "Question?")
    note = remote.note("zoe", inReplyTo=f"{local_uri(alice)}/statuses/{parent.pk}")
    remote.deliver(client, remote.activity("zoe", "Create", note))
    reply = Post.objects.get(uri=note["id"])
    assert reply.in_reply_to == parent
    parent.refresh_from_db()
    assert parent.replies_count == 1


def _local_poll(alice, multiple=False):
    from datetime import timedelta

    from rostra.posts import services as posts

    post = posts.create_post(alice, "Tea or coffee?", visibility="public",
                             poll=posts.PollSpec(["Tea", "Coffee"], timedelta(days=1),
                                                 multiple=multiple))
    return post, f"{local_uri(alice)}/statuses/{post.pk}"


def _vote(remote, voter, parent_uri, option):
    """A vote as Mastodon sends it: a Note with a ``name`` and no content."""
    note = remote.note(voter, inReplyTo=parent_uri,
                       to=[parent_uri.rsplit("/statuses/", 1)[0]], cc=[])
    del note["content"]
    return {**note, "name": option}


def test_a_remote_vote_counts_in_the_local_poll(client, remote, alice):
    from rostra.posts.services import poll_results

    post, uri = _local_poll(alice)
    vote = _vote(remote, "zoe", uri, "Coffee")
    assert remote.deliver(client, remote.activity("zoe", "Create", vote)).status_code == 202
    assert poll_results(post.poll) == ([0, 1], 1, 1)
    assert not Post.objects.filter(uri=vote["id"]).exists()  # a vote is not a reply
    post.refresh_from_db()
    assert post.replies_count == 0


def test_a_multiple_choice_vote_arrives_in_parts_and_a_second_single_choice_is_refused(
        client, remote, alice):
    from rostra.posts.services import poll_results

    multi, multi_uri = _local_poll(alice, multiple=True)
    for option in ("Tea", "Coffee", "Tea"):  # the repeated part changes nothing
        remote.deliver(client, remote.activity("zoe", "Create", _vote(remote, "zoe", multi_uri,
                                                                      option)))
    assert poll_results(multi.poll) == ([1, 1], 2, 1)
    single, single_uri = _local_poll(alice)
    remote.deliver(client, remote.activity("zoe", "Create", _vote(remote, "zoe", single_uri,
                                                                  "Tea")))
    remote.deliver(client, remote.activity("zoe", "Create", _vote(remote, "zoe", single_uri,
                                                                  "Coffee")))
    assert poll_results(single.poll) == ([1, 0], 1, 1)
    assert InboxActivity.objects.filter(status="ignored").count() == 1


def test_a_vote_naming_no_option_or_in_an_ended_poll_is_ignored(client, remote, alice):
    from datetime import timedelta

    from django.utils import timezone

    from rostra.posts.models import Poll
    from rostra.posts.services import poll_results

    post, uri = _local_poll(alice)
    remote.deliver(client, remote.activity("zoe", "Create", _vote(remote, "zoe", uri, "Milk")))
    Poll.objects.filter(pk=post.poll.pk).update(expires_at=timezone.now() - timedelta(1))
    remote.deliver(client, remote.activity("zoe", "Create", _vote(remote, "zoe", uri, "Tea")))
    post.poll.refresh_from_db()
    assert poll_results(post.poll) == ([0, 0], 0, 0)
    assert InboxActivity.objects.filter(status="ignored").count() == 2


def test_create_from_a_followed_actor_fetches_its_missing_parent(client, remote, alice, bob):
    from rostra.accounts import services as accounts
    from rostra.federation.remote import fetch_actor

    target = fetch_actor(remote.uri("zoe"))
    request = accounts.follow(alice, target)
    if isinstance(request, FollowRequest):  # remote follows wait for the Accept
        accounts.accept_follow_request(target, request)
    parent = remote.note("zoe", "<p>first</p>")
    remote.serve(parent["id"].split(remote.base)[1], parent)
    note = remote.note("zoe", inReplyTo=parent["id"])
    remote.deliver(client, remote.activity("zoe", "Create", note))
    reply = Post.objects.get(uri=note["id"])
    assert reply.in_reply_to.uri == parent["id"]


def test_update_edits_the_post_keeping_its_history(client, remote, alice):
    note = remote.note("zoe", tag=[{"type": "Mention", "href": local_uri(alice)}])
    remote.deliver(client, remote.activity("zoe", "Create", note))
    edited = {**note, "content": "<p>Hello again</p>", "updated": "2024-05-02T12:00:00Z"}
    remote.deliver(client, remote.activity("zoe", "Update", edited))
    post = Post.objects.get(uri=note["id"])
    assert post.content == "<p>Hello again</p>" and post.edited_at is not None
    assert PostEdit.objects.filter(post=post).count() == 2


def test_update_of_the_actor_refreshes_the_profile(client, remote, alice):
    document = remote.actor("zoe", name="Zoë Renamed")
    remote.deliver(client, remote.activity("zoe", "Update", document))
    assert zoe(remote).display_name == "Zoë Renamed"


def test_delete_removes_the_post_of_its_author_only(client, remote, alice):
    remote.actor("mallory")
    note = remote.note("zoe", tag=[{"type": "Mention", "href": local_uri(alice)}])
    remote.deliver(client, remote.activity("zoe", "Create", note))
    remote.deliver(client, remote.activity("mallory", "Delete", note["id"]))
    assert Post.objects.filter(uri=note["id"]).exists()
    remote.deliver(client, remote.activity("zoe", "Delete",
                                           {"id": note["id"], "type": "Tombstone"}))
    assert not Post.objects.filter(uri=note["id"]).exists()
    assert zoe(remote).statuses_count == 0


def test_delete_of_the_actor_suspends_it(client, remote, alice):
    remote.deliver(client, remote.activity("zoe", "Follow", local_uri(alice)))
    remote.deliver(client, remote.activity("zoe", "Delete", remote.uri("zoe")))
    assert zoe(remote).suspended_at is not None
    assert not Follow.objects.exists()


def test_like_and_undo_like(client, remote, alice):
    post = factories.make_post(alice)
    like = remote.activity("zoe", "Like", f"{local_uri(alice)}/statuses/{post.pk}")
    remote.deliver(client, like)
    post.refresh_from_db()
    assert post.favourites_count == 1 and Favourite.objects.count() == 1
    remote.deliver(client, remote.activity("zoe", "Undo", like["id"]))
    post.refresh_from_db()
    assert post.favourites_count == 0


def test_announce_of_a_local_post_is_a_boost_and_undo_removes_it(client, remote, alice):
    post = factories.make_post(alice)
    announce = remote.activity("zoe", "Announce", f"{local_uri(alice)}/statuses/{post.pk}",
                               to=[PUBLIC])
    remote.deliver(client, announce)
    post.refresh_from_db()
    assert post.reblogs_count == 1
    assert Post.objects.filter(reblog_of=post, account=zoe(remote)).exists()
    remote.deliver(client, remote.activity("zoe", "Undo", announce))
    assert not Post.objects.filter(reblog_of=post).exists()


def test_block_is_recorded(client, remote, alice):
    remote.deliver(client, remote.activity("zoe", "Block", local_uri(alice)))
    assert Block.objects.filter(account=zoe(remote), target_account=alice).exists()


def test_flag_is_kept_for_moderators(client, remote, alice):
    post = factories.make_post(alice)
    flag = remote.activity("zoe", "Flag", [local_uri(alice),
                                           f"{local_uri(alice)}/statuses/{post.pk}"],
                           content="spam")
    from django.test import TestCase

    from rostra.moderation.models import Case

    with TestCase.captureOnCommitCallbacks(execute=True):
        remote.deliver(client, flag)
    report = RemoteReport.objects.get()
    assert report.target_account == alice and list(report.posts.all()) == [post]
    assert report.content == "spam"
    case = Case.objects.get()  # the moderation queue has it
    assert (case.source, case.target_account, case.explanation) == ("federation", alice, "spam")
    assert list(case.target_posts.all()) == [post] and case.external_id == flag["id"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        remote.deliver(client, flag)  # a replay opens nothing more
    assert Case.objects.count() == 1


def test_move_records_the_new_account(client, remote, alice):
    remote.actor("zoe2", alsoKnownAs=[remote.uri("zoe")])
    remote.deliver(client, remote.activity("zoe", "Move", remote.uri("zoe"),
                                           target=remote.uri("zoe2")))
    assert zoe(remote).moved_to.uri == remote.uri("zoe2")


def test_move_to_an_account_that_does_not_alias_back_is_ignored(client, remote, alice):
    remote.actor("zoe2")
    remote.deliver(client, remote.activity("zoe", "Move", remote.uri("zoe"),
                                           target=remote.uri("zoe2")))
    assert zoe(remote).moved_to is None



def _question(remote, counts, voters, **extra):
    note = remote.note("zoe", "<p>Cats or dogs?</p>", **extra)
    return {**note, "type": "Question", "votersCount": voters,
            "endTime": "2099-01-01T00:00:00Z",
            "oneOf": [{"type": "Note", "name": name,
                       "replies": {"type": "Collection", "totalItems": count}}
                      for name, count in zip(("Cats", "Dogs"), counts, strict=True)]}


def test_a_remote_poll_shows_its_servers_tallies_and_their_updates(client, remote, alice):
    from rostra.posts import services as posts
    from rostra.posts.models import Poll

    question = _question(remote, (5, 3), 7, tag=[{"type": "Mention", "href": local_uri(alice)}])
    remote.deliver(client, remote.activity("zoe", "Create", question))
    post = Post.objects.get(uri=question["id"])
    assert posts.poll_results(post.poll) == ([5, 3], 8, 7)
    updated = {**question, "oneOf": _question(remote, (6, 9), 12)["oneOf"], "votersCount": 12}
    remote.deliver(client, remote.activity("zoe", "Update", updated))
    poll = Poll.objects.get(post=post)
    assert posts.poll_results(poll) == ([6, 9], 15, 12)
    assert not PostEdit.objects.filter(post=post).exists()  # new tallies are not an edit
    posts.vote(alice, poll, [0])  # counted here at once, before the server says so
    assert posts.poll_results(poll) == ([7, 9], 16, 13)


def _answers(kind: str) -> list[dict]:
    return [json.loads(d.activity.payload) for d in Delivery.objects.select_related("activity")
            if json.loads(d.activity.payload)["type"] == kind]


def test_a_follow_from_a_blocked_account_is_rejected_not_left_waiting(client, remote, alice):
    remote.deliver(client, remote.activity("zoe", "Follow", local_uri(alice)))
    accounts.block(alice, zoe(remote))
    follow = remote.activity("zoe", "Follow", local_uri(alice))
    assert remote.deliver(client, follow).status_code == 202
    assert not Follow.objects.filter(target_account=alice).exists()
    assert InboxActivity.objects.get(activity_id=follow["id"]).status == "ignored"
    (reject,) = _answers("Reject")
    assert reject["object"]["id"] == follow["id"]
    assert reject["actor"] == local_uri(alice)


def test_a_follow_from_a_server_the_account_blocked_is_rejected(client, remote, alice):
    # The rig's server is 127.0.0.1:port, which the form refuses as a domain: the row
    # is written directly (a block of a host covers it on any port).
    AccountDomainBlock.objects.create(account=alice, domain="127.0.0.1")
    follow = remote.activity("zoe", "Follow", local_uri(alice))
    remote.deliver(client, follow)
    assert not Follow.objects.filter(target_account=alice).exists()
    assert len(_answers("Reject")) == 1


def test_a_follow_ignored_for_another_reason_gets_no_reject(client, remote, alice):
    follow = remote.activity("zoe", "Follow", "http://localhost:8000/users/nobody")
    remote.deliver(client, follow)
    assert _answers("Reject") == []
