"""Lists: members must be followed; the list timeline; replies policies; exclusive
lists leave home."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from rostra.timelines import lists
from rostra.timelines import services as timelines
from rostra.timelines.errors import TimelineError
from rostra.timelines.pagination import Page
from tests import factories

pytestmark = pytest.mark.django_db


def _ids(posts):
    return [p.pk for p in posts]


def test_only_followed_accounts_can_be_added(alice, bob):
    friends = lists.create_list(alice, "Friends")
    with pytest.raises(TimelineError):
        lists.add_accounts(friends, [bob])
    accounts.follow(alice, bob)
    lists.add_accounts(friends, [bob])
    lists.add_accounts(friends, [bob])  # twice is fine
    assert lists.member_ids(friends) == [bob.pk]


def test_list_timeline_shows_members_only(alice, bob, carol):
    accounts.follow(alice, bob)
    accounts.follow(alice, carol)
    friends = lists.create_list(alice, "Friends")
    lists.add_accounts(friends, [bob])
    mine = factories.make_post(bob, "in the list")
    factories.make_post(carol, "not in the list")
    assert _ids(timelines.list_timeline(alice, friends, Page())) == [mine.pk]


def test_unfollowed_member_leaves_the_list_timeline(alice, bob):
    accounts.follow(alice, bob)
    friends = lists.create_list(alice, "Friends")
    lists.add_accounts(friends, [bob])
    factories.make_post(bob, "hello")
    accounts.unfollow(alice, bob)
    assert timelines.list_timeline(alice, friends, Page()) == []


def test_list_timeline_keeps_the_visibility_rule(alice, bob, carol):
    accounts.follow(alice, bob)
    friends = lists.create_list(alice, "Friends")
    lists.add_accounts(friends, [bob])
    factories.make_post(bob, "@carol only you", visibility="direct")
    assert timelines.list_timeline(alice, friends, Page()) == []


@pytest.mark.parametrize(("policy", "shown"), [("list", {"member", "self"}),
                                               ("followed", {"member", "followed", "self"}),
                                               ("none", {"self"})])
def test_replies_policy(alice, bob, carol, make_account, policy, shown):
    dave = make_account("dave")
    for target in (bob, carol, dave):
        accounts.follow(alice, target)
    lst = lists.create_list(alice, "L", replies_policy=policy)
    lists.add_accounts(lst, [bob, dave])
    to_member = factories.make_post(dave, "dave's")
    to_followed = factories.make_post(carol, "carol's")
    own = factories.make_post(bob, "bob's")
    made = {
        "member": factories.make_post(bob, "@dave yes", in_reply_to=to_member),
        "followed": factories.make_post(bob, "@carol yes", in_reply_to=to_followed),
        "self": factories.make_post(bob, "and more", in_reply_to=own),
    }
    found = set(_ids(timelines.list_timeline(alice, lst, Page())))
    assert {name for name, post in made.items() if post.pk in found} == shown


def test_exclusive_list_members_leave_home(alice, bob, carol):
    accounts.follow(alice, bob)
    accounts.follow(alice, carol)
    lst = lists.create_list(alice, "Quiet", exclusive=True)
    lists.add_accounts(lst, [bob])
    hidden = factories.make_post(bob, "only in the list")
    kept = factories.make_post(carol, "still at home")
    own = factories.make_post(alice, "mine")
    home = _ids(timelines.home(alice, Page()))
    assert hidden.pk not in home and kept.pk in home and own.pk in home
    assert _ids(timelines.list_timeline(alice, lst, Page())) == [hidden.pk]


def test_non_exclusive_list_members_stay_at_home(alice, bob):
    accounts.follow(alice, bob)
    lst = lists.create_list(alice, "Loud")
    lists.add_accounts(lst, [bob])
    post = factories.make_post(bob, "everywhere")
    assert post.pk in _ids(timelines.home(alice, Page()))


def test_blank_title_and_unknown_policy_are_refused(alice):
    with pytest.raises(TimelineError):
        lists.create_list(alice, "  ")
    with pytest.raises(TimelineError):
        lists.create_list(alice, "x", replies_policy="everyone")
