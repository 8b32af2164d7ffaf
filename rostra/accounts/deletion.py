"""A person closes their own account (settings → "Delete account"), as on Mastodon.

At once, in one transaction: the account is marked deleted (and so suspended: every
door stops showing it), its profile is emptied, its log-in is disabled and its
e-mail address erased; after commit ``events.account_deleted`` is sent (federation
sends ``Delete`` of the actor to every server that knows it; each app drops what it
keeps for the account) and ``purge_account`` is queued, which removes the social
graph (keeping everyone's counters right) and, through the posts app's subscriber,
every post and its media.

The ``Account`` row stays, emptied: its username stays taken (nobody can later
pose as the deleted person on the fediverse), and its key still signs the
``Delete`` deliveries while they are retried.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from rostra.accounts import events
from rostra.accounts.errors import AccountError
from rostra.accounts.models import (
    Account,
    AccountDomainBlock,
    Block,
    Endorsement,
    Follow,
    FollowRequest,
    Mute,
    SuggestionDismissal,
    User,
)


def delete_account(account: Account) -> None:
    """Close ``account`` (a local one) now and queue the removal of what it made."""
    if not account.local:
        raise AccountError("Only accounts of this server can be deleted here.")
    if account.deleted_at:
        return
    files = [f for f in (account.avatar, account.header) if f]
    now = timezone.now()
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(
            deleted_at=now, suspended_at=account.suspended_at or now, display_name="",
            note="", note_html="", fields=[], avatar="", header="", discoverable=False,
            locked=False)
        user = User.objects.filter(account=account).first()
        if user is not None:
            user.is_active = False
            user.set_unusable_password()
            user.email = f"deleted-{account.pk}@invalid"
            user.totp_secret = ""
            user.save(update_fields=["is_active", "password", "email", "totp_secret"])
        account.refresh_from_db()

        def after() -> None:
            for f in files:
                f.storage.delete(f.name)
            events.account_deleted.send(Account, account=account)
            purge_account.enqueue(account.pk)

        transaction.on_commit(after)


@task()
def purge_account(account_id: int) -> None:
    account = Account.objects.filter(pk=account_id, deleted_at__isnull=False).first()
    if account is not None:
        purge_graph(account)


def purge_graph(account: Account) -> None:
    """End every relation of ``account``, with the other side's counters kept right."""
    with transaction.atomic():
        following = list(Follow.objects.filter(account=account)
                         .values_list("target_account_id", flat=True))
        followers = list(Follow.objects.filter(target_account=account)
                         .values_list("account_id", flat=True))
        Follow.objects.filter(account=account).delete()
        Follow.objects.filter(target_account=account).delete()
        Account.objects.filter(pk__in=following, followers_count__gt=0).update(
            followers_count=F("followers_count") - 1)
        Account.objects.filter(pk__in=followers, following_count__gt=0).update(
            following_count=F("following_count") - 1)
        Account.objects.filter(pk=account.pk).update(followers_count=0, following_count=0)
        for model in (FollowRequest, Block, Mute, Endorsement, SuggestionDismissal):
            model.objects.filter(account=account).delete()
            model.objects.filter(target_account=account).delete()
        AccountDomainBlock.objects.filter(account=account).delete()
