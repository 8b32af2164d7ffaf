"""Timelines: home, local, public, hashtag, profile, thread, bookmarks, likes.

Home is strictly chronological and built at read time from the follow graph
(an indexed query over ``(account_id, id)``), so a new follow shows at once and
no hidden ranking exists. Every timeline applies the one visibility rule.
"""

from __future__ import annotations

from django.db.models import F, Q

from rostra.accounts.models import Account, Follow
from rostra.accounts.services import blocked_account_ids, muted_account_ids
from rostra.posts.models import Bookmark, Favourite, Mention, Post, Tag, Visibility
from rostra.posts.queries import hydrate, with_relations
from rostra.posts.visibility import OPEN, can_see, visible_q
from rostra.timelines.pagination import Page, paginate

THREAD_LIMIT = 200


def home_query(viewer: Account):
    """The home timeline as a queryset: own posts and those of followed accounts
    (with their boosts), minus blocked and muted accounts, within visibility."""
    follows = list(
        Follow.objects.filter(account=viewer).values_list("target_account_id", "show_reblogs")
    )
    hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
    followed = [a for a, _ in follows if a not in hidden]
    no_boosts = [a for a, show in follows if not show]
    authors = [viewer.pk, *followed]
    mentioned = Mention.objects.filter(account=viewer).values("post_id")
    qs = Post.objects.filter(account_id__in=authors).filter(
        Q(account_id=viewer.pk)
        | Q(visibility__in=(*OPEN, Visibility.PRIVATE), quiet=False)
        | Q(id__in=mentioned)
    )
    # Replies appear when they answer someone the viewer follows (or the viewer).
    qs = qs.filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account_id__in=authors))
    if no_boosts:
        qs = qs.exclude(account_id__in=no_boosts, reblog_of__isnull=False)
    if hidden:
        qs = qs.filter(Q(reblog_of__isnull=True) | ~Q(reblog_of__account_id__in=hidden))
    return qs


def home(viewer: Account, page: Page) -> list[Post]:
    return _show(home_query(viewer), page, viewer)


def _show(qs, page: Page, viewer: Account | None) -> list[Post]:
    return hydrate(paginate(with_relations(qs), page), viewer)


def _public_base(viewer: Account | None):
    qs = Post.objects.filter(
        visibility=Visibility.PUBLIC, reblog_of__isnull=True, account__suspended_at__isnull=True
    ).filter(Q(in_reply_to__isnull=True) | Q(in_reply_to_account_id=F("account_id")))
    if viewer is not None:
        hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
        if hidden:
            qs = qs.exclude(account_id__in=hidden)
    return qs


def local(viewer: Account | None, page: Page) -> list[Post]:
    """Public posts written on this server (no boosts, no replies to others)."""
    return _show(_public_base(viewer).filter(account__domain=""), page, viewer)


def public(viewer: Account | None, page: Page, *, only_remote: bool = False) -> list[Post]:
    """Public posts from this server and every server it knows."""
    qs = _public_base(viewer)
    if only_remote:
        qs = qs.exclude(account__domain="")
    return _show(qs, page, viewer)


def tag(viewer: Account | None, name: str, page: Page) -> list[Post]:
    """Public posts carrying ``#name`` (replies included)."""
    found = Tag.objects.filter(name=name.lower()).first()
    if found is None:
        return []
    qs = Post.objects.filter(
        visibility=Visibility.PUBLIC, post_tags__tag=found, account__suspended_at__isnull=True
    )
    if viewer is not None:
        hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
        if hidden:
            qs = qs.exclude(account_id__in=hidden)
    return _show(qs, page, viewer)


def profile(
    viewer: Account | None,
    account: Account,
    page: Page,
    *,
    with_replies: bool = False,
    only_media: bool = False,
    exclude_reblogs: bool = False,
) -> list[Post]:
    """An account's posts the viewer may see; replies to others only on request."""
    qs = Post.objects.filter(visible_q(viewer), account=account)
    if not with_replies:
        qs = qs.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to_account=account))
    if only_media:
        qs = qs.filter(media__isnull=False, reblog_of__isnull=True).distinct()
    if exclude_reblogs:
        qs = qs.filter(reblog_of__isnull=True)
    return _show(qs, page, viewer)


def pinned(viewer: Account | None, account: Account) -> list[Post]:
    qs = Post.objects.filter(visible_q(viewer), pins__account=account).order_by("-pins__created_at")
    return hydrate(with_relations(qs), viewer)


def thread(viewer: Account | None, post: Post) -> tuple[list[Post], list[Post]]:
    """(ancestors oldest first, descendants in reading order) of ``post``, each
    visible to ``viewer``. The caller checks the post itself with ``can_see``."""
    ancestors: list[Post] = []
    current = post
    seen = {post.pk}
    while current.in_reply_to_id and len(ancestors) < THREAD_LIMIT:
        parent = with_relations(Post.objects.filter(pk=current.in_reply_to_id)).first()
        if parent is None or parent.pk in seen:
            break
        seen.add(parent.pk)
        if can_see(viewer, parent):
            ancestors.append(parent)
        current = parent
    ancestors.reverse()
    root_id = post.thread_root_id or post.pk
    candidates = with_relations(
        Post.objects.filter(visible_q(viewer))
        .filter(Q(thread_root_id=root_id) | Q(pk=root_id))
        .order_by("id")
    )[:THREAD_LIMIT * 5]
    children: dict[int, list[Post]] = {}
    for candidate in candidates:
        if candidate.in_reply_to_id:
            children.setdefault(candidate.in_reply_to_id, []).append(candidate)
    descendants: list[Post] = []

    def walk(parent_id: int, depth: int) -> None:
        for child in children.get(parent_id, []):
            if len(descendants) >= THREAD_LIMIT:
                return
            child.depth = depth
            descendants.append(child)
            walk(child.pk, depth + 1)

    walk(post.pk, 1)
    hydrate([*ancestors, post, *descendants], viewer)
    return ancestors, descendants


def bookmarks(viewer: Account, page: Page) -> list[Post]:
    rows = paginate(Bookmark.objects.filter(account=viewer), page)
    posts = [r.post for r in rows if can_see(viewer, r.post)]
    return hydrate(posts, viewer)


def favourites(viewer: Account, page: Page) -> list[Post]:
    rows = paginate(Favourite.objects.filter(account=viewer), page)
    posts = [r.post for r in rows if can_see(viewer, r.post)]
    return hydrate(posts, viewer)
