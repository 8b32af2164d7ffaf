"""Domain blocks of one account: what a domain is, what a block ends and refuses,
and where its server's accounts stop showing (timelines, notifications)."""

from __future__ import annotations

import itertools
import json

import pytest
from django.db.models import F
from hypothesis import given
from hypothesis import strategies as st

from rostra.accounts import domain_blocks, services
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, AccountDomainBlock, Follow, FollowRequest
from rostra.notifications.models import Notification
from rostra.posts import services as posts
from rostra.posts.search import search_posts
from rostra.timelines import lists
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page
from tests.factories import make_post
from tests.federation.test_delivery import committed, remote, sent

pytestmark = pytest.mark.django_db
PAGE = Page(limit=40)
_uris = itertools.count(1)


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True


def remote_post(author, text: str = "from afar", **kwargs):
    return make_post(author, text, source="federation",
                     uri=f"{author.uri}/statuses/{next(_uris)}", **kwargs)


def accepted(follower, target) -> None:
    """A follow of a remote account as it stands once its server sent Accept."""
    Follow.objects.create(account=follower, target_account=target, uri="x")
    Account.objects.filter(pk=follower.pk).update(following_count=F("following_count") + 1)
    Account.objects.filter(pk=target.pk).update(followers_count=F("followers_count") + 1)


def ids(items) -> list[int]:
    return [p.pk for p in items]


# --- what a domain is ----------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("  Example.ORG ", "example.org"),
    ("*.example.org", "example.org"),
    (".example.org", "example.org"),
    ("example.org.", "example.org"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("XN--BCHER-KVA.example", "xn--bcher-kva.example"),
])
def test_domains_are_normalised(typed, stored):
    assert domain_blocks.normalize_domain(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "   ", "*.", "localhost", "https://example.org/", "user@example.org",
    "example.org:8443", "exa mple.org", "-bad.example.org", "a..b", "ex_ample.org",
    "a" * 64 + ".org", ".".join(["abcdefghi"] * 26),
])
def test_what_is_not_a_host_name_is_refused(typed):
    with pytest.raises(AccountError) as refused:
        domain_blocks.normalize_domain(typed)
    assert refused.value.field == "domain"


@given(st.text(max_size=80))
def test_normalising_any_text_gives_a_domain_or_an_account_error(typed):
    try:
        domain = domain_blocks.normalize_domain(typed)
    except AccountError:
        return
    assert domain == domain.strip().lower() and "." in domain and domain.isascii()
    assert domain_blocks.normalize_domain(domain) == domain


def test_blocking_this_servers_own_domain_is_refused(alice, settings):
    settings.ROSTRA_DOMAIN = "social.example:8000"
    with pytest.raises(AccountError, match="own domain"):
        domain_blocks.block_domain(alice, "Social.Example")
    assert not AccountDomainBlock.objects.exists()


def test_blocking_twice_keeps_one_block_and_unblocking_lifts_it(alice):
    first = domain_blocks.block_domain(alice, "spam.example")
    again = domain_blocks.block_domain(alice, "*.SPAM.example")
    assert first.pk == again.pk
    assert [b.domain for b in domain_blocks.blocked_domains(alice)] == ["spam.example"]
    assert domain_blocks.unblock_domain(alice, "spam.example") is True
    assert domain_blocks.unblock_domain(alice, "spam.example") is False
    assert not domain_blocks.blocked_domains(alice).exists()


def test_a_block_covers_subdomains_and_ports_but_not_lookalikes(alice):
    domain_blocks.block_domain(alice, "example.org")
    for covered in ("example.org", "a.example.org", "b.a.example.org:8443", "example.org:80"):
        assert domain_blocks.is_domain_blocked(alice, covered), covered
    for other in ("badexample.org", "example.org.evil.net", "example.com", ""):
        assert not domain_blocks.is_domain_blocked(alice, other), other


def test_a_block_is_one_accounts_own(alice, bob):
    domain_blocks.block_domain(alice, "spam.example")
    assert not domain_blocks.is_domain_blocked(bob, "spam.example")


# --- what a block ends ---------------------------------------------------------------

def test_followers_from_the_domain_are_removed_with_a_reject(alice):
    spammer = remote("spammer", "spam.example")
    neighbour = remote("neighbour", "sub.spam.example")
    friend = remote("friend", "good.example")
    for follower in (spammer, neighbour, friend):
        committed(services.follow, follower, alice, uri=f"{follower.uri}#follows/1")
    committed(domain_blocks.block_domain, alice, "spam.example")
    assert set(Follow.objects.filter(target_account=alice)
               .values_list("account__username", flat=True)) == {"friend"}
    rejects = {row.inbox_url: json.loads(row.payload) for row in sent("Reject")}
    assert set(rejects) == {"https://spam.example/inbox", "https://sub.spam.example/inbox"}
    assert rejects["https://spam.example/inbox"]["object"]["id"] == f"{spammer.uri}#follows/1"
    alice.refresh_from_db()
    assert alice.followers_count == 1


