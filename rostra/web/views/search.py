"""Search: accounts, hashtags and posts (full text, only what the viewer may
see), each in its own section."""

from __future__ import annotations

from django.shortcuts import render

from rostra.accounts.services import search_accounts
from rostra.posts.queries import hydrate, with_relations
from rostra.posts.search import search_posts, search_tags
from rostra.web.views.common import viewer

RESULTS = 20


def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    me = viewer(request)
    context = {"q": query, "searched": bool(query)}
    if query:
        context["accounts"] = search_accounts(query, me, limit=RESULTS)
        context["tags"] = search_tags(query, limit=RESULTS)
        context["posts"] = hydrate(with_relations(search_posts(query, me))[:RESULTS], me)
    return render(request, "web/search.html", context)
