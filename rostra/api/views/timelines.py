"""Timelines: home, public (local/remote/only_media), hashtag; and the own
bookmarks and favourites lists (paged by their own row ids, as Mastodon does)."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.status import serialize_statuses
from rostra.timelines import filters
from rostra.timelines import services as timelines


def _only_media(posts):
    return [p for p in posts if list(p.media.all())]


@endpoint(["GET"], scope="read:statuses")
def home(request):
    viewer = request.api_account
    posts = timelines.home(viewer, page_of(request))
    shown = filters.apply(viewer, posts, "home")
    return paged(request, serialize_statuses(shown, viewer), [p.pk for p in posts])


@endpoint(["GET"], auth="optional", scope="read:statuses")
def public(request):
    """``only_media`` narrows a page after it is read, so a page may hold fewer than
    ``limit`` statuses; the Link header still continues after the page read."""
    p = request.params
    viewer = request.api_account
    page = page_of(request)
    if p.bool("local"):
        posts = timelines.local(viewer, page)
    else:
        posts = timelines.public(viewer, page, only_remote=bool(p.bool("remote")))
    ids = [x.pk for x in posts]
    if p.bool("only_media"):
        posts = _only_media(posts)
    posts = filters.apply(viewer, posts, "public")
    return paged(request, serialize_statuses(posts, viewer), ids)


@endpoint(["GET"], auth="optional", scope="read:statuses")
def tag(request, hashtag):
    p = request.params
    viewer = request.api_account
    posts = timelines.tag(viewer, hashtag.lstrip("#"), page_of(request))
    ids = [x.pk for x in posts]
    if p.bool("local"):
        posts = [x for x in posts if x.account.local]
    elif p.bool("remote"):
        posts = [x for x in posts if not x.account.local]
    if p.bool("only_media"):
        posts = _only_media(posts)
    posts = filters.apply(viewer, posts, "public")
    return paged(request, serialize_statuses(posts, viewer), ids)


@endpoint(["GET"], scope="read:bookmarks")
def bookmarks(request):
    posts = timelines.bookmarks(request.api_account, page_of(request))
    return paged(request, serialize_statuses(posts, request.api_account),
                 [p.page_id for p in posts])


@endpoint(["GET"], scope="read:favourites")
def favourites(request):
    posts = timelines.favourites(request.api_account, page_of(request))
    return paged(request, serialize_statuses(posts, request.api_account),
                 [p.page_id for p in posts])