def test_the_blocker_stops_following_the_domain_with_an_undo(alice):
    """Mastodon 4's AfterBlockDomainFromAccountService removes one's follows too."""
    followed = remote("followed", "spam.example")
    asked = remote("asked", "spam.example")
    accepted(alice, followed)
    committed(services.follow, alice, asked)  # a pending request
    committed(domain_blocks.block_domain, alice, "spam.example")
    assert not Follow.objects.filter(account=alice).exists()
    assert not FollowRequest.objects.filter(account=alice).exists()
    assert {row.inbox_url for row in sent("Undo")} == {"https://spam.example/inbox"}


def test_pending_requests_from_the_domain_are_rejected(make_user):
    carol = make_user("carol", locked=True).account
    asker = remote("asker", "spam.example")
    committed(services.follow, asker, carol, uri="https://spam.example/follows/9")
    committed(domain_blocks.block_domain, carol, "spam.example")
    assert not FollowRequest.objects.filter(target_account=carol).exists()
    assert {row.inbox_url for row in sent("Reject")} == {"https://spam.example/inbox"}


def test_no_follow_crosses_the_block_either_way(alice):
    spammer = remote("spammer", "a.spam.example")
    domain_blocks.block_domain(alice, "spam.example")
    with pytest.raises(AccountError, match="Unblock the domain"):
        services.follow(alice, spammer)
    with pytest.raises(AccountError):
        services.follow(spammer, alice, uri=f"{spammer.uri}#follows/2")
    assert not Follow.objects.exists() and not FollowRequest.objects.exists()


def test_local_follows_are_untouched(alice, bob):
    services.follow(bob, alice)
    domain_blocks.block_domain(alice, "spam.example")
    assert Follow.objects.filter(account=bob, target_account=alice).exists()


def test_relationship_reports_domain_blocking(alice, bob):
    spammer = remote("spammer", "spam.example")
    assert services.relationship(alice, spammer)["domain_blocking"] is False
    domain_blocks.block_domain(alice, "spam.example")
    assert services.relationship(alice, spammer)["domain_blocking"] is True
    assert services.relationship(alice, bob)["domain_blocking"] is False


# --- where its accounts stop showing --------------------------------------------------

def test_public_timelines_hide_the_domain_but_not_others(alice):
    spam = remote_post(remote("spammer", "sub.spam.example"), "buy now")
    good = remote_post(remote("friend", "good.example"), "hello")
    assert set(ids(timelines.public(alice, PAGE))) == {spam.pk, good.pk}
    domain_blocks.block_domain(alice, "spam.example")
    assert ids(timelines.public(alice, PAGE)) == [good.pk]
    assert ids(timelines.public(None, PAGE)) == [good.pk, spam.pk]  # only the blocker's view


def test_tag_timeline_hides_the_domain(alice):
    spam = remote_post(remote("spammer", "spam.example"), "buy #deals")
    good = remote_post(remote("friend", "good.example"), "more #deals")
    assert set(ids(timelines.tag(alice, "deals", PAGE))) == {spam.pk, good.pk}
    domain_blocks.block_domain(alice, "spam.example")
    assert ids(timelines.tag(alice, "deals", PAGE)) == [good.pk]


def test_home_hides_posts_and_boosts_from_the_domain(alice, bob):
    spammer = remote("spammer", "spam.example")
    accepted(alice, spammer)
    services.follow(alice, bob)
    spam = remote_post(spammer, "buy now")
    boost = posts.reblog(bob, remote_post(remote("other", "a.spam.example"), "boost me"))
    own = make_post(bob, "mine")
    assert set(ids(timelines.home(alice, PAGE))) == {spam.pk, boost.pk, own.pk}
    domain_blocks.block_domain(alice, "spam.example")
    assert ids(timelines.home(alice, PAGE)) == [own.pk]


def test_home_hides_a_follow_of_the_domain_that_survived_the_block(alice):
    """A follow accepted after the block (a race) still shows nothing."""
    spammer = remote("spammer", "spam.example")
    domain_blocks.block_domain(alice, "spam.example")
    accepted(alice, spammer)
    remote_post(spammer, "buy now")
    assert timelines.home(alice, PAGE) == []


