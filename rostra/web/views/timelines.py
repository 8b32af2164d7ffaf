"""Timeline pages: the landing page, home, local, public, hashtag, bookmarks
and likes. Each asks ``timelines.services`` for one page of posts (visibility
is applied there) and renders them with the one post template."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rostra.timelines import followed_tags
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page
from rostra.web.views.common import older_link, viewer
from rostra.web.views.compose import compose_form_for
from rostra.web.views.feeds import feed_timeline, selector


def index(request):
    """Visitors get the landing page; people logged in go to their home."""
    if viewer(request) is not None:
        return redirect("web:home")
    posts = timelines.local(None, Page(limit=10))
    return render(request, "web/index.html", {"posts": posts})


def _timeline(request, template_context: dict, posts: list, page: Page, *, key: str = "pk"):
    context = {"posts": posts, "older_max_id": older_link(posts, page, key), **template_context}
    return render(request, "web/timeline.html", context)


@login_required
def home(request):
    me = viewer(request)
    feed_key = request.GET.get("feed", "")
    if me and feed_key and feed_key != "chronological":  # an opt-in feed beside home
        return feed_timeline(request, feed_key)
    page = Page.from_params(request.GET)
    posts = timelines.home(me, page) if me else []
    return _timeline(
        request,
        {"title": _("Home"), "compose_form": compose_form_for(request),
         "feed_selector": selector(me, "chronological") if me else None,
         "empty": _("Nothing here yet. Follow people to see their posts, or write your first "
                    "post.")},
        posts, page,
    )


def local(request):
    page = Page.from_params(request.GET)
    return _timeline(
        request,
        {"title": _("Local"), "intro": _("Public posts written by people on this server."),
         "empty": _("No public posts yet.")},
        timelines.local(viewer(request), page), page,
    )


def public(request):
    page = Page.from_params(request.GET)
    return _timeline(
        request,
        {"title": _("Public"),
         "intro": _("Public posts from this server and the servers it knows."),
         "empty": _("No public posts yet.")},
        timelines.public(viewer(request), page), page,
    )


def tag(request, tag: str):
    page = Page.from_params(request.GET)
    me = viewer(request)
    context = {"title": f"#{tag}", "empty": _("No public posts with #%(tag)s yet.") % {"tag": tag}}
    if me is not None:  # the Follow/Unfollow button (``followed_tags.toggle``)
        known = followed_tags.find_tag(tag)
        context["tag_follow"] = {
            "name": tag, "following": bool(known and followed_tags.following(me, [known]))}
    return _timeline(request, context, timelines.tag(me, tag, page), page)


@login_required
def bookmarks(request):
    page = Page.from_params(request.GET)
    posts = timelines.bookmarks(viewer(request), page)
    return _timeline(
        request,
        {"title": _("Bookmarks"), "empty": _("You have not bookmarked any post yet.")},
        posts, page, key="page_id",
    )


@login_required
def favourites(request):
    page = Page.from_params(request.GET)
    posts = timelines.favourites(viewer(request), page)
    return _timeline(
        request,
        {"title": _("Liked posts"), "empty": _("You have not liked any post yet.")},
        posts, page, key="page_id",
    )
