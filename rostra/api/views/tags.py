"""``/api/v1/tags/:name`` (a hashtag, with whether the reader follows it), its
``follow`` and ``unfollow``, and ``/api/v1/followed_tags``."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.errors import from_domain, not_found
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.tag import serialize_tag, serialize_tags
from rostra.posts.errors import PostError
from rostra.posts.featured_tags import valid_tag_name
from rostra.posts.models import Tag
from rostra.timelines import followed_tags
from rostra.timelines.errors import TimelineError
from rostra.timelines.pagination import paginate


def _answer(request, tag: Tag) -> dict:
    viewer = request.api_account
    followed = None if viewer is None else bool(followed_tags.following(viewer, [tag]))
    return serialize_tag(tag, followed=followed)


@endpoint(["GET"], auth="optional")
def show(request, name):
    """A tag no post carried yet is answered too (unsaved), as Mastodon does; a name
    that is no hashtag is 404."""
    tag = followed_tags.find_tag(name)
    if tag is None:
        try:
            display = valid_tag_name(name)
        except PostError:
            raise not_found() from None
        tag = Tag(name=display.lower(), display_name=display)
    return _answer(request, tag)


@endpoint(["POST"], scope=("write:follows", "follow"))
def follow(request, name):
    try:
        tag = followed_tags.follow_tag(request.api_account, name)
    except TimelineError as exc:  # not a hashtag, or past the limit
        raise from_domain(exc) from exc
    return _answer(request, tag)


@endpoint(["POST"], scope=("write:follows", "follow"))
def unfollow(request, name):
    tag = followed_tags.unfollow_tag(request.api_account, name)
    if tag is None:
        raise not_found()
    return _answer(request, tag)


@endpoint(["GET"], scope=("read:follows", "follow"))
def followed(request):
    rows = paginate(followed_tags.followed(request.api_account), page_of(request, 40))
    items = serialize_tags([r.tag for r in rows])
    for item in items:
        item["following"] = True
    return paged(request, items, [r.pk for r in rows])
