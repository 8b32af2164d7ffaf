"""Feed pages: the public page of each feed (what it does, its parameters, version
and changelog: DSA Art. 27), the reader's feed choice in settings, and a feed read
beside home with "Why am I seeing this?" under each post."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.timelines.feeds import DEFAULT_FEED, FeedError, all_feeds, generator, get_feed
from rostra.timelines.feeds import services as feeds
from rostra.timelines.lists import lists_of
from rostra.timelines.pagination import Page
from rostra.web.views.common import viewer


def about_index(request):
    return render(request, "web/feeds/index.html", {"feeds": all_feeds(),
                                                    "default_feed": DEFAULT_FEED})


def about(request, feed_id: str):
    try:
        feed = get_feed(feed_id)
    except FeedError:
        raise Http404("There is no such feed.") from None
    return render(request, "web/feeds/about.html", {"feed": feed, "default_feed": DEFAULT_FEED})


def feed_url(key: str) -> str:
    home = reverse("web:home")
    return home if key == DEFAULT_FEED else f"{home}?{urlencode({'feed': key})}"


def selector(me: Account, current: str) -> list[dict]:
    """Home and the reader's pinned feeds, as links (the selector needs no script)."""
    items = [(DEFAULT_FEED, _("Home"))] + [(c.key, shown_title(c)) for c in feeds.pinned(me)]
    return [{"key": key, "title": title, "url": feed_url(key), "current": key == current}
            for key, title in items]


def shown_title(choice) -> str:
    """A pinned feed's title in the reader's language: a feed's own name is translated,
    a title the reader made (a hashtag, a list) is shown as it is."""
    return _(choice.title) if choice.title == choice.feed.name else choice.title


def why(feed, reasons: dict) -> list[tuple[str, str]]:
    """The factors of a ranked post, as (plain label, value) pairs in the reader's
    language (the feed declares its labels in English, marked for translation)."""
    return [(_(feed.factors[k]) if k in feed.factors else k, _plain(v))
            for k, v in reasons.items()]


def _plain(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@login_required
def feed_timeline(request, key: str):
    """A page of the feed ``key`` beside home; an unknown feed goes back to home. A
    feed generator that fails gives its page with the reason, not an error page."""
    me = viewer(request)
    page = Page.from_params(request.GET)
    try:
        result = feeds.read(me, key, page)
    except generator.GeneratorUnavailable as exc:
        choice = feeds.resolve(me, key)
        return render(request, "web/feeds/timeline.html", {
            "title": shown_title(choice), "feed": choice.feed, "posts": [],
            "feed_error": str(exc),
            "feed_selector": selector(me, choice.key), "older_url": None,
            "generator": {"url": choice.choice, "described": None},  # no second wait
        })
    except FeedError as exc:
        messages.error(request, str(exc))
        return redirect("web:home")
    feed = result.choice.feed
    for post in result.posts:
        post.why = why(feed, post.ranked.reasons)
    older = None
    if feed.id == generator.Generator.id:
        if result.page_ids and generator.has_more(result.choice.choice, result.page_ids[-1]):
            older = f"{feed_url(result.choice.key)}&{urlencode({'max_id': result.page_ids[-1]})}"
    elif len(result.page_ids) >= page.limit:
        older = f"{feed_url(result.choice.key)}&{urlencode({'max_id': result.page_ids[-1]})}"
    return render(request, "web/feeds/timeline.html", {
        "title": shown_title(result.choice), "feed": feed, "posts": result.posts,
        "feed_selector": selector(me, result.choice.key), "older_url": older,
        "ranking_hash": result.ranking_hash,
        "audit_control": result.control,
        "generator": (_generator_context(result.choice.choice)
                      if feed.id == generator.Generator.id else None),
    })


def _generator_context(url: str) -> dict:
    """A generator's address and what it says about itself, for its page."""
    return {"url": url, "described": generator.self_description(url)}


@login_required
def settings_feeds(request):
    """Pin and unpin feeds (POST ``action`` = pin/unpin with a ``key``, or ``tag`` /
    ``list`` for a topic); GET shows home, the pinned feeds and all that can be."""
    me = viewer(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        key = request.POST.get("key", "")
        if action == "subscribe":
            try:
                choice = generator.subscribe(me, request.POST.get("generator_url", ""))
                messages.success(request, _("The feed from %(title)s is now beside your "
                                            "home timeline.") % {"title": shown_title(choice)})
            except FeedError as exc:
                messages.error(request, str(exc))
            return redirect("web:settings_feeds")
        if request.POST.get("tag", "").strip():
            key = f"topic:tag:{request.POST['tag'].strip()}"
        elif request.POST.get("list", "").strip():
            key = f"topic:list:{request.POST['list'].strip()}"
        try:
            if action == "unpin":
                feeds.unpin(me, key)
                messages.success(request, _("The feed was unpinned."))
            elif action == "pin":
                choice = feeds.pin(me, key, consent_to_profiling=bool(
                    request.POST.get("consent")))
                messages.success(request, _("%(title)s is now beside your home timeline.")
                                 % {"title": shown_title(choice)})
            else:
                messages.error(request, _("Choose to pin or unpin a feed."))
        except FeedError as exc:
            messages.error(request, str(exc))
        return redirect("web:settings_feeds")
    pinned = feeds.pinned(me)
    pinned_ids = {c.feed.id for c in pinned if not c.feed.takes_choice}
    choosable = [f for f in all_feeds() if f.id != DEFAULT_FEED and not f.takes_choice]
    return render(request, "web/settings/feeds.html", {
        "section": "feeds", "pinned": [(c, feed_url(c.key)) for c in pinned],
        "choosable": [(f, f.id in pinned_ids) for f in choosable],
        "lists": lists_of(me), "topic": get_feed("topic"),
        "generator_feed": get_feed(generator.Generator.id),
    })
