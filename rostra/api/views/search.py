"""``/api/v2/search``: accounts, statuses and hashtags on this server; with
``resolve=true`` (logged in, as on Mastodon) a handle or URL is looked up on its
server too (``federation.remote.resolve_url``)."""

from __future__ import annotations

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.api.auth import endpoint
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.status import serialize_statuses
from rostra.api.serializers.tag import serialize_tags
from rostra.posts import search as post_search
from rostra.posts.models import Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import can_see
from rostra.timelines.pagination import Page, paginate

TYPES = ("accounts", "statuses", "hashtags")


@endpoint(["GET"], auth="optional", scope="read:search")
def search(request):
    p = request.params
    viewer = request.api_account
    q = (p.str("q") or "").strip()
    kind = p.str("type")
    limit = max(1, min(p.int("limit", 20) or 20, 40))
    offset = min(max(0, p.int("offset", 0) or 0), 10_000)  # a huge OFFSET overflowed SQL
    wanted = [kind] if kind in TYPES else list(TYPES)
    result = {"accounts": [], "statuses": [], "hashtags": []}
    if not q:
        return result
    resolved = _resolve(q) if p.bool("resolve") and viewer is not None else None
    if "accounts" in wanted:
        found = accounts.search_accounts(q, viewer, limit=limit + offset)[offset:]
        if p.bool("following") and viewer is not None:
            from rostra.accounts.models import Follow

            followed = set(Follow.objects.filter(account=viewer)
                           .values_list("target_account_id", flat=True))
            found = [a for a in found if a.pk in followed]
        if isinstance(resolved, Account) and resolved not in found:
            found = [resolved, *found][:limit]
        result["accounts"] = [serialize_account(a) for a in found]
    if isinstance(resolved, Post) and "statuses" in wanted and can_see(viewer, resolved):
        post = with_relations(Post.objects.filter(pk=resolved.pk)).first()
        result["statuses"] = serialize_statuses([post], viewer) if post else []
        return result if kind else {**result, "hashtags": []}
    if "statuses" in wanted and viewer is not None:
        # As on Mastodon, full-text search of statuses needs a logged-in user.
        qs = with_relations(post_search.search_posts(q, viewer))
        account_id = p.str("account_id")
        if account_id and account_id.isascii() and account_id.isdigit():
            qs = qs.filter(account_id=int(account_id))
        page = Page.from_params(request.GET, default_limit=limit)
        if page.max_id or page.min_id or page.since_id:
            posts = paginate(qs, page)
        else:
            posts = list(qs.order_by("-id")[offset:offset + limit])
        result["statuses"] = serialize_statuses(posts, viewer)
    if "hashtags" in wanted:
        tags = post_search.search_tags(q, limit=limit + offset)[offset:]
        result["hashtags"] = serialize_tags(tags, viewer)
    return result


def _resolve(query: str):
    """The account or post ``query`` names on its server, or None (network errors too)."""
    from rostra.core.net import NetError
    from rostra.federation.remote import RemoteError, resolve_url

    try:
        return resolve_url(query)
    except (RemoteError, NetError):
        return None
