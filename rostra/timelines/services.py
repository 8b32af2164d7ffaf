"""Timelines: home, local, public, hashtag, profile, thread, bookmarks, likes.

Home is strictly chronological and built at read time from the follow graph
(an indexed query over ``(account_id, id)``) and the followed hashtags, so a new
follow shows at once and no hidden ranking exists. Every timeline applies the one
visibility rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from rostra.accounts.domain_blocks import blocking_domain, domain_hidden_q, is_domain_blocked
from rostra.accounts.models import Account, Follow
from rostra.accounts.services import blocked_account_ids, muted_account_ids
from rostra.core import replica
from rostra.core.ids import id_floor, id_time
from rostra.core.sql import InIds
from rostra.posts.models import Bookmark, Favourite, Mention, Post, PostTag, Tag, Visibility
from rostra.posts.queries import RELATED, fill, hydrate, load, with_relations
from rostra.posts.visibility import OPEN, can_see, discoverable_q, visible_q
from rostra.timelines.followed_tags import followed_tag_ids
from rostra.timelines.lists import exclusive_member_ids, member_ids
from rostra.timelines.models import List, ListAccount, TagFollow
from rostra.timelines.pagination import Page, paginate

THREAD_LIMIT = 200
EPOCH = datetime(1970, 1, 2, tzinfo=UTC)


def home_query(viewer: Account, only: set[int] | None = None):
    """The home timeline as a queryset: own posts and those of followed accounts
    (with their boosts), minus blocked and muted accounts and blocked servers,
    within visibility. With ``only``, just the posts of those of its authors (the
    same as filtering on them, but the database then walks only their posts)."""
    follows = _raw_rows(_followed_rows(viewer).values_list("target_account_id", "show_reblogs"))
    hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
    followed = [a for a, _ in follows if a not in hidden]
    no_boosts = [a for a, show in follows if not show]
    authors = [viewer.pk, *followed]
    # Members of the viewer's exclusive lists post to those lists only (Mastodon 4.2):
    # they leave the literal IN list of sources, so the query gains no clause.
    exclusive = exclusive_member_ids(viewer) - {viewer.pk}
    sources = [a for a in authors if a not in exclusive] if exclusive else authors
    if only is not None:
        sources = [a for a in sources if a in only]
    mentioned = Mention.objects.filter(account=viewer).values("post_id")
    qs = Post.objects.filter(InIds("account_id", sources), removed_at__isnull=True,
                             held="").filter(
        Q(account_id=viewer.pk)
        | Q(visibility__in=(*OPEN, Visibility.PRIVATE), quiet=False)
        | Q(id__in=mentioned)
    )
    # Replies appear when they answer someone the viewer follows (or the viewer).
    qs = qs.filter(
        Q(in_reply_to_account__isnull=True) | Q(InIds("in_reply_to_account_id", authors))
    )
    if no_boosts:
        qs = qs.exclude(InIds("account_id", no_boosts), reblog_of__isnull=False)
    # A boost shows only while the boosted author is visible: not hidden, not suspended.
    boosted_ok = Q(reblog_of__account__suspended_at__isnull=True,
                   reblog_of__removed_at__isnull=True, reblog_of__held="")
    if hidden:
        boosted_ok &= ~Q(reblog_of__account_id__in=hidden)
    blocked_server = domain_hidden_q(viewer, "reblog_of__account")
    if blocked_server is not None:
        boosted_ok &= ~blocked_server
    return qs.filter(Q(reblog_of__isnull=True) | boosted_ok)


def _raw_rows(qs: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` of integer and boolean columns as the database
    returns them (booleans may come as 0/1): Django's per-value converters cost more
    than the query for the thousand follows of a heavy user."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _followed_rows(viewer: Account):
    """The viewer's follows of visible accounts. One on a server the viewer blocked
    (ended by the block, but one could be accepted meanwhile) is left out."""
    rows = Follow.objects.filter(account=viewer, target_account__suspended_at__isnull=True)
    blocked_server = domain_hidden_q(viewer, "target_account")
    return rows if blocked_server is None else rows.filter(~blocked_server)


def _without_blocked_servers(qs: QuerySet, viewer: Account | None,
                             field: str = "account") -> QuerySet:
    """``qs`` without the rows whose ``field`` account is on a server ``viewer`` blocked
    (one ``EXISTS`` clause in the query; none when the viewer blocked no server)."""
    blocked_server = domain_hidden_q(viewer, field)
    return qs if blocked_server is None else qs.filter(~blocked_server)


# Home is read newest first through the (account_id, id) index. Sorting every post
# of every followed account to keep 40 costs a second for someone following 1,000
# accounts, so the ids are first sought in a recent window of ids, widened until it
# holds a full page (or has no lower bound). Every post outside a window is older
# than every post inside it, so the page is exactly the unbounded query's page.
HOME_WINDOWS = (timedelta(hours=6), timedelta(days=3), timedelta(days=30), timedelta(days=365))


def home(viewer: Account, page: Page) -> list[Post]:
    ids = home_ids(viewer, page)
    found = {p.pk: p for p in load(Post.objects.filter(InIds("id", ids)))}
    return hydrate([found[i] for i in ids if i in found], viewer)


def home_ids(viewer: Account, page: Page, fields: tuple[str, ...] = ()) -> list:
    """The ids of the home page ``page`` of ``viewer``, newest first; with ``fields``,
    tuples of those columns instead (the first being ``id``), in the same query.

    Home is two indexed queries, the follows' and the followed hashtags', each paged
    alone and then merged: the union's page is within the two pages, and one query
    with an OR would leave both indexes unused."""
    follows = home_query(viewer)
    tag_ids = followed_tag_ids(viewer)

    def read(floor: int | None) -> list:
        sources = [follows if floor is None else follows.filter(id__gte=floor)]
        if tag_ids:
            sources.append(followed_tags_query(viewer, tag_ids, floor, page))
        pages = [paginate(qs.values_list(*fields) if fields
                          else qs.values_list("id", flat=True), page) for qs in sources]
        return pages[0] if len(pages) == 1 else _merged(pages, page, bool(fields))

    if page.min_id is not None:  # read oldest first from min_id: no window from the top
        return read(None)
    top = id_time(page.max_id) if page.max_id is not None else timezone.now()
    for window in HOME_WINDOWS:
        floor = id_floor(top - window) if top - window > EPOCH else 0
        if page.since_id is not None and floor <= page.since_id:
            break  # the window reaches below since_id: the bounded query is the same
        ids = read(floor)
        if len(ids) >= page.limit:
            return ids
    return read(None)


def _merged(pages: list[list], page: Page, tuples: bool) -> list:
    """One page from several pages of the same bounds: each id once, newest first,
    the ``page.limit`` newest (or, from ``min_id``, the oldest) of them all."""
    found = {(r[0] if tuples else r): r for rows in pages for r in rows}
    keys = sorted(found, reverse=page.min_id is None)[: page.limit]
    if page.min_id is not None:
        keys.reverse()
    return [found[k] for k in keys]


def followed_tags_query(viewer: Account, tag_ids: list[int], floor: int | None = None,
                        page: Page | None = None) -> QuerySet:
    """Public posts carrying one of the hashtags ``tag_ids`` (those ``viewer``
    follows), as the hashtag timeline shows them to the viewer. Members of the
    viewer's exclusive lists stay in their lists, as in the rest of home.

    The ids' window (``floor`` and ``page``'s bounds) is put on the hashtag rows too,
    so the database reads just the window's rows from the (tag, post) index instead
    of every post that ever carried a followed tag (a busy tag has thousands)."""
    rows = PostTag.objects.filter(tag_id__in=tag_ids)
    if floor:
        rows = rows.filter(post_id__gte=floor)
    if page is not None:
        if page.max_id is not None:
            rows = rows.filter(post_id__lt=page.max_id)
        for lower in (page.since_id, page.min_id):
            if lower is not None:
                rows = rows.filter(post_id__gt=lower)
    qs = _open_to(Post.objects.filter(
        visibility=Visibility.PUBLIC, account__suspended_at__isnull=True,
        id__in=rows.values("post_id"),
    ), viewer)
    hidden = (blocked_account_ids(viewer) | muted_account_ids(viewer)
              | (exclusive_member_ids(viewer) - {viewer.pk}))
    if hidden:
        qs = qs.exclude(account_id__in=hidden)
    qs = _narrowed(_without_blocked_servers(qs, viewer), viewer)
    return qs if not floor else qs.filter(id__gte=floor)


def tag_followers(post: Post) -> set[int]:
    """Local accounts (not the author) whose home holds ``post`` for a hashtag they
    follow, by the rule of ``followed_tags_query``; who may see it is left to
    ``can_see`` (blocks), as for the author's followers."""
    if post.visibility != Visibility.PUBLIC or post.reblog_of_id:
        return set()
    followers = set(TagFollow.objects.filter(
        tag_id__in=PostTag.objects.filter(post=post).values("tag_id"),
        account__domain="", account__suspended_at__isnull=True,
    ).exclude(account_id=post.account_id).values_list("account_id", flat=True))
    if not followers or not _narrowed(_open_to(Post.objects.filter(
            pk=post.pk, account__suspended_at__isnull=True), None), None).exists():
        return set()
    followers -= blocking_domain(post.account.domain, followers)
    followers -= set(ListAccount.objects.filter(
        account_id=post.account_id, list__exclusive=True, list__account_id__in=followers,
    ).values_list("list__account_id", flat=True))
    return followers


