"""Search: accounts, hashtags and posts (full text, only what the viewer may
see), each in its own section."""

from __future__ import annotations

from django.shortcuts import redirect, render

from rostra.accounts.models import Account
from rostra.accounts.services import search_accounts
from rostra.posts.models import Post
from rostra.posts.queries import hydrate, with_relations
from rostra.posts.search import search_posts, search_tags
from rostra.posts.visibility import can_see
from rostra.web.views.common import viewer

RESULTS = 20


def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    me = viewer(request)
    context = {"q": query, "searched": bool(query)}
    if query:
        found = _resolve(query) if me is not None else None
        if isinstance(found, Post) and can_see(me, found):
            return redirect(f"/@{found.account.acct}/{found.pk}")
        context["accounts"] = search_accounts(query, me, limit=RESULTS)
        if isinstance(found, Account) and found not in context["accounts"]:
            context["accounts"] = [found, *context["accounts"]][:RESULTS]
        context["tags"] = search_tags(query, limit=RESULTS)
        context["posts"] = hydrate(with_relations(search_posts(query, me))[:RESULTS], me)
    return render(request, "web/search.html", context)


def _resolve(query: str):
    """A handle (``@user@host``) or URL looked up on its server (logged-in users only,
    as every lookup makes this server fetch from another): account, post or None."""
    from rostra.core.net import NetError
    from rostra.federation.remote import HANDLE_RE, RemoteError, resolve_url

    if not (HANDLE_RE.fullmatch(query) or query.startswith(("https://", "http://"))):
        return None
    try:
        return resolve_url(query)
    except (RemoteError, NetError):
        return None
