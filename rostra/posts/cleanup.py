"""What the posts app removes when an account is closed (``accounts.deletion``):
every post of the account through ``services.delete_post`` (so counters, media files
and stream events stay right), then its likes, bookmarks, pins, votes, scheduled
posts, featured tags, muted conversations and unattached uploads. Runs as a task:
an account may have written for years."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from rostra.accounts import events as account_events
from rostra.accounts.models import Account

BATCH = 200


def on_account_deleted(sender, account: Account, **kwargs) -> None:
    purge_posts.enqueue(account.pk)


@task()
def purge_posts(account_id: int) -> int:
    account = Account.objects.filter(pk=account_id, deleted_at__isnull=False).first()
    return purge(account) if account is not None else 0


def purge(account: Account) -> int:
    """Remove everything of ``account`` this app keeps; return how many posts went."""
    from rostra.posts import media as media_service
    from rostra.posts import services
    from rostra.posts.models import (
        Bookmark,
        ConversationMute,
        Favourite,
        FeaturedTag,
        Media,
        Pin,
        PollVote,
        Post,
        ScheduledPost,
    )

    # A quarantined file is the evidence of the moderation case the media gate opened
    # for it: it stays in quarantine, detached from its post, for moderation to decide.
    Media.objects.filter(account=account, quarantined_at__isnull=False).update(post=None)
    removed = 0
    while ids := list(Post.objects.filter(account=account).order_by("-reblog_of_id", "id")
                      .values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            for post in Post.objects.filter(pk__in=ids):
                services.delete_post(account, post)
                removed += 1
    for favourite in Favourite.objects.filter(account=account).select_related("post"):
        services.unfavourite(account, favourite.post)
    for model in (Bookmark, Pin, PollVote, ScheduledPost, FeaturedTag, ConversationMute):
        model.objects.filter(account=account).delete()
    for media in Media.objects.filter(account=account, post__isnull=True):
        media_service.discard_upload(account, media)
    return removed


def connect() -> None:
    account_events.account_deleted.connect(on_account_deleted,
                                           dispatch_uid="rostra-posts-account-deleted")
