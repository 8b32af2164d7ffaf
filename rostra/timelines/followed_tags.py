"""Followed hashtags: the public posts carrying a hashtag a reader follows join
their home timeline, as on Mastodon.

A followed tag brings in what the public hashtag timeline shows (public posts
that are not boosts, by visible accounts, not removed, held or limited), minus
the reader's blocks, mutes and blocked servers. Home reads them at read time,
like the rest of home, so following a tag shows its recent posts at once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.posts.errors import PostError
from rostra.posts.featured_tags import valid_tag_name
from rostra.posts.models import Tag
from rostra.timelines.errors import TimelineError
from rostra.timelines.models import TagFollow

# Each followed tag is one more value in home's query; a cap keeps home fast.
MAX_FOLLOWED = 100


def _tag(name: str) -> Tag:
    try:
        name = valid_tag_name(name)
    except PostError as exc:
        raise TimelineError(str(exc), "name") from None
    tag, __ = Tag.objects.get_or_create(name=name.lower(), defaults={"display_name": name})
    return tag


def find_tag(name: str) -> Tag | None:
    """The known tag named ``name`` (any case, with or without ``#``), else None."""
    return Tag.objects.filter(name=(name or "").strip().lstrip("#").lower()).first()


def follow_tag(account: Account, name: str) -> Tag:
    """Follow ``#name`` (created if no post carried it yet). Following it again
    changes nothing. Raises ``TimelineError`` for an invalid name or past
    ``MAX_FOLLOWED``."""
    tag = _tag(name)
    if TagFollow.objects.filter(account=account, tag=tag).exists():
        return tag
    if TagFollow.objects.filter(account=account).count() >= MAX_FOLLOWED:
        raise TimelineError(_("You can follow at most %(count)s hashtags.")
                            % {"count": MAX_FOLLOWED}, "name")
    try:
        with transaction.atomic():
            TagFollow.objects.create(account=account, tag=tag)
    except IntegrityError:  # the same follow, landed by a concurrent request
        pass
    return tag


def unfollow_tag(account: Account, name: str) -> Tag | None:
    """Stop following ``#name``; the tag (None when unknown). Idempotent."""
    tag = find_tag(name)
    if tag is not None:
        TagFollow.objects.filter(account=account, tag=tag).delete()
    return tag


def followed_tag_ids(account: Account) -> list[int]:
    return list(TagFollow.objects.filter(account=account).values_list("tag_id", flat=True))


def following(account: Account | None, tags: list[Tag]) -> set[int]:
    """The ids of ``tags`` that ``account`` follows (one query; an unsaved tag is
    followed by no one)."""
    known = [t.pk for t in tags if t.pk is not None]
    if account is None or not known:
        return set()
    return set(TagFollow.objects.filter(account=account, tag_id__in=known)
               .values_list("tag_id", flat=True))


def followed(account: Account) -> QuerySet:
    """``account``'s follows of tags, newest first, with their tags."""
    return TagFollow.objects.filter(account=account).select_related("tag").order_by("-id")
