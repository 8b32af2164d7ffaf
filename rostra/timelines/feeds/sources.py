"""The candidate queries feeds start from, each one indexed query over posts.

``followed_posts`` is home's own query (follows, blocks, mutes, exclusive lists,
boost settings, visibility), so a feed over followed accounts sees exactly what
home would. ``public_posts`` is the public timelines' rule: public, not removed,
held, demoted or by a limited account, and narrowed by the reader's blocks and
mutes and by what other apps register (an admin's silenced servers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from rostra.accounts.domain_blocks import domain_hidden_q
from rostra.accounts.models import Account
from rostra.accounts.services import blocked_account_ids, muted_account_ids
from rostra.core.ids import id_floor
from rostra.posts.models import Post, Visibility
from rostra.posts.visibility import discoverable_q
from rostra.timelines import services as timelines
from rostra.timelines.feeds.base import Row, epoch

ROW_FIELDS = ("id", "account_id", "published", "replies_count", "reblogs_count",
              "favourites_count")


def originals(qs: QuerySet) -> QuerySet:
    """``qs`` without boosts. Written so that no database reads it as an equality
    on ``reblog_of_id``: SQLite would then walk that index over every original post
    ever written instead of the (author, id) or (visibility, id) index and the window."""
    return qs.alias(boost_of=Coalesce("reblog_of_id", Value(0))).filter(boost_of=0)


def followed_posts(viewer: Account, since: datetime, only: set[int] | None = None) -> QuerySet:
    """Original posts (no boosts, no replies to others) of accounts ``viewer``
    follows (with ``only``, of those of them only), since ``since``, as home shows
    them; the viewer's own left out."""
    return (originals(timelines.home_query(viewer, only))
            .filter(id__gte=id_floor(since))
            .filter(Q(in_reply_to_account__isnull=True)
                    | Q(in_reply_to_account_id=F("account_id")))
            .exclude(account_id=viewer.pk))


def public_posts(viewer: Account, since: datetime) -> QuerySet:
    """Public original posts since ``since`` that public surfaces may show ``viewer``."""
    return for_reader(public_base(since), viewer)


def public_base(since: datetime) -> QuerySet:
    """Public original posts since ``since`` that public surfaces may show anyone,
    before any reader's narrowing (``for_reader``)."""
    return originals(Post.objects.filter(
        id__gte=id_floor(since), visibility=Visibility.PUBLIC,
        account__suspended_at__isnull=True, removed_at__isnull=True, held="",
    )).filter(discoverable_q())


def for_reader(qs: QuerySet, viewer: Account) -> QuerySet:
    """``qs`` (public posts) without what ``viewer`` blocked or muted, and narrowed by
    the registered public-timeline filters for ``viewer``."""
    hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
    if hidden:
        qs = qs.exclude(account_id__in=hidden)
    blocked_server = domain_hidden_q(viewer)
    if blocked_server is not None:
        qs = qs.filter(~blocked_server)
    for narrow in timelines.PUBLIC_TIMELINE_FILTERS:
        qs = narrow(qs, viewer)
    return qs


def rows_of(qs: QuerySet, **extra: Any) -> tuple[Row, ...]:
    """The rows of ``qs`` (already ordered and sliced) as ``Row`` values."""
    return tuple(Row(post_id=i, author_id=a, published=epoch(p), replies=r, boosts=b, likes=f,
                     **extra)
                 for i, a, p, r, b, f in qs.values_list(*ROW_FIELDS))