def list_timeline(viewer: Account, lst: List, page: Page) -> list[Post]:
    """Posts and boosts of the list's members (those the viewer still follows),
    as home shows them (same visibility, blocks, mutes and boost settings), with
    replies narrowed by the list's ``replies_policy``."""
    hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
    members = [a for a in member_ids(lst) if a not in hidden]
    blocked_server = domain_hidden_q(viewer, "")
    if members and blocked_server is not None:
        members = list(Account.objects.filter(InIds("id", members)).filter(~blocked_server)
                       .values_list("pk", flat=True))
    if not members:
        return []
    mentioned = Mention.objects.filter(account=viewer).values("post_id")
    qs = Post.objects.filter(InIds("account_id", members), removed_at__isnull=True,
                             held="").filter(
        Q(visibility__in=(*OPEN, Visibility.PRIVATE), quiet=False) | Q(id__in=mentioned)
    )
    own_thread = Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account_id=F("account_id"))
    if lst.replies_policy == List.RepliesPolicy.FOLLOWED:
        followed = Follow.objects.filter(account=viewer).values_list("target_account_id",
                                                                    flat=True)
        qs = qs.filter(own_thread | Q(InIds("in_reply_to_account_id",
                                             [viewer.pk, *followed])))
    elif lst.replies_policy == List.RepliesPolicy.LIST:
        qs = qs.filter(own_thread | Q(InIds("in_reply_to_account_id", members)))
    else:
        qs = qs.filter(own_thread)
    no_boosts = list(Follow.objects.filter(account=viewer, target_account_id__in=members,
                                           show_reblogs=False)
                     .values_list("target_account_id", flat=True))
    if no_boosts:
        qs = qs.exclude(InIds("account_id", no_boosts), reblog_of__isnull=False)
    if hidden:
        qs = qs.filter(Q(reblog_of__isnull=True) | ~Q(reblog_of__account_id__in=hidden))
    qs = qs.filter(Q(reblog_of__isnull=True) | Q(reblog_of__account__suspended_at__isnull=True,
                                                 reblog_of__removed_at__isnull=True,
                                                 reblog_of__held=""))
    blocked_server = domain_hidden_q(viewer, "reblog_of__account")
    if blocked_server is not None:
        qs = qs.filter(Q(reblog_of__isnull=True) | ~blocked_server)
    return _show(qs, page, viewer)


