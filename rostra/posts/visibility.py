"""The one rule deciding who may see a post. Every door uses it.

* public and unlisted: everyone (unlisted only stays out of public timelines);
* followers-only (``private``): the author, their followers, the mentioned;
* direct: the author and the mentioned;
* never across a block (either direction) or from a suspended account;
* never once moderators removed it (not even to its author: the statement of
  reasons shows what was removed), nor while the media gate holds it (remote media
  being checked, or a hash-list match awaiting a moderator); an age-restricted post
  never to visitors who are not signed in;
* a boost is visible when both the boost and the boosted post are.

``can_see`` answers for one post; ``visible_q`` is the same rule as a query filter;
``who_can_see`` the same rule for many viewers of one post (fan-out).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q

from rostra.accounts.models import Account, Block, Follow
from rostra.accounts.services import blocked_account_ids
from rostra.posts.models import Mention, Post, Visibility

OPEN = (Visibility.PUBLIC, Visibility.UNLISTED)


def _can_see_one(viewer: Account | None, post: Post, blocked: set[int]) -> bool:
    author = post.account
    if post.removed_at is not None or post.held:
        return False
    if viewer is None and post.age_restricted:
        return False
    if viewer is not None and viewer.pk == author.pk:
        return True
    if author.suspended_at is not None:
        return False
    if author.pk in blocked:
        return False
    if post.visibility in OPEN:
        return True
    if viewer is None:
        return False
    if Mention.objects.filter(post=post, account=viewer).exists():
        return True
    if post.visibility == Visibility.PRIVATE:
        return Follow.objects.filter(account=viewer, target_account=author).exists()
    return False


def can_see(viewer: Account | None, post: Post) -> bool:
    """May ``viewer`` (None = logged out) see ``post``?"""
    blocked = blocked_account_ids(viewer) if viewer is not None else set()
    if not _can_see_one(viewer, post, blocked):
        return False
    if post.reblog_of_id is not None:
        return _can_see_one(viewer, post.reblog_of, blocked)
    return True


def visible_q(viewer: Account | None) -> Q:
    """The same rule as ``can_see``, as a filter on ``Post`` querysets."""
    # A boost shows only while the boosted post's author is not suspended (as can_see).
    boosted_ok = Q(reblog_of__isnull=True) | Q(reblog_of__account__suspended_at__isnull=True,
                                               reblog_of__removed_at__isnull=True,
                                               reblog_of__held="")
    if viewer is None:
        boosted_ok &= Q(reblog_of__isnull=True) | Q(reblog_of__age_restricted=False)
        return (Q(visibility__in=OPEN, account__suspended_at__isnull=True,
                  removed_at__isnull=True, held="", age_restricted=False) & boosted_ok)
    followed = Follow.objects.filter(account=viewer).values("target_account_id")
    mentioned = Mention.objects.filter(account=viewer).values("post_id")
    rule = (
        Q(account=viewer)
        | Q(visibility__in=OPEN)
        | Q(visibility=Visibility.PRIVATE, account_id__in=followed)
        | Q(id__in=mentioned)
    )
    rule &= Q(account__suspended_at__isnull=True) | Q(account=viewer)
    rule &= Q(removed_at__isnull=True, held="") & boosted_ok
    blocked = blocked_account_ids(viewer)
    if blocked:
        rule &= ~Q(account_id__in=blocked)
        rule &= Q(reblog_of__isnull=True) | ~Q(reblog_of__account_id__in=blocked)
    return rule


def discoverable_q(prefix: str = "") -> Q:
    """Posts that public timelines, trends and search may show to people who did
    not ask for them: neither demoted nor by a limited account (moderators' measures)."""
    return Q(**{f"{prefix}demoted": False, f"{prefix}account__limited_at__isnull": True})


def visible_posts(viewer: Account | None):
    """All posts ``viewer`` may see (a queryset to narrow further)."""
    return Post.objects.filter(visible_q(viewer))



CHUNK = 5000  # ids per IN list (SQLite allows 32,766 bound values per statement)


def _chunks(ids: set[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _who_can_see_one(post: Post, ids: set[int]) -> set[int]:
    author = post.account
    if post.removed_at is not None or post.held:
        return set()
    allowed = {author.pk} & ids
    others = ids - {author.pk}
    if author.suspended_at is not None or not others:
        return allowed
    if post.visibility in OPEN:
        seeing = set(others)
    else:
        seeing = set()
        for chunk in _chunks(others):
            seeing |= set(Mention.objects.filter(post=post, account_id__in=chunk)
                          .values_list("account_id", flat=True))
            if post.visibility == Visibility.PRIVATE:
                seeing |= set(Follow.objects.filter(target_account=author, account_id__in=chunk)
                              .values_list("account_id", flat=True))
    for chunk in _chunks(seeing):
        seeing -= set(Block.objects.filter(account=author, target_account_id__in=chunk)
                      .values_list("target_account_id", flat=True))
        seeing -= set(Block.objects.filter(account_id__in=chunk, target_account=author)
                      .values_list("account_id", flat=True))
    return allowed | seeing


def who_can_see(post: Post, viewer_ids: Iterable[int]) -> set[int]:
    """Those of ``viewer_ids`` (accounts) for whom ``can_see(viewer, post)`` holds,
    in a few queries whatever their number (used to fan a post out)."""
    ids = _who_can_see_one(post, set(viewer_ids))
    if post.reblog_of_id is not None and ids:
        ids = _who_can_see_one(post.reblog_of, ids)
    return ids
