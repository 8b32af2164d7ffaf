"""Account migration between local accounts: aliases, the checks before a move, and
what a move does to the followers (``portability.move``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from rostra.accounts import events
from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Block, Follow, FollowRequest, Mute
from rostra.api.serializers.notification import serialize_notification
from rostra.notifications.models import Notification
from rostra.portability import move as moving
from rostra.timelines import lists
from rostra.timelines.models import ListAccount
from tests import factories

pytestmark = pytest.mark.django_db

ALICE_URI = "http://localhost:8000/users/alice"


def fresh(account: Account) -> Account:
    return Account.objects.get(pk=account.pk)


@pytest.fixture
def aliased(alice, bob):
    """bob names alice as an alias: alice may move to bob."""
    moving.add_alias(bob, "alice")
    return alice, bob


# --- aliases ----------------------------------------------------------------------------

def test_an_alias_is_the_other_accounts_actor_id(alice, bob):
    found = moving.add_alias(bob, "@alice")
    assert found == alice
    assert fresh(bob).also_known_as == [ALICE_URI]


def test_adding_the_same_alias_twice_keeps_one(alice, bob):
    moving.add_alias(bob, "alice")
    moving.add_alias(bob, ALICE_URI)
    assert fresh(bob).also_known_as == [ALICE_URI]


def test_an_alias_is_removed_by_its_id_or_its_handle(alice, bob, carol):
    moving.add_alias(bob, "alice")
    moving.add_alias(bob, "carol")
    moving.remove_alias(bob, ALICE_URI)
    moving.remove_alias(bob, "carol")
    assert fresh(bob).also_known_as == []


def test_removing_what_is_not_an_alias_is_refused(alice, bob):
    with pytest.raises(moving.MoveError, match="not one of your aliases"):
        moving.remove_alias(bob, "alice")


def test_an_account_cannot_be_its_own_alias(bob):
    with pytest.raises(moving.MoveError, match="itself"):
        moving.add_alias(bob, "bob")
    assert fresh(bob).also_known_as == []


@pytest.mark.parametrize("reference", ["", "   ", "nobody", "@nobody"])
def test_an_unknown_or_empty_handle_cannot_be_aliased(bob, reference):
    with pytest.raises(moving.MoveError):
        moving.add_alias(bob, reference)
    assert fresh(bob).also_known_as == []


def test_aliases_are_limited(bob):
    for i in range(moving.MAX_ALIASES):
        moving.add_alias(bob, factories.make_account(f"old{i}").username)
    with pytest.raises(moving.MoveError, match="Up to"):
        moving.add_alias(bob, factories.make_account("onemore").username)


def test_the_actor_document_lists_the_aliases(alice, bob):
    from rostra.federation.serializers.actor import serialize_actor

    moving.add_alias(bob, "alice")
    assert serialize_actor(fresh(bob))["alsoKnownAs"] == [ALICE_URI]


# --- the checks before a move ---------------------------------------------------------

def test_a_move_to_an_account_that_does_not_alias_us_is_refused(alice, bob, carol):
    accounts.follow(carol, alice)
    with pytest.raises(moving.MoveError, match="does not name this account as an alias"):
        moving.move_account(alice, "bob")
    alice = fresh(alice)
    assert alice.moved_to is None and alice.moved_at is None
    assert Follow.objects.filter(account=carol, target_account=alice).exists()


def test_a_move_to_oneself_is_refused(alice):
    with pytest.raises(moving.MoveError, match="same account"):
        moving.move_account(alice, "alice")


def test_a_move_to_an_unknown_account_is_refused(alice):
    with pytest.raises(moving.MoveError, match="Could not find"):
        moving.move_account(alice, "nobody")
    assert fresh(alice).moved_to is None


def test_a_second_move_within_thirty_days_is_refused(aliased, carol):
    alice, bob = aliased
    moving.move_account(alice, "bob")
    moving.add_alias(carol, "alice")
    moving.cancel_move(alice)
    with pytest.raises(moving.MoveError, match="moved recently"):
        moving.move_account(alice, "carol")
    assert fresh(alice).moved_to is None


def test_a_move_is_allowed_again_after_the_cooldown(aliased, carol):
    alice, bob = aliased
    moving.move_account(alice, "bob")
    moving.add_alias(carol, "alice")
    Account.objects.filter(pk=alice.pk).update(
        moved_at=timezone.now() - moving.COOLDOWN - timedelta(minutes=1))
    assert moving.move_account(fresh(alice), "carol") == carol
    assert fresh(alice).moved_to == carol


def test_moving_twice_to_the_same_account_is_refused(aliased):
    alice, bob = aliased
    moving.move_account(alice, "bob")
    Account.objects.filter(pk=alice.pk).update(moved_at=timezone.now() - timedelta(days=40))
    with pytest.raises(moving.MoveError, match="already moved"):
        moving.move_account(fresh(alice), "bob")


# --- what a move does ------------------------------------------------------------------

def test_the_moved_account_points_to_the_new_one(aliased):
    alice, bob = aliased
    with TestCase.captureOnCommitCallbacks(execute=True):
        moving.move_account(alice, "@bob")
    alice = fresh(alice)
    assert alice.moved_to == bob and alice.moved_at is not None


def test_a_moved_account_cannot_post_until_the_redirect_is_cancelled(aliased):
    from rostra.posts import services as posts
    from rostra.posts.errors import PostError

    alice, bob = aliased
    moving.move_account(alice, "bob")
    with pytest.raises(PostError, match="has moved"):
        posts.create_post(fresh(alice), "still here?")
    moving.cancel_move(alice)
    assert posts.create_post(fresh(alice), "back again").account_id == alice.pk


def test_a_move_sends_account_moved_once_committed(aliased):
    alice, bob = aliased
    heard = []

    def listener(sender, account, target, **kwargs):
        heard.append((account.pk, target.pk))

    events.account_moved.connect(listener)
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            moving.move_account(alice, "bob")
    finally:
        events.account_moved.disconnect(listener)
    assert heard == [(alice.pk, bob.pk)]


def test_local_followers_follow_the_new_account_and_leave_the_old(aliased, carol):
    alice, bob = aliased
    dave = factories.make_account("dave")
    accounts.follow(carol, alice)
    accounts.follow(dave, alice)
    moving.move_account(alice, "bob")
    for follower in (carol, dave):
        assert Follow.objects.filter(account=follower, target_account=bob).exists()
        assert not Follow.objects.filter(account=follower, target_account=alice).exists()
    assert fresh(alice).followers_count == 0
    assert fresh(bob).followers_count == 2


def test_followers_of_a_locked_new_account_ask_to_follow_it(alice, carol):
    locked = factories.make_account("locked", locked=True)
    moving.add_alias(locked, "alice")
    accounts.follow(carol, alice)
    moving.move_account(alice, "locked")
    assert FollowRequest.objects.filter(account=carol, target_account=locked).exists()
    assert not Follow.objects.filter(account=carol, target_account=locked).exists()
    assert not Follow.objects.filter(account=carol, target_account=alice).exists()


def test_follow_options_go_along(aliased, carol):
    alice, bob = aliased
    accounts.follow(carol, alice, show_reblogs=False, notify=True)
    moving.move_account(alice, "bob")
    follow = Follow.objects.get(account=carol, target_account=bob)
    assert (follow.show_reblogs, follow.notify) == (False, True)


def test_list_memberships_go_along(aliased, carol):
    alice, bob = aliased
    accounts.follow(carol, alice)
    friends = lists.create_list(carol, "Friends")
    lists.add_accounts(friends, [alice])
    moving.move_account(alice, "bob")
    assert list(ListAccount.objects.filter(list=friends)
                .values_list("account_id", flat=True)) == [bob.pk]
    assert lists.member_ids(friends) == [bob.pk]


def test_each_moved_follower_gets_a_move_notification(aliased, carol):
    alice, bob = aliased
    accounts.follow(carol, alice)
    moving.move_account(alice, "bob")
    note = Notification.objects.get(account=carol, type="move")
    assert note.from_account == alice
    api = serialize_notification(note, carol)
    assert api["type"] == "move"
    assert api["account"]["id"] == str(alice.pk)
    assert api["target"]["id"] == str(bob.pk)


def test_a_repeated_move_changes_nothing(aliased, carol):
    alice, bob = aliased
    accounts.follow(carol, alice)
    moving.move_account(alice, "bob")
    assert moving.apply_move(fresh(alice), bob) == 0
    assert Notification.objects.filter(account=carol, type="move").count() == 1
    assert Follow.objects.filter(account=carol, target_account=bob).count() == 1
    assert fresh(bob).followers_count == 1


def test_a_follower_blocked_by_the_new_account_keeps_the_old_follow(aliased, carol):
    alice, bob = aliased
    accounts.follow(carol, alice)
    accounts.block(bob, carol)
    moving.move_account(alice, "bob")
    assert Follow.objects.filter(account=carol, target_account=alice).exists()
    assert not Notification.objects.filter(account=carol, type="move").exists()


def test_the_new_account_following_the_old_one_is_left_alone(aliased):
    alice, bob = aliased
    accounts.follow(bob, alice)
    assert moving.move_account(alice, "bob") == bob
    assert Follow.objects.filter(account=bob, target_account=alice).exists()


def test_blocks_and_mutes_of_the_old_account_go_along(aliased, carol):
    alice, bob = aliased
    dave, erin = factories.make_account("dave"), factories.make_account("erin")
    accounts.block(carol, alice)
    accounts.mute(dave, alice, notifications=False)
    accounts.mute(erin, alice)
    accounts.follow(erin, bob)  # erin follows the new account: her mute stays behind
    moving.move_account(alice, "bob")
    assert Block.objects.filter(account=carol, target_account=bob).exists()
    mute = Mute.objects.get(account=dave, target_account=bob)
    assert mute.hide_notifications is False
    assert not Mute.objects.filter(account=erin, target_account=bob).exists()


def test_cancelling_the_redirect_keeps_the_followers_where_they_went(aliased, carol):
    alice, bob = aliased
    accounts.follow(carol, alice)
    moving.move_account(alice, "bob")
    moving.cancel_move(alice)
    alice = fresh(alice)
    assert alice.moved_to is None and alice.moved_at is not None
    assert Follow.objects.filter(account=carol, target_account=bob).exists()
    with pytest.raises(moving.MoveError, match="not moved"):
        moving.cancel_move(alice)


# --- the command-line door ----------------------------------------------------------------

def test_the_command_aliases_and_moves(alice, bob, carol):
    from django.core.management import call_command

    accounts.follow(carol, alice)
    call_command("move", "alias", "bob", "@alice")
    call_command("move", "move", "alice", "bob")
    assert fresh(alice).moved_to == bob
    assert Follow.objects.filter(account=carol, target_account=bob).exists()


def test_the_command_says_why_a_move_is_refused(alice, bob):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="does not name this account as an alias"):
        call_command("move", "move", "alice", "bob")
    with pytest.raises(CommandError, match="No local account"):
        call_command("move", "move", "nobody", "bob")
    with pytest.raises(CommandError, match="needs the other account"):
        call_command("move", "alias", "bob")
