"""Outbound delivery: who receives what, and how sending, retrying and giving up go."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from rostra.accounts import sanctions
from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Follow, FollowRequest
from rostra.federation import delivery, signatures, uris
from rostra.federation.models import Delivery, DomainBlock, RemoteInstance
from rostra.posts import services as posts
from tests import factories
from tests.federation.servers import wait_for
from tests.ops.rig import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True


def remote(username: str, domain: str, *, shared: bool = True, base: str = "") -> Account:
    base = base or f"https://{domain}"
    return Account.objects.create(
        username=username, domain=domain, uri=f"{base}/users/{username}",
        inbox_url=f"{base}/users/{username}/inbox",
        shared_inbox_url=f"{base}/inbox" if shared else "",
    )


def committed(fn, *args, **kwargs):
    """Run a service as if its transaction committed (events fire, deliveries queue)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn(*args, **kwargs)


def follow_remotely(follower: Account, target: Account) -> None:
    """What the inbox does for an incoming Follow of an open account."""
    committed(accounts.follow, follower, target, uri=f"{follower.uri}#follows/1")


def sent(activity_type: str | None = None) -> list[Delivery]:
    rows = list(Delivery.objects.order_by("pk"))
    if activity_type:
        rows = [r for r in rows if json.loads(r.payload)["type"] == activity_type]
    return rows


def inboxes(activity_type: str) -> set[str]:
    return {r.inbox_url for r in sent(activity_type)}


# --- recipients ---------------------------------------------------------------------

def test_public_post_goes_once_to_each_followers_shared_inbox(alice):
    for name in ("a", "b", "c"):
        follow_remotely(remote(name, "one.example"), alice)
    follow_remotely(remote("d", "two.example", shared=False), alice)
    post = committed(posts.create_post, alice, "Hello fediverse", visibility="public")
    assert inboxes("Create") == {"https://one.example/inbox",
                                 "https://two.example/users/d/inbox"}
    payload = json.loads(sent("Create")[0].payload)
    assert payload["object"]["id"].endswith(f"/statuses/{post.pk}")
    assert sent("Create")[0].signer == alice


def test_suspended_servers_receive_nothing(alice):
    follow_remotely(remote("a", "bad.example"), alice)
    follow_remotely(remote("b", "social.worse.example"), alice)
    follow_remotely(remote("c", "good.example"), alice)
    DomainBlock.objects.create(domain="bad.example")
    DomainBlock.objects.create(domain="worse.example")
    committed(posts.create_post, alice, "Hi", visibility="public")
    assert inboxes("Create") == {"https://good.example/inbox"}