def _show(qs, page: Page, viewer: Account | None) -> list[Post]:
    return hydrate(fill(paginate(qs.select_related(*RELATED), page)), viewer)


def _show_public(qs, page: Page, viewer: Account | None, field: str = "id") -> list[Post]:
    """A public timeline's page is read on the read replica, if any (heavy, public,
    and a moment's lag harms no one); what the viewer did to those posts (likes,
    boosts, bookmarks) is hydrated from the primary, so it is never stale."""
    with replica.reading():
        posts = fill(paginate(qs.select_related(*RELATED), page, field=field))
    return hydrate(posts, viewer)


def _open_to(qs: QuerySet, viewer: Account | None) -> QuerySet:
    """Public timelines leave out what moderators removed, demoted or limited, and
    show age-restricted posts only to people signed in."""
    qs = qs.filter(discoverable_q(), removed_at__isnull=True, held="")
    return qs.filter(age_restricted=False) if viewer is None else qs


def _public_base(viewer: Account | None):
    qs = Post.objects.filter(
        visibility=Visibility.PUBLIC, reblog_of__isnull=True, account__suspended_at__isnull=True
    ).filter(Q(in_reply_to__isnull=True) | Q(in_reply_to_account_id=F("account_id")))
    qs = _open_to(qs, viewer)
    if viewer is not None:
        hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
        if hidden:
            qs = qs.exclude(account_id__in=hidden)
        qs = _without_blocked_servers(qs, viewer)
    return _narrowed(qs, viewer)


