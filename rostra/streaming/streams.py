"""Live streams (Mastodon's streaming API), the domain side.

Which streams an event belongs to is decided here, once, when the event
happens, with the one visibility rule (``posts.visibility.can_see``): a
followers-only post is written only to the user streams of followers who may
see it, never to a public stream. The rows go to ``StreamEvent``, a log that
every web process polls by id (so it works with many web processes, the
separate worker, SQLite and PostgreSQL alike); rows older than ``RETENTION``
are pruned.

Stream keys: ``user:<account id>`` (home timeline and notifications),
``public``, ``public:local``, ``public:remote``, ``hashtag:<name>``,
``hashtag:local:<name>``, ``list:<list id>``, ``direct:<account id>``
(conversations).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from rostra.accounts.models import Account, Follow, Mute
from rostra.accounts.services import active_mutes_q
from rostra.posts.models import Post, Visibility
from rostra.posts.visibility import who_can_see
from rostra.streaming.models import StreamEvent
from rostra.timelines.models import List, ListAccount
from rostra.timelines.services import tag_followers

RETENTION = timedelta(minutes=15)
PRUNE_EVERY = 500  # publishes between two prunes, per process

UPDATE = "update"
STATUS_UPDATE = "status.update"
DELETE = "delete"
NOTIFICATION = "notification"
CONVERSATION = "conversation"

_publishes = itertools.count(1)


def user_stream(account_id: int) -> str:
    return f"user:{account_id}"


def direct_stream(account_id: int) -> str:
    return f"direct:{account_id}"


def hashtag_stream(name: str, *, local: bool = False) -> str:
    return f"hashtag:local:{name.lower()}" if local else f"hashtag:{name.lower()}"


def home_recipients(post: Post) -> list[int]:
    """Local accounts (other than the author) whose home timeline holds ``post``:
    the same rules as ``timelines.services.home_query`` and, for the followers of
    its hashtags, ``followed_tags_query``; then ``can_see`` for each."""
    author = post.account
    rows = Follow.objects.filter(
        target_account=author, account__domain="", account__suspended_at__isnull=True
    ).values_list("account_id", "show_reblogs")
    candidates = {a for a, show in rows if show or not post.reblog_of_id}
    if candidates and post.in_reply_to_account_id and post.in_reply_to_account_id != author.pk:
        # A reply shows to those who follow (or are) the one replied to.
        follow_both = set(Follow.objects.filter(
            account_id__in=candidates, target_account_id=post.in_reply_to_account_id
        ).values_list("account_id", flat=True))
        candidates = {a for a in candidates
                      if a in follow_both or a == post.in_reply_to_account_id}
    candidates |= tag_followers(post)
    if not candidates:
        return []
    hidden_authors = [author.pk]
    if post.reblog_of_id:
        hidden_authors.append(post.reblog_of.account_id)
    muting = set(Mute.objects.filter(
        active_mutes_q(), account_id__in=candidates, target_account_id__in=hidden_authors
    ).values_list("account_id", flat=True))
    candidates -= muting
    return sorted(who_can_see(post, candidates))


def list_streams(post: Post, readers: set[int]) -> set[str]:
    """The lists holding ``post``'s author whose owner is among ``readers`` (those
    whose home holds it, so who follow the author and may see the post)."""
    lists = List.objects.filter(
        pk__in=ListAccount.objects.filter(account_id=post.account_id).values("list_id"),
        account_id__in=readers,
    ).values_list("pk", "replies_policy")
    replied = post.in_reply_to_account_id
    out = set()
    for list_id, policy in lists:
        if replied and replied != post.account_id:
            if policy == List.RepliesPolicy.NONE:
                continue
            if policy == List.RepliesPolicy.LIST and not ListAccount.objects.filter(
                    list_id=list_id, account_id=replied).exists():
                continue
        out.add(f"list:{list_id}")
    return out


def _is_public_timeline_post(post: Post) -> bool:
    """As the public timelines: public, not a boost, not a reply to someone else."""
    if post.visibility != Visibility.PUBLIC or post.reblog_of_id:
        return False
    return not post.in_reply_to_id or post.in_reply_to_account_id == post.account_id


def post_streams(post: Post) -> set[str]:
    """Every stream a new (or edited) ``post`` belongs to."""
    author = post.account
    if post.quiet or author.suspended_at is not None:
        return set()
    readers = set(home_recipients(post))
    streams = {user_stream(pk) for pk in readers}
    if author.local:
        readers.add(author.pk)
    streams |= list_streams(post, readers)
    if author.local:
        streams.add(user_stream(author.pk))
    if _is_public_timeline_post(post):
        streams.add("public")
        streams.add("public:local" if author.local else "public:remote")
        for name in post.post_tags.values_list("tag__name", flat=True):
            streams.add(hashtag_stream(name))
            if author.local:
                streams.add(hashtag_stream(name, local=True))
    return streams


def streams_that_had(post_id: int) -> set[str]:
    """The streams a post was sent to (while its rows are kept)."""
    return set(StreamEvent.objects.filter(
        post_id=post_id, event__in=(UPDATE, STATUS_UPDATE)
    ).values_list("stream", flat=True))


def delete_streams(post_id: int, author: Account) -> set[str]:
    """Where a deletion is announced: where the post went, the author, and the
    author's local followers (as Mastodon: they may have loaded it from a page)."""
    streams = streams_that_had(post_id)
    if author.local:
        streams.add(user_stream(author.pk))
    streams |= {user_stream(pk) for pk in Follow.objects.filter(
        target_account=author, account__domain=""
    ).values_list("account_id", flat=True)}
    return streams


def publish(event: str, streams: Iterable[str], *, post_id: int | None = None,
            notification_id: int | None = None) -> int:
    """Append ``event`` to each of ``streams``; returns the number of rows."""
    now = timezone.now()
    rows = [StreamEvent(stream=s, event=event, post_id=post_id,
                        notification_id=notification_id, created_at=now)
            for s in sorted(set(streams))]
    if rows:
        StreamEvent.objects.bulk_create(rows)
    if next(_publishes) % PRUNE_EVERY == 0:
        prune()
    return len(rows)


def latest_id() -> int:
    return StreamEvent.objects.aggregate(m=Max("id"))["m"] or 0


def events_after(after_id: int, streams: Iterable[str] | None = None, *,
                 exclude: Iterable[int] = (), limit: int = 500) -> list[StreamEvent]:
    """Rows newer than ``after_id`` (of ``streams`` if given, but not the ids in
    ``exclude``), oldest first."""
    qs = StreamEvent.objects.filter(id__gt=after_id)
    exclude = list(exclude)
    if exclude:
        qs = qs.exclude(id__in=exclude)
    if streams is not None:
        qs = qs.filter(stream__in=list(streams))
    return list(qs.order_by("id")[:limit])


def prune(older_than: timedelta = RETENTION) -> int:
    deleted, _ = StreamEvent.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
