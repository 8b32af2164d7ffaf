"""Featured hashtags of a profile: feature, unfeature, list (with how many public
posts of the account carry each tag and when it was last used), and suggestions
(the account's own most used tags)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.core import text as text_mod
from rostra.posts.errors import PostError
from rostra.posts.models import FeaturedTag, PostTag, Tag, Visibility

MAX_FEATURED = 10
SUGGESTIONS = 10
LISTED = (Visibility.PUBLIC, Visibility.UNLISTED)


def valid_tag_name(name: str) -> str:
    """``name`` as typed, without its ``#``; raises ``PostError`` when it is not a
    hashtag this server would link in a post."""
    name = (name or "").strip().lstrip("#")
    found = text_mod.extract_hashtags("#" + name)
    if not found or found[0] != name or len(name.lower()) > 200:
        raise PostError(_("Name is not a valid hashtag."), "name")
    return name


def feature_tag(account: Account, name: str) -> FeaturedTag:
    """Feature ``#name`` on ``account``'s profile; raises ``PostError`` for an
    invalid name, one already featured, or more than ``MAX_FEATURED``."""
    name = valid_tag_name(name)
    if FeaturedTag.objects.filter(account=account).count() >= MAX_FEATURED:
        raise PostError(_("You can feature at most %(max_featured)s hashtags.")
            % {"max_featured": MAX_FEATURED}, "name")
    tag, __ = Tag.objects.get_or_create(name=name.lower(), defaults={"display_name": name})
    try:
        with transaction.atomic():
            return FeaturedTag.objects.create(account=account, tag=tag)
    except IntegrityError:
        raise PostError(_("This hashtag is featured already."), "name") from None


def unfeature_tag(account: Account, featured_id: int) -> bool:
    deleted, __ = FeaturedTag.objects.filter(account=account, pk=featured_id).delete()
    return bool(deleted)


def featured_tags_of(account: Account) -> list[FeaturedTag]:
    """The account's featured tags, oldest first, each with ``statuses_count`` and
    ``last_status_at`` (its public and unlisted posts, boosts aside)."""
    featured = list(FeaturedTag.objects.filter(account=account).select_related("tag")
                    .order_by("id"))
    stats = {row["tag_id"]: row for row in PostTag.objects.filter(
        post__account=account, post__visibility__in=LISTED, post__reblog_of__isnull=True,
        tag_id__in=[f.tag_id for f in featured],
    ).values("tag_id").annotate(n=Count("post_id"), last=Max("post__published"))}
    for item in featured:
        row = stats.get(item.tag_id, {})
        item.statuses_count = row.get("n", 0)
        item.last_status_at = row.get("last")
    return featured


def suggestions(account: Account) -> list[Tag]:
    """The tags the account used most in its own posts, not featured yet."""
    taken = FeaturedTag.objects.filter(account=account).values("tag_id")
    ids = list(PostTag.objects.filter(post__account=account, post__reblog_of__isnull=True)
               .exclude(tag_id__in=taken).values("tag_id").annotate(n=Count("post_id"))
               .order_by("-n", "tag_id").values_list("tag_id", flat=True)[:SUGGESTIONS])
    by_id = Tag.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]
