"""``/api/v2/search``: accounts, statuses and hashtags on this server (no remote
resolution: ``resolve`` is accepted and ignored)."""

from __future__ import annotations

from rostra.accounts import services as accounts
from rostra.api.auth import endpoint
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.status import serialize_statuses
from rostra.api.serializers.tag import serialize_tags
from rostra.posts import search as post_search
from rostra.posts.queries import with_relations
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
    if "accounts" in wanted:
        found = accounts.search_accounts(q, viewer, limit=limit + offset)[offset:]
        if p.bool("following") and viewer is not None:
            from rostra.accounts.models import Follow

            followed = set(Follow.objects.filter(account=viewer)
                           .values_list("target_account_id", flat=True))
            found = [a for a in found if a.pk in followed]
        result["accounts"] = [serialize_account(a) for a in found]
    if "statuses" in wanted and viewer is not None:
        # As on Mastodon, full-text search of statuses needs a logged-in user.
        qs = with_relations(post_search.search_posts(q, viewer))
        account_id = p.str("account_id")
        if account_id and account_id.isdigit():
            qs = qs.filter(account_id=int(account_id))
        page = Page.from_params(request.GET, default_limit=limit)
        if page.max_id or page.min_id or page.since_id:
            posts = paginate(qs, page)
        else:
            posts = list(qs.order_by("-id")[offset:offset + limit])
        result["statuses"] = serialize_statuses(posts, viewer)
    if "hashtags" in wanted:
        tags = post_search.search_tags(q, limit=limit + offset)[offset:]
        result["hashtags"] = serialize_tags(tags)
    return result
