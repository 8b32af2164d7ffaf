"""Domain events → stream rows (subscribed in apps.py). A failure here is logged
and never undoes or breaks the action that caused it."""

from __future__ import annotations

import functools
import logging

from rostra.accounts.models import Account
from rostra.notifications import events as notification_events
from rostra.posts import events as post_events
from rostra.posts.models import Mention, Post, Visibility
from rostra.posts.visibility import who_can_see
from rostra.streaming import streams

log = logging.getLogger(__name__)


def _guarded(handler):
    @functools.wraps(handler)
    def inner(*args, **kwargs):
        try:
            handler(*args, **kwargs)
        except Exception:
            log.exception("Streaming %s failed", handler.__name__)

    return inner


def _conversation_streams(post: Post) -> set[str]:
    """The ``direct`` streams of the local people in a direct conversation."""
    if post.visibility != Visibility.DIRECT or post.reblog_of_id:
        return set()
    ids = set(Mention.objects.filter(post=post, account__domain="")
              .values_list("account_id", flat=True))
    if post.account.local:
        ids.add(post.account_id)
    return {streams.direct_stream(pk) for pk in who_can_see(post, ids)}


@_guarded
def on_post_created(sender, post: Post, **kwargs) -> None:
    streams.publish(streams.UPDATE, streams.post_streams(post), post_id=post.pk)
    streams.publish(streams.CONVERSATION, _conversation_streams(post), post_id=post.pk)


@_guarded
def on_reblogged(sender, reblog: Post, **kwargs) -> None:
    streams.publish(streams.UPDATE, streams.post_streams(reblog), post_id=reblog.pk)


@_guarded
def on_post_updated(sender, post: Post, **kwargs) -> None:
    # Those who had it keep it up to date (unless they may no longer see it:
    # the connection checks again when it renders).
    where = streams.post_streams(post) | streams.streams_that_had(post.pk)
    streams.publish(streams.STATUS_UPDATE, where, post_id=post.pk)


@_guarded
def on_post_deleted(sender, post_id: int, account: Account, **kwargs) -> None:
    streams.publish(streams.DELETE, streams.delete_streams(post_id, account), post_id=post_id)


@_guarded
def on_post_removed(sender, post, **kwargs) -> None:
    """Moderators removed a post: streams drop it as if it were deleted."""
    streams.publish(streams.DELETE, streams.delete_streams(post.pk, post.account),
                    post_id=post.pk)


@_guarded
def on_notification_created(sender, notification, **kwargs) -> None:
    streams.publish(streams.NOTIFICATION, [streams.user_stream(notification.account_id)],
                    notification_id=notification.pk)


def connect() -> None:
    uid = "rostra-streaming-"
    post_events.post_created.connect(on_post_created, dispatch_uid=uid + "created")
    post_events.post_reblogged.connect(on_reblogged, dispatch_uid=uid + "reblogged")
    post_events.post_updated.connect(on_post_updated, dispatch_uid=uid + "updated")
    post_events.post_deleted.connect(on_post_deleted, dispatch_uid=uid + "deleted")
    post_events.post_removed.connect(on_post_removed, dispatch_uid=uid + "removed")
    notification_events.notification_created.connect(on_notification_created,
                                                     dispatch_uid=uid + "notification")