# Narrowings of the public timelines that apps above this one register (federation
# adds its admin's silenced servers), so domain code never imports a door.
PUBLIC_TIMELINE_FILTERS: list[Callable[[QuerySet, Account | None], QuerySet]] = []


def register_public_filter(narrow: Callable[[QuerySet, Account | None], QuerySet]) -> None:
    if narrow not in PUBLIC_TIMELINE_FILTERS:
        PUBLIC_TIMELINE_FILTERS.append(narrow)


def _narrowed(qs: QuerySet, viewer: Account | None) -> QuerySet:
    for narrow in PUBLIC_TIMELINE_FILTERS:
        qs = narrow(qs, viewer)
    return qs


def local(viewer: Account | None, page: Page) -> list[Post]:
    """Public posts written on this server (no boosts, no replies to others)."""
    return _show_public(_public_base(viewer).filter(account__domain=""), page, viewer)


def public(viewer: Account | None, page: Page, *, only_remote: bool = False) -> list[Post]:
    """Public posts from this server and every server it knows."""
    qs = _public_base(viewer)
    if only_remote:
        qs = qs.exclude(account__domain="")
    return _show_public(qs, page, viewer)


def tag(viewer: Account | None, name: str, page: Page) -> list[Post]:
    """Public posts carrying ``#name`` (replies included)."""
    qs = tag_query(viewer, name)
    if qs is None:
        return []
    return _show_public(qs, page, viewer, field="tagged_post")


def tag_query(viewer: Account | None, name: str) -> QuerySet | None:
    """The hashtag timeline of ``#name`` as a queryset to page on ``tagged_post``
    (None when no post ever carried the tag)."""
    found = Tag.objects.filter(name=name.lower()).first()
    if found is None:
        return None
    qs = _open_to(Post.objects.filter(
        visibility=Visibility.PUBLIC, post_tags__tag=found, account__suspended_at__isnull=True
    ), viewer)
    if viewer is not None:
        hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
        if hidden:
            qs = qs.exclude(account_id__in=hidden)
        qs = _without_blocked_servers(qs, viewer)
    # Page on the tag row's copy of the post id, so the database walks the tag's
    # (tag, -post) index instead of sorting every post that carries the tag.
    return qs.alias(tagged_post=F("post_tags__post_id"))


def profile(
    viewer: Account | None,
    account: Account,
    page: Page,
    *,
    with_replies: bool = False,
    only_media: bool = False,
    exclude_reblogs: bool = False,
) -> list[Post]:
    """An account's posts the viewer may see; replies to others only on request; no
    boosts of posts from a server the viewer blocked."""
    qs = Post.objects.filter(visible_q(viewer), account=account)
    blocked_server = domain_hidden_q(viewer, "reblog_of__account")
    if blocked_server is not None:
        qs = qs.filter(Q(reblog_of__isnull=True) | ~blocked_server)
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
    visible to ``viewer``. The caller checks the post itself with ``can_see``.

    Posts from a server the viewer blocked are left out, as Mastodon's context does,
    and so are the replies under them (out of reach, as under a deleted post)."""
    ancestors: list[Post] = []
    blocked_server = domain_hidden_q(viewer, "account")
    current = post
    seen = {post.pk}
    while current.in_reply_to_id and len(ancestors) < THREAD_LIMIT:
        parent = with_relations(Post.objects.filter(pk=current.in_reply_to_id)).first()
        if parent is None or parent.pk in seen:
            break
        seen.add(parent.pk)
        if can_see(viewer, parent) and not (
                blocked_server is not None and is_domain_blocked(viewer, parent.account.domain)):
            ancestors.append(parent)
        current = parent
    ancestors.reverse()
    root_id = post.thread_root_id or post.pk
    candidates = Post.objects.filter(visible_q(viewer)).filter(
        Q(thread_root_id=root_id) | Q(pk=root_id))
    if blocked_server is not None:
        candidates = candidates.filter(~blocked_server)
    candidates = with_relations(candidates.order_by("id"))[:THREAD_LIMIT * 5]
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
    return _rows_posts(rows, viewer)


def favourites(viewer: Account, page: Page) -> list[Post]:
    rows = paginate(Favourite.objects.filter(account=viewer), page)
    return _rows_posts(rows, viewer)


def _rows_posts(rows, viewer: Account) -> list[Post]:
    """The visible posts of bookmark/like rows; each gets ``page_id`` (its row id),
    the ``max_id`` to ask for the next page with."""
    posts = []
    for row in rows:
        if can_see(viewer, row.post):
            row.post.page_id = row.pk
            posts.append(row.post)
    return hydrate(posts, viewer)