def test_list_timeline_hides_members_and_boosts_from_the_domain(alice, bob):
    spammer = remote("spammer", "spam.example")
    accepted(alice, spammer)
    services.follow(alice, bob)
    lst = lists.create_list(alice, "Mixed")
    lists.add_accounts(lst, [spammer, bob])
    remote_post(spammer, "buy now")
    posts.reblog(bob, remote_post(remote("other", "spam.example"), "boost me"))
    own = make_post(bob, "mine")
    assert len(timelines.list_timeline(alice, lst, PAGE)) == 3
    domain_blocks.block_domain(alice, "spam.example")
    accepted(alice, spammer)  # a follow that survived the block
    assert ids(timelines.list_timeline(alice, lst, PAGE)) == [own.pk]


def test_no_notification_is_created_from_the_domain(alice):
    spammer = remote("spammer", "spam.example")
    friend = remote("friend", "good.example")
    domain_blocks.block_domain(alice, "spam.example")
    remote_post(spammer, "Hey @alice")
    remote_post(friend, "Hey @alice")
    assert list(Notification.objects.filter(account=alice)
                .values_list("from_account__username", flat=True)) == ["friend"]


def test_blocking_clears_the_notifications_from_the_domain(alice):
    remote_post(remote("spammer", "sub.spam.example"), "Hey @alice")
    remote_post(remote("friend", "good.example"), "Hey @alice")
    assert Notification.objects.filter(account=alice).count() == 2
    committed(domain_blocks.block_domain, alice, "spam.example")
    assert list(Notification.objects.filter(account=alice)
                .values_list("from_account__username", flat=True)) == ["friend"]


def test_streams_send_nothing_from_the_domain(alice, bob):
    from rostra.api.streaming import render
    from rostra.streaming import streams
    from rostra.streaming.models import StreamEvent

    spam = remote_post(remote("spammer", "spam.example"), "buy now")
    boost = posts.reblog(bob, spam)
    rows = [StreamEvent(stream=name, event=streams.UPDATE, post_id=post.pk)
            for name, post in (("public", spam), (f"user:{alice.pk}", boost))]
    assert all(render.render(row, alice) is not None for row in rows)
    domain_blocks.block_domain(alice, "spam.example")
    assert [render.render(row, alice) for row in rows] == [None, None]
    assert render.render(rows[0], bob) is not None


def test_search_finds_nothing_from_the_domain(alice):
    spam = remote_post(remote("spammer", "spam.example"), "cheap watches today")
    good = remote_post(remote("friend", "good.example"), "my watches are cheap")
    assert set(ids(search_posts("watches", alice))) == {spam.pk, good.pk}
    domain_blocks.block_domain(alice, "spam.example")
    assert ids(search_posts("watches", alice)) == [good.pk]
    assert set(ids(search_posts("watches", None))) == {spam.pk, good.pk}


def test_a_thread_leaves_out_the_domains_replies_and_ancestors(alice, bob):
    spammer = remote("spammer", "spam.example")
    root = remote_post(spammer, "a question")
    answer = make_post(bob, "an answer", in_reply_to=root)
    spam_reply = remote_post(spammer, "buy now", in_reply_to=answer)
    under_spam = make_post(bob, "no thanks", in_reply_to=spam_reply)
    late = make_post(alice, "thanks bob", in_reply_to=answer)
    ancestors, descendants = timelines.thread(alice, answer)
    assert (ids(ancestors), ids(descendants)) == ([root.pk], [spam_reply.pk, under_spam.pk,
                                                               late.pk])
    domain_blocks.block_domain(alice, "spam.example")
    ancestors, descendants = timelines.thread(alice, answer)
    # The blocked server's posts go, and what answers them with them (Mastodon's
    # context: a reply under a hidden post is out of reach).
    assert (ids(ancestors), ids(descendants)) == ([], [late.pk])
    ancestors, descendants = timelines.thread(bob, answer)
    assert ids(ancestors) == [root.pk] and len(descendants) == 3


def test_a_profile_leaves_out_boosts_of_the_domain(alice, bob):
    boost = posts.reblog(bob, remote_post(remote("spammer", "spam.example"), "boost me"))
    own = make_post(bob, "mine")
    assert set(ids(timelines.profile(alice, bob, PAGE))) == {boost.pk, own.pk}
    domain_blocks.block_domain(alice, "spam.example")
    assert ids(timelines.profile(alice, bob, PAGE)) == [own.pk]
    assert len(timelines.profile(bob, bob, PAGE)) == 2
