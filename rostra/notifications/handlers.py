"""Turn domain events into notifications (subscribed in apps.py)."""

from __future__ import annotations

from rostra.accounts import events as account_events
from rostra.accounts.models import Follow
from rostra.notifications.models import Notification
from rostra.notifications.services import notify
from rostra.posts import events as post_events
from rostra.posts.models import PollVote, Post

T = Notification.Type


def on_post_created(sender, post: Post, **kwargs) -> None:
    if post.quiet or post.reblog_of_id:
        return
    told = set()
    if post.in_reply_to_id and post.in_reply_to_account_id:
        parent_author = post.in_reply_to_account
        if notify(parent_author, post.account, T.REPLY, post):
            told.add(parent_author.pk)
    for mention in post.mentions.select_related("account"):
        if mention.account is not None and mention.account.pk not in told:
            if notify(mention.account, post.account, T.MENTION, post):
                told.add(mention.account.pk)
    for follow in Follow.objects.filter(target_account=post.account, notify=True).select_related(
        "account"
    ):
        if follow.account.pk not in told:
            notify(follow.account, post.account, T.STATUS, post)


def on_post_updated(sender, post: Post, **kwargs) -> None:
    for boost in Post.objects.filter(reblog_of=post).select_related("account"):
        notify(boost.account, post.account, T.UPDATE, post)
    # People newly mentioned by the edit are told; those already told are not.
    if post.quiet:
        return
    told = set(
        Notification.objects.filter(post=post, type__in=(T.MENTION, T.REPLY)).values_list(
            "account_id", flat=True
        )
    )
    for mention in post.mentions.select_related("account"):
        if mention.account is not None and mention.account.pk not in told:
            notify(mention.account, post.account, T.MENTION, post)


def on_reblogged(sender, reblog: Post, **kwargs) -> None:
    original = reblog.reblog_of
    notify(original.account, reblog.account, T.REBLOG, original)


def on_favourited(sender, favourite, **kwargs) -> None:
    notify(favourite.post.account, favourite.account, T.FAVOURITE, favourite.post)


def on_followed(sender, follow, **kwargs) -> None:
    notify(follow.target_account, follow.account, T.FOLLOW)


def on_follow_requested(sender, request, **kwargs) -> None:
    notify(request.target_account, request.account, T.FOLLOW_REQUEST)


def on_poll_ended(sender, poll, **kwargs) -> None:
    post = poll.post
    voters = {v.account for v in PollVote.objects.filter(poll=poll).select_related("account")}
    for voter in voters | {post.account}:
        # The author is told too: "from" is the author for everyone.
        notify(voter, post.account, T.POLL, post, to_self=voter.pk == post.account_id)


def on_account_deleted(sender, account, **kwargs) -> None:
    """A closed account keeps no notifications, and causes none any more."""
    from rostra.notifications.models import (
        HomeMarker,
        Notification,
        NotificationMarker,
        PushSubscription,
    )

    Notification.objects.filter(account=account).delete()
    Notification.objects.filter(from_account=account).delete()
    for model in (NotificationMarker, HomeMarker, PushSubscription):
        model.objects.filter(account=account).delete()


def on_domain_blocked(sender, account, domain: str, **kwargs) -> None:
    """A blocked server's notifications go, as on Mastodon (new ones are not made:
    ``services.notify``)."""
    from rostra.accounts.domain_blocks import on_domain_q

    Notification.objects.filter(account=account).filter(
        on_domain_q(domain, "from_account__domain")).delete()


def connect() -> None:
    uid = "rostra-notifications-"
    account_events.account_deleted.connect(on_account_deleted, dispatch_uid=uid + "deleted")
    account_events.domain_blocked.connect(on_domain_blocked, dispatch_uid=uid + "domain")
    post_events.post_created.connect(on_post_created, dispatch_uid=uid + "created")
    post_events.post_updated.connect(on_post_updated, dispatch_uid=uid + "updated")
    post_events.post_reblogged.connect(on_reblogged, dispatch_uid=uid + "reblogged")
    post_events.post_favourited.connect(on_favourited, dispatch_uid=uid + "favourited")
    post_events.poll_ended.connect(on_poll_ended, dispatch_uid=uid + "poll")
    account_events.followed.connect(on_followed, dispatch_uid=uid + "followed")
    account_events.follow_requested.connect(on_follow_requested, dispatch_uid=uid + "requested")
