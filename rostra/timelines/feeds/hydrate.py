"""The server's last word on a ranking: ranked ids → the posts the reader may see.

Whatever a feed returns, only ids pass: each is loaded and checked here against
``posts.visibility`` (the one rule: removed, held, private to others, blocked,
suspended), the reader's mutes and blocked servers, and, for feeds that amplify,
moderators' demotions and limits. Unknown ids vanish. So a feed cannot inject a
post, only order what the reader could already see.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from rostra.accounts.domain_blocks import domain_hidden_q
from rostra.accounts.models import Account
from rostra.accounts.services import muted_account_ids
from rostra.core.sql import InIds
from rostra.posts.models import Post
from rostra.posts.queries import hydrate as with_viewer_state
from rostra.posts.queries import load
from rostra.posts.visibility import discoverable_q, visible_q
from rostra.timelines.feeds.base import Ranked


def hydrate(viewer: Account, ranked: Sequence[Ranked], *, discoverable_only: bool) -> list[Post]:
    """The visible posts of ``ranked``, in its order, each with ``post.ranked`` set."""
    by_id: dict[int, Ranked] = {}
    for item in ranked:
        by_id.setdefault(int(item.post_id), item)
    if not by_id:
        return []
    qs = Post.objects.filter(InIds("id", by_id)).filter(visible_q(viewer))
    if discoverable_only:
        qs = qs.filter(discoverable_q()).filter(
            Q(reblog_of__isnull=True) | discoverable_q("reblog_of__"))
    muted = muted_account_ids(viewer) - {viewer.pk}
    if muted:
        qs = qs.exclude(account_id__in=muted)
    blocked_server = domain_hidden_q(viewer)
    if blocked_server is not None:
        qs = qs.filter(~blocked_server)
    found = {p.pk: p for p in load(qs)}
    posts = []
    for post_id, item in by_id.items():
        post = found.get(post_id)
        if post is not None:
            post.ranked = item
            posts.append(post)
    return with_viewer_state(posts, viewer)
