"""The social graph: follows, follow requests, blocks, mutes and their counters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts import services
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Follow, FollowRequest, Mute


def counts(account: Account) -> tuple[int, int]:
    account.refresh_from_db()
    return account.followers_count, account.following_count


@pytest.fixture
def locked(make_account):
    return make_account("locked_lou", locked=True)


def test_following_an_open_account_creates_a_follow(alice, bob):
    result = services.follow(alice, bob)
    assert isinstance(result, Follow)
    assert Follow.objects.filter(account=alice, target_account=bob).exists()


def test_following_updates_both_counters(alice, bob):
    services.follow(alice, bob)
    assert counts(alice) == (0, 1)
    assert counts(bob) == (1, 0)


def test_following_twice_counts_once(alice, bob):
    services.follow(alice, bob)
    services.follow(alice, bob)
    assert counts(bob) == (1, 0)
    assert Follow.objects.count() == 1


def test_following_again_changes_the_follow_options(alice, bob):
    services.follow(alice, bob)
    services.follow(alice, bob, show_reblogs=False, notify=True)
    follow = Follow.objects.get(account=alice, target_account=bob)
    assert (follow.show_reblogs, follow.notify) == (False, True)


def test_following_oneself_is_refused(alice):
    with pytest.raises(AccountError):
        services.follow(alice, alice)


def test_following_a_suspended_account_is_refused(alice, bob):
    Account.objects.filter(pk=bob.pk).update(suspended_at=timezone.now())
    bob.refresh_from_db()
    with pytest.raises(AccountError):
        services.follow(alice, bob)


def test_following_a_locked_account_creates_a_request_not_a_follow(alice, locked):
    result = services.follow(alice, locked)
    assert isinstance(result, FollowRequest)
    assert not Follow.objects.filter(account=alice, target_account=locked).exists()
    assert counts(locked) == (0, 0)


def test_accepting_a_request_creates_the_follow(alice, locked):
    request = services.follow(alice, locked)
    services.accept_follow_request(locked, request)
    assert Follow.objects.filter(account=alice, target_account=locked).exists()
    assert not FollowRequest.objects.exists()
    assert counts(locked) == (1, 0)
    assert counts(alice) == (0, 1)


def test_accepting_keeps_the_requested_options(alice, locked):
    request = services.follow(alice, locked, show_reblogs=False, notify=True)
    follow = services.accept_follow_request(locked, request)
    assert (follow.show_reblogs, follow.notify) == (False, True)


def test_only_the_addressee_may_accept_a_request(alice, bob, locked):
    request = services.follow(alice, locked)
    with pytest.raises(AccountError):
        services.accept_follow_request(bob, request)
    assert FollowRequest.objects.filter(pk=request.pk).exists()


def test_rejecting_a_request_deletes_it_without_a_follow(alice, locked):
    request = services.follow(alice, locked)
    services.reject_follow_request(locked, request)
    assert not FollowRequest.objects.exists()
    assert not Follow.objects.exists()


def test_only_the_addressee_may_reject_a_request(alice, bob, locked):
    request = services.follow(alice, locked)
    with pytest.raises(AccountError):
        services.reject_follow_request(bob, request)
    assert FollowRequest.objects.filter(pk=request.pk).exists()


def test_unlocking_accepts_pending_requests(alice, locked):
    services.follow(alice, locked)
    services.update_profile(locked, locked=False)
    assert Follow.objects.filter(account=alice, target_account=locked).exists()
    assert counts(locked) == (1, 0)


def test_unfollow_removes_the_follow_and_counters(alice, bob):
    services.follow(alice, bob)
    services.unfollow(alice, bob)
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0)
    assert counts(bob) == (0, 0)


def test_unfollow_withdraws_a_pending_request(alice, locked):
    services.follow(alice, locked)
    services.unfollow(alice, locked)
    assert not FollowRequest.objects.exists()


def test_unfollowing_someone_not_followed_changes_no_counter(alice, bob, carol):
    services.follow(carol, bob)
    services.unfollow(alice, bob)
    assert counts(bob) == (1, 0)
    assert counts(alice) == (0, 0)


def test_remove_follower_ends_their_follow(alice, bob):
    services.follow(alice, bob)
    services.remove_follower(bob, alice)
    assert not Follow.objects.exists()
    assert counts(bob) == (0, 0)
    assert counts(alice) == (0, 0)


def test_block_removes_follows_both_ways(alice, bob):
    services.follow(alice, bob)
    services.follow(bob, alice)
    services.block(alice, bob)
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0)
    assert counts(bob) == (0, 0)


def test_block_removes_pending_requests_both_ways(alice, locked):
    services.follow(locked, alice)  # alice is open: a follow
    services.follow(alice, locked)  # locked: a request
    services.block(locked, alice)
    assert not FollowRequest.objects.exists()
    assert not Follow.objects.exists()


def test_blocked_account_cannot_follow_the_blocker(alice, bob):
    services.block(alice, bob)
    with pytest.raises(AccountError):
        services.follow(bob, alice)


def test_blocker_cannot_follow_the_blocked_account(alice, bob):
    services.block(alice, bob)
    with pytest.raises(AccountError):
        services.follow(alice, bob)


def test_blocking_oneself_is_refused(alice):
    with pytest.raises(AccountError):
        services.block(alice, alice)


def test_unblock_allows_following_again(alice, bob):
    services.block(alice, bob)
    services.unblock(alice, bob)
    assert isinstance(services.follow(bob, alice), Follow)


def test_block_is_seen_from_both_sides(alice, bob):
    services.block(alice, bob)
    assert services.is_blocked_between(bob, alice)
    assert services.blocked_account_ids(alice) == {bob.pk}
    assert services.blocked_account_ids(bob) == {alice.pk}


def test_mute_without_duration_lasts(alice, bob):
    services.mute(alice, bob)
    assert services.muted_account_ids(alice) == {bob.pk}


def test_mute_with_a_duration_expires(alice, bob):
    mute = services.mute(alice, bob, duration=timedelta(hours=1))
    assert services.muted_account_ids(alice) == {bob.pk}
    Mute.objects.filter(pk=mute.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.muted_account_ids(alice) == set()


def test_expired_mute_is_not_reported_in_the_relationship(alice, bob):
    mute = services.mute(alice, bob, duration=timedelta(hours=1))
    Mute.objects.filter(pk=mute.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.relationship(alice, bob)["muting"] is False


def test_mute_without_notifications_is_not_a_notification_mute(alice, bob):
    services.mute(alice, bob, notifications=False)
    assert services.muted_account_ids(alice, notifications_only=True) == set()


def test_muting_oneself_is_refused(alice):
    with pytest.raises(AccountError):
        services.mute(alice, alice)


def test_unmute_ends_the_mute(alice, bob):
    services.mute(alice, bob)
    services.unmute(alice, bob)
    assert services.muted_account_ids(alice) == set()


def test_mute_does_not_end_a_follow(alice, bob):
    services.follow(alice, bob)
    services.mute(alice, bob)
    assert Follow.objects.filter(account=alice, target_account=bob).exists()


def test_relationship_reports_follow_and_request_state(alice, bob, locked):
    services.follow(alice, bob, notify=True)
    services.follow(bob, alice)
    services.follow(alice, locked)
    rel = services.relationship(alice, bob)
    assert rel["following"] and rel["followed_by"] and rel["notifying"]
    assert services.relationship(alice, locked)["requested"]
    assert services.relationship(locked, alice)["requested_by"]


def test_relationship_reports_blocks_from_both_sides(alice, bob):
    services.block(alice, bob)
    assert services.relationship(alice, bob)["blocking"]
    assert services.relationship(bob, alice)["blocked_by"]
