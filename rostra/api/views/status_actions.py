"""The buttons under a status: like, boost, bookmark, pin, mute its conversation
(and their undo), and who liked or boosted it. Each button answers with the
updated Status."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.status import serialize_status
from rostra.api.views.lookups import get_post
from rostra.posts import conversation_mutes
from rostra.posts import services as posts
from rostra.posts.models import Favourite, Post
from rostra.posts.queries import with_relations
from rostra.timelines.pagination import paginate


def _fresh(post_id: int, request) -> dict:
    post = with_relations(Post.objects.filter(pk=post_id)).get()
    return serialize_status(post, request.api_account)


def _act(request, status_id, action) -> dict:
    post = get_post(status_id, request.api_account)
    action(request.api_account, post)
    return _fresh(post.pk, request)


@endpoint(["POST"], scope="write:favourites")
def favourite(request, status_id):
    return _act(request, status_id, posts.favourite)


@endpoint(["POST"], scope="write:favourites")
def unfavourite(request, status_id):
    return _act(request, status_id, posts.unfavourite)


@endpoint(["POST"], scope="write:bookmarks")
def bookmark(request, status_id):
    return _act(request, status_id, posts.bookmark)


@endpoint(["POST"], scope="write:bookmarks")
def unbookmark(request, status_id):
    return _act(request, status_id, posts.unbookmark)


@endpoint(["POST"], scope="write:accounts")
def pin(request, status_id):
    return _act(request, status_id, posts.pin)


@endpoint(["POST"], scope="write:accounts")
def unpin(request, status_id):
    return _act(request, status_id, posts.unpin)


@endpoint(["POST"], scope="write:mutes")
def mute(request, status_id):
    """Mute the status's conversation; 422 unless the user takes part in it."""
    return _act(request, status_id, conversation_mutes.mute_conversation)


@endpoint(["POST"], scope="write:mutes")
def unmute(request, status_id):
    return _act(request, status_id, conversation_mutes.unmute_conversation)


@endpoint(["POST"], scope="write:statuses")
def reblog(request, status_id):
    """Answers with the boost, which wraps the boosted status."""
    post = get_post(status_id, request.api_account)
    boost = posts.reblog(request.api_account, post)
    return _fresh(boost.pk, request)


@endpoint(["POST"], scope="write:statuses")
def unreblog(request, status_id):
    post = get_post(status_id, request.api_account)
    original = post.reblog_of if post.reblog_of_id else post
    posts.unreblog(request.api_account, original)
    return _fresh(original.pk, request)


@endpoint(["GET"], auth="optional", scope="read:statuses")
def favourited_by(request, status_id):
    post = get_post(status_id, request.api_account)
    rows = paginate(Favourite.objects.filter(post=post).select_related("account"),
                    page_of(request, 40))
    return paged(request, [serialize_account(r.account) for r in rows], [r.pk for r in rows])


@endpoint(["GET"], auth="optional", scope="read:statuses")
def reblogged_by(request, status_id):
    post = get_post(status_id, request.api_account)
    rows = paginate(Post.objects.filter(reblog_of=post).select_related("account"),
                    page_of(request, 40))
    return paged(request, [serialize_account(r.account) for r in rows], [r.pk for r in rows])
