"""Read side of posts: load what a page needs to show a list of posts, in a
fixed number of queries, with the viewer's own state (liked, boosted, ...)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet, Value

from rostra.accounts.models import Account
from rostra.posts.models import Bookmark, Favourite, Media, Mention, Pin, Poll, PollVote, Post
from rostra.posts.services import poll_results


def with_relations(qs: QuerySet) -> QuerySet:
    media = Media.objects.order_by("position", "id")
    return qs.select_related(
        "account", "reblog_of__account", "in_reply_to_account", "poll", "reblog_of__poll"
    ).prefetch_related(
        Prefetch("media", queryset=media),
        Prefetch("reblog_of__media", queryset=media),
        Prefetch("mentions", queryset=Mention.objects.select_related("account")),
    )


def hydrate(posts: Iterable[Post], viewer: Account | None) -> list[Post]:
    """Set ``viewer_favourited``, ``viewer_reblogged``, ``viewer_bookmarked``,
    ``viewer_pinned`` and ``poll_view`` on each post and on what it boosts."""
    posts = list(posts)
    targets = [p.reblog_of if p.reblog_of_id else p for p in posts]
    ids = {p.pk for p in targets}
    fav, boosted, marked, pinned, voted = set(), set(), set(), set(), set()
    if viewer is not None and ids:
        # One round trip for the five kinds of viewer state: (kind, post id) rows.
        found = (fav, boosted, marked, pinned, voted)
        parts = [
            Favourite.objects.filter(account=viewer, post_id__in=ids)
            .annotate(kind=Value(0)).values_list("kind", "post_id"),
            Post.objects.filter(account=viewer, reblog_of_id__in=ids)
            .annotate(kind=Value(1)).values_list("kind", "reblog_of_id"),
            Bookmark.objects.filter(account=viewer, post_id__in=ids)
            .annotate(kind=Value(2)).values_list("kind", "post_id"),
            Pin.objects.filter(account=viewer, post_id__in=ids)
            .annotate(kind=Value(3)).values_list("kind", "post_id"),
            PollVote.objects.filter(account=viewer, poll__post_id__in=ids)
            .annotate(kind=Value(4)).values_list("kind", "poll__post_id"),
        ]
        for kind, post_id in parts[0].union(*parts[1:], all=True):
            found[kind].add(post_id)
    for post in targets + posts:
        target = post.reblog_of if post.reblog_of_id else post
        post.viewer_favourited = target.pk in fav
        post.viewer_reblogged = target.pk in boosted
        post.viewer_bookmarked = target.pk in marked
        post.viewer_pinned = target.pk in pinned
        post.viewer_voted = target.pk in voted
    for post in targets:
        poll = _poll_of(post)
        if poll is not None:
            counts, total, voters = poll_results(poll)
            post.poll_view = {
                "poll": poll,
                "options": [
                    {"index": i, "title": title, "votes": counts[i],
                     "percent": round(100 * counts[i] / total) if total else 0}
                    for i, title in enumerate(poll.options)
                ],
                "total": total,
                "voters": voters,
                "show_results": poll.expired or post.viewer_voted
                or (viewer is not None and viewer.pk == post.account_id),
            }
        else:
            post.poll_view = None
    return posts


def _poll_of(post: Post) -> Poll | None:
    try:
        return post.poll
    except Poll.DoesNotExist:
        return None