def test_followers_only_post_goes_to_followers_and_mentioned_only(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    remote("stranger", "two.example")
    committed(posts.create_post, alice, "Hey @stranger@two.example", visibility="private")
    assert inboxes("Create") == {"https://one.example/inbox", "https://two.example/inbox"}


def test_direct_post_goes_to_mentioned_only(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    remote("friend", "two.example")
    committed(posts.create_post, alice, "Psst @friend@two.example", visibility="direct")
    assert inboxes("Create") == {"https://two.example/inbox"}


def test_reply_goes_to_the_remote_author(alice):
    bob = remote("bob", "two.example")
    original = posts.create_post(bob, "Question?", visibility="public", source="federation",
                                 uri="https://two.example/users/bob/statuses/1")
    committed(posts.create_post, alice, "Answer", in_reply_to=original)
    assert inboxes("Create") == {"https://two.example/inbox"}


def test_a_remote_accounts_action_is_not_sent_back(alice):
    bob = remote("bob", "two.example")
    follow_remotely(bob, alice)
    committed(posts.create_post, bob, "Mine", source="federation",
              uri="https://two.example/users/bob/statuses/2")
    committed(accounts.update_profile, bob, display_name="Bob")
    post = factories.make_post(alice, "Local")
    committed(posts.favourite, bob, post)
    assert [r.signer for r in sent("Create")] == [alice]
    assert sent("Like") == [] and sent("Update") == []


def test_local_followers_need_no_delivery(alice, bob):
    committed(accounts.follow, bob, alice)
    committed(posts.create_post, alice, "Hi")
    assert sent() == []


# --- the social graph ----------------------------------------------------------------

def test_following_a_remote_account_is_a_request_until_accepted(alice):
    bob = remote("bob", "two.example")
    result = committed(accounts.follow, alice, bob)
    assert isinstance(result, FollowRequest) and result.uri
    assert not Follow.objects.filter(account=alice, target_account=bob).exists()
    (row,) = sent("Follow")
    assert json.loads(row.payload)["id"] == result.uri
    assert row.inbox_url == "https://two.example/inbox"


def test_withdrawing_a_follow_sends_undo_of_the_same_follow(alice):
    bob = remote("bob", "two.example")
    request = committed(accounts.follow, alice, bob)
    committed(accounts.unfollow, alice, bob)
    (row,) = sent("Undo")
    assert json.loads(row.payload)["object"]["id"] == request.uri


def test_accepting_a_remote_follow_sends_accept(make_user):
    carol = make_user("carol", locked=True).account
    bob = remote("bob", "two.example")
    committed(accounts.follow, bob, carol, uri="https://two.example/follows/9")
    assert sent() == []
    committed(accounts.accept_follow_request, carol,
              FollowRequest.objects.get(account=bob))
    (row,) = sent("Accept")
    assert json.loads(row.payload)["object"]["id"] == "https://two.example/follows/9"


def test_open_account_accepts_a_remote_follow_at_once(alice):
    bob = remote("bob", "two.example")
    follow_remotely(bob, alice)
    (row,) = sent("Accept")
    assert row.inbox_url == "https://two.example/inbox"


def test_rejecting_a_remote_follow_sends_reject(make_user):
    carol = make_user("carol", locked=True).account
    bob = remote("bob", "two.example")
    committed(accounts.follow, bob, carol, uri="https://two.example/follows/9")
    committed(accounts.reject_follow_request, carol, FollowRequest.objects.get(account=bob))
    assert inboxes("Reject") == {"https://two.example/inbox"}


def test_removing_a_remote_follower_rejects_its_follow(alice):
    bob = remote("bob", "two.example")
    follow_remotely(bob, alice)
    committed(accounts.remove_follower, alice, bob)
    (row,) = sent("Reject")
    reject = json.loads(row.payload)
    assert row.inbox_url == "https://two.example/inbox"
    assert reject["actor"] == uris.actor_uri(alice)
    assert reject["object"]["type"] == "Follow"
    assert reject["object"]["id"] == f"{bob.uri}#follows/1"
    assert reject["object"]["actor"] == bob.uri
    assert not Follow.objects.filter(account=bob, target_account=alice).exists()


def test_a_remote_reject_of_a_follow_sends_nothing_back(alice):
    """The inbox's Reject ends a local account's follow through the same service:
    nothing is echoed to the remote server."""
    bob = remote("bob", "two.example")
    Follow.objects.create(account=alice, target_account=bob, uri="x")  # as after Accept
    Account.objects.filter(pk=alice.pk).update(following_count=1)
    Account.objects.filter(pk=bob.pk).update(followers_count=1)
    committed(accounts.remove_follower, bob, alice)
    assert not Follow.objects.filter(account=alice, target_account=bob).exists()
    assert sent("Reject") == []


def test_block_and_unblock(alice):
    bob = remote("bob", "two.example")
    committed(accounts.block, alice, bob)
    committed(accounts.unblock, alice, bob)
    block = json.loads(sent("Block")[0].payload)
    undo = json.loads(sent("Undo")[0].payload)
    assert undo["object"]["id"] == block["id"]


def test_profile_update_goes_to_followers(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    committed(accounts.update_profile, alice, display_name="Alice A.")
    (row,) = sent("Update")
    assert json.loads(row.payload)["object"]["name"] == "Alice A."


# --- posts of others -------------------------------------------------------------------

def _remote_post(author: Account, n: int = 1):
    return posts.create_post(author, "Theirs", visibility="public", source="federation",
                             uri=f"{author.uri}/statuses/{n}")


def test_a_vote_in_a_remote_poll_goes_to_its_author_one_note_per_choice(alice):
    bob = remote("bob", "two.example")
    follow_remotely(remote("fan", "one.example"), alice)  # followers get no vote
    post = posts.create_remote_post(
        bob, uri=f"{bob.uri}/statuses/7", content_html="<p>Which?</p>",
        published=timezone.now(), visibility="public",
        poll=posts.RemotePoll(options=["Tea", "Coffee", "Both"], multiple=True,
                              expires_at=timezone.now() + timedelta(days=1)))
    committed(posts.vote, alice, post.poll, [0, 2])
    rows = sent("Create")
    assert {r.inbox_url for r in rows} == {"https://two.example/inbox"}
    notes = sorted((json.loads(r.payload)["object"] for r in rows), key=lambda n: n["name"])
    assert [n["name"] for n in notes] == ["Both", "Tea"]
    for note in notes:
        assert note["type"] == "Note" and note["inReplyTo"] == post.uri
        assert note["to"] == [bob.uri] and "content" not in note
        assert note["attributedTo"] == uris.actor_uri(alice)
    assert len({n["id"] for n in notes}) == 2


def test_a_vote_in_a_local_poll_sends_nothing(alice, make_user):
    follow_remotely(remote("fan", "one.example"), alice)
    post = posts.create_post(alice, "Which?", visibility="public",
                             poll=posts.PollSpec(["A", "B"], timedelta(days=1)))
    Delivery.objects.all().delete()
    committed(posts.vote, make_user("carol").account, post.poll, [1])
    assert sent() == []


def test_like_and_undo_like_go_to_the_author(alice):
    bob = remote("bob", "two.example")
    post = _remote_post(bob)
    committed(posts.favourite, alice, post)
    committed(posts.unfavourite, alice, post)
    like = json.loads(sent("Like")[0].payload)
    undo = json.loads(sent("Undo")[0].payload)
    assert like["object"] == post.uri and undo["object"]["id"] == like["id"]


def test_boost_and_unboost(alice):
    bob = remote("bob", "two.example")
    follow_remotely(remote("fan", "one.example"), alice)
    post = _remote_post(bob)
    committed(posts.reblog, alice, post)
    assert inboxes("Announce") == {"https://one.example/inbox", "https://two.example/inbox"}
    committed(posts.unreblog, alice, post)
    undo = json.loads(sent("Undo")[0].payload)
    assert undo["object"]["type"] == "Announce"
    assert inboxes("Undo") == inboxes("Announce")


def test_delete_reaches_every_inbox_the_create_reached(alice):
    friend = remote("friend", "two.example")
    follow_remotely(remote("fan", "one.example"), alice)
    post = committed(posts.create_post, alice, "Hi @friend@two.example")
    assert friend
    committed(posts.delete_post, alice, post)
    (delete_rows) = sent("Delete")
    assert {r.inbox_url for r in delete_rows} == {"https://one.example/inbox",
                                                  "https://two.example/inbox"}
    assert json.loads(delete_rows[0].payload)["object"]["type"] == "Tombstone"


def test_edit_sends_update(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    post = committed(posts.create_post, alice, "Tpyo")
    committed(posts.edit_post, alice, post, "Typo")
    (row,) = sent("Update")
    assert json.loads(row.payload)["object"]["content"].find("Typo") >= 0


def test_pin_sends_add_to_followers(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    post = committed(posts.create_post, alice, "Pin me")
    committed(posts.pin, alice, post)
    committed(posts.unpin, alice, post)
    assert inboxes("Add") == inboxes("Remove") == {"https://one.example/inbox"}


# --- sending ------------------------------------------------------------------------------

def _queued(http_server, alice, path="/inbox") -> Delivery:
    host = http_server.base.split("//")[1]
    bob = remote("bob", host, base=http_server.base)
    bob.shared_inbox_url = http_server.base + path
    bob.save()
    committed(accounts.block, alice, bob)
    return sent("Block")[0]


def test_a_delivery_is_signed_by_the_acting_account(http_server, alice):
    http_server.routes["/inbox"] = (202, {}, b"")
    row = _queued(http_server, alice)
    assert delivery.run_batch([row.pk]) == {"delivered": 1}
    row.refresh_from_db()
    assert row.status == Delivery.Status.DELIVERED and row.attempts == 1
    method, path, headers = http_server.hits[-1]
    alice.refresh_from_db()
    key_id = signatures.verify_request(method, http_server.base + path, headers,
                                       row.payload.encode(), lambda _k: alice.public_key)
    assert key_id.endswith("/users/alice#main-key")
    assert RemoteInstance.objects.get(pk=row.instance_id).last_success_at is not None


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_server_errors_are_retried_with_backoff(http_server, alice, status):
    http_server.routes["/inbox"] = (status, {}, b"busy")
    row = _queued(http_server, alice)
    before = timezone.now()
    assert delivery.run_batch([row.pk]) == {"retry": 1}
    row.refresh_from_db()
    assert row.status == Delivery.Status.PENDING and row.last_status_code == status
    assert timedelta(seconds=29) <= row.next_attempt_at - before <= timedelta(seconds=40)
    assert RemoteInstance.objects.get(pk=row.instance_id).failures == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_errors_fail_for_good(http_server, alice, status):
    http_server.routes["/inbox"] = (status, {}, b"no")
    row = _queued(http_server, alice)
    assert delivery.run_batch([row.pk]) == {"failed": 1}
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED


def test_unreachable_server_is_retried(alice):
    bob = remote("bob", "127.0.0.1:9", base="http://127.0.0.1:9")
    committed(accounts.block, alice, bob)
    row = sent("Block")[0]
    assert delivery.run_batch([row.pk]) == {"retry": 1}
    row.refresh_from_db()
    assert row.last_status_code is None and row.last_error


def test_backoff_doubles_and_is_capped():
    assert delivery.backoff(1) == timedelta(seconds=30)
    assert delivery.backoff(2) == timedelta(seconds=60)
    assert delivery.backoff(5) == timedelta(seconds=480)
    assert delivery.backoff(40) == delivery.MAX_RETRY


def test_gives_up_after_three_days(http_server, alice):
    http_server.routes["/inbox"] = (503, {}, b"")
    row = _queued(http_server, alice)
    Delivery.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert delivery.run_batch([row.pk]) == {"failed": 1}


def test_many_failures_mark_a_server_unreachable_and_one_success_resets(http_server, alice):
    http_server.routes["/inbox"] = (503, {}, b"")
    row = _queued(http_server, alice)
    RemoteInstance.objects.filter(pk=row.instance_id).update(
        failures=delivery.UNREACHABLE_AFTER - 1)
    delivery.run_batch([row.pk])
    instance = RemoteInstance.objects.get(pk=row.instance_id)
    assert instance.unreachable_since is not None
    row.refresh_from_db()
    assert row.next_attempt_at - timezone.now() > timedelta(minutes=50)  # slow retries
    http_server.routes["/inbox"] = (200, {}, b"")
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    delivery.run_batch([row.pk])
    instance.refresh_from_db()
    assert instance.failures == 0 and instance.unreachable_since is None


def test_a_claimed_delivery_is_not_sent_twice(http_server, alice):
    http_server.routes["/inbox"] = (202, {}, b"")
    row = _queued(http_server, alice)
    assert len(delivery.claim([row.pk])) == 1
    assert delivery.claim([row.pk]) == []
    assert delivery.run_batch([row.pk]) == {}


def test_a_killed_workers_deliveries_are_swept_up(http_server, alice):
    http_server.routes["/inbox"] = (202, {}, b"")
    row = _queued(http_server, alice)
    delivery.claim([row.pk])  # the worker took it, then died
    assert delivery.due_ids() == [] and delivery.sweep() == 0
    # The lease ran out some minutes ago: the sweep finds the row and queues it.
    Delivery.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - delivery.SWEEP_GRACE - timedelta(seconds=1))
    assert delivery.due_ids() == [row.pk]
    assert delivery.sweep() == 1
    assert delivery.run_batch(delivery.due_ids()) == {"delivered": 1}


def test_fresh_deliveries_are_not_swept_twice(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    committed(posts.create_post, alice, "Queued once")
    assert delivery.sweep() == 0


def test_queueing_the_same_activity_twice_sends_once(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    post = committed(posts.create_post, alice, "Once")
    from rostra.federation.serializers import activity

    assert delivery.deliver(activity.create(post), alice, ["https://one.example/inbox"]) == 0
    assert len(sent("Create")) == 1


def test_deliveries_are_enqueued_as_tasks(alice):
    from django_tasks_db.models import DBTaskResult

    follow_remotely(remote("fan", "one.example"), alice)
    committed(posts.create_post, alice, "Queued")
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert delivery.deliver_batch.module_path in paths


def test_a_large_audience_is_fanned_out_by_a_task(alice, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(delivery, "INLINE_LIMIT", 1)
    for n in range(3):
        follow_remotely(remote(f"fan{n}", f"s{n}.example"), alice)
    committed(posts.create_post, alice, "To many")
    assert sent("Create") == []  # the request did not store 3 rows itself
    task_row = DBTaskResult.objects.get(task_path=delivery.fan_out.module_path)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert delivery.fan_out.call(*task_row.args_kwargs["args"]) == 3
    assert inboxes("Create") == {f"https://s{n}.example/inbox" for n in range(3)}


def test_a_starting_worker_keeps_one_periodic_sweep_queued():
    from django_tasks_db.models import DBTaskResult

    delivery.start_sweeping()
    delivery.start_sweeping()
    assert DBTaskResult.objects.filter(task_path=delivery.sweep_task.module_path).count() == 1


def test_a_forwarded_report_about_a_remote_account_sends_an_anonymous_flag(alice):
    from rostra.moderation import services as moderation

    bob = remote("bob", "two.example")
    post = _remote_post(bob)
    committed(moderation.report, alice, bob, posts=[post], comment="Scam links",
              forward=True)
    (row,) = sent("Flag")
    flag = json.loads(row.payload)
    assert row.inbox_url == "https://two.example/inbox"
    assert flag["actor"] == uris.instance_actor_uri() and row.signer is None
    assert flag["object"] == [bob.uri, post.uri] and flag["content"] == "Scam links"
    assert "alice" not in row.payload  # the reporter stays anonymous


def test_a_report_not_forwarded_or_about_a_local_account_sends_nothing(alice, make_user):
    from rostra.moderation import services as moderation

    bob = remote("bob", "two.example")
    committed(moderation.report, alice, bob, comment="Meh")
    committed(moderation.report, alice, make_user("carol").account, forward=True)
    assert sent("Flag") == []


def test_moderators_removal_deletes_remote_copies_and_a_reversal_sends_the_post_again(alice):
    from rostra.moderation import appeals, decisions, services

    follow_remotely(remote("fan", "one.example"), alice)
    post = committed(posts.create_post, alice, "Borderline")
    mods = factories.make_user("mod1", admin=True), factories.make_user("mod2", admin=True)
    case = services.open_own_initiative(mods[0], posts=[post], category="terms")
    decision = committed(decisions.decide, case, "remove", by=mods[0], ground="terms",
                         terms_ground="Rule 2", explanation="Too far.", facts="Seen by us.")
    (removed,) = sent("Delete")
    assert removed.inbox_url == "https://one.example/inbox"
    assert json.loads(removed.payload)["object"]["id"].endswith(f"/statuses/{post.pk}")
    appeal = appeals.file_appeal(decision, "It is satire.", account=alice)
    committed(appeals.review, appeal, by=mods[1], reverse=True, response="It is satire.")
    creates = sent("Create")
    assert len(creates) == 2 and json.loads(creates[-1].payload)["object"]["id"].endswith(
        f"/statuses/{post.pk}")


def test_a_decision_on_a_remote_account_can_be_flagged_to_its_server(alice):
    from rostra.moderation import decisions, services

    troll = remote("troll", "far.example")
    mod = factories.make_user("mod1", admin=True)
    case = services.report(alice, troll, category="spam", comment="Spam from far away")
    committed(decisions.decide, case, "limit", by=mod, ground="terms", terms_ground="Rule 1",
              explanation="Unsolicited advertising.", facts="20 replies.", send_flag=True)
    (flag,) = sent("Flag")
    body = json.loads(flag.payload)
    assert flag.inbox_url == "https://far.example/inbox"
    assert body["content"] == "Unsolicited advertising." and troll.uri in body["object"]
    assert "alice" not in flag.payload  # the reporter stays anonymous


def test_new_deliveries_to_an_unreachable_server_wait_for_its_retries(alice):
    follow_remotely(remote("gone", "gone.example"), alice)
    follow_remotely(remote("here", "here.example"), alice)
    RemoteInstance.objects.filter(domain="gone.example").update(
        unreachable_since=timezone.now(), failures=delivery.UNREACHABLE_AFTER)
    committed(posts.create_post, alice, "Hello both", visibility="public")
    due = {r.inbox_url: r.next_attempt_at - timezone.now() for r in sent("Create")}
    assert due["https://gone.example/inbox"] > delivery.UNREACHABLE_RETRY - timedelta(minutes=1)
    assert due["https://here.example/inbox"] <= timedelta(0)


@pytest.mark.django_db(transaction=True)
def test_a_batch_leaves_a_server_that_never_answers_to_its_sending_thread(http_server, alice):
    """The worker runs one task at a time: a batch that waited for a hanging server
    would hold back every later delivery until the request timed out."""
    http_server.routes["/inbox"] = (202, {}, b"")
    with Receiver(hang=True) as hangs:
        hang_host = hangs.base.split("//")[1]
        follow_remotely(remote("stuck", hang_host, base=hangs.base), alice)
        healthy = remote("fine", http_server.base.split("//")[1], base=http_server.base)
        follow_remotely(healthy, alice)
        committed(posts.create_post, alice, "Anyone?", visibility="public")
        rows = {r.inbox_url: r for r in sent("Create")}
        counts = delivery.run_batch([r.pk for r in rows.values()], handoff=0.5)
        assert counts == {"delivered": 1, "handed_off": 1}
        stuck = Delivery.objects.get(pk=rows[hangs.base + "/inbox"].pk)
        assert (stuck.status, stuck.attempts) == (Delivery.Status.PENDING, 0)
        assert stuck.next_attempt_at > timezone.now()  # still leased: no one resends it
        hangs.released.set()  # the server hangs up without answering

        def recorded():
            row = Delivery.objects.get(pk=stuck.pk)
            return row if row.attempts == 1 else None
        row = wait_for(recorded, timeout=10, what="the sending thread to record the answer")
        assert row.status == Delivery.Status.PENDING and row.last_error
        assert Delivery.objects.get(pk=rows[http_server.base + "/inbox"].pk).status \
            == Delivery.Status.DELIVERED


def test_a_suspension_and_its_end_reach_the_followers_servers(alice, client):
    alice.display_name, alice.note_html = "Alice", "<p>About me</p>"
    alice.save()
    follow_remotely(remote("fan", "one.example"), alice)
    before = committed(sanctions.sanction, alice, suspended_at=timezone.now())
    (update,) = [json.loads(r.payload) for r in sent("Update")]
    assert update["object"]["suspended"] is True
    assert (update["object"]["name"], update["object"]["summary"]) == ("", "")
    assert "toot:suspended" in json.dumps(update["@context"])
    served = client.get("/users/alice", HTTP_ACCEPT="application/activity+json").json()
    assert served["suspended"] is True and served["name"] == ""
    committed(sanctions.restore, alice, before)
    lifted = [json.loads(r.payload) for r in sent("Update")][-1]
    assert "suspended" not in lifted["object"] and lifted["object"]["name"] == "Alice"
    assert inboxes("Update") == {"https://one.example/inbox"}


def test_other_measures_send_no_update(alice):
    follow_remotely(remote("fan", "one.example"), alice)
    committed(sanctions.sanction, alice, limited_at=timezone.now())
    assert sent("Update") == []
