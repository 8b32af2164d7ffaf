"""Collections: outbox, followers, following, featured (pins) and a post's replies.

Each is an ``OrderedCollection`` (``Collection`` for replies) with ``totalItems`` and
a ``first`` link; pages are ``OrderedCollectionPage`` documents addressed with
``?page=true`` (newest first), ``&max_id=<id>`` (older) or ``&min_id=<id>`` (newer).
Only what an anonymous reader may see is ever listed (``posts.visibility``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q

from rostra.accounts.models import Account, Follow
from rostra.federation import uris
from rostra.federation.serializers import activity
from rostra.federation.serializers.context import with_context
from rostra.federation.serializers.note import serialize_note
from rostra.posts.models import Pin, Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import OPEN, visible_posts
from rostra.timelines.pagination import Page, paginate

PAGE_SIZE = 20


def _url(base: str, **params) -> str:
    return f"{base}?{urlencode({**params, 'page': 'true'})}"


def ordered_collection(collection_id: str, total: int) -> dict:
    return with_context({
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": _url(collection_id),
        "last": _url(collection_id, min_id=0),
    })


def ordered_page(collection_id: str, page: Page, rows: list, items: list) -> dict:
    """An ``OrderedCollectionPage`` of ``items`` (built from ``rows``, newest first)."""
    params = {k: v for k, v in (("max_id", page.max_id), ("min_id", page.min_id))
              if v is not None}
    document = {
        "id": _url(collection_id, **params),
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "orderedItems": items,
    }
    if rows and len(rows) >= page.limit:
        document["next"] = _url(collection_id, max_id=rows[-1].pk)
    if rows:
        document["prev"] = _url(collection_id, min_id=rows[0].pk)
    return with_context(document)


def page_from(params) -> Page:
    page = Page.from_params(params, default_limit=PAGE_SIZE)
    return Page(page.max_id, None, page.min_id, PAGE_SIZE)


# --- outbox -------------------------------------------------------------------------

def outbox_posts(account: Account):
    """Public and unlisted posts and boosts of ``account``, as anyone may see them."""
    return visible_posts(None).filter(account=account).filter(
        Q(reblog_of__isnull=True) | Q(reblog_of__visibility__in=OPEN)
    )


def outbox(account: Account) -> dict:
    return ordered_collection(uris.actor_path(account, "/outbox"),
                              outbox_posts(account).count())


def outbox_page(account: Account, params) -> dict:
    page = page_from(params)
    rows = paginate(outbox_posts(account), page)
    posts = with_relations(Post.objects.filter(pk__in=[p.pk for p in rows])).order_by("-id")
    items = [
        activity.announce(p, context=False) if p.reblog_of_id
        else activity.create(p, context=False)
        for p in posts
    ]
    return ordered_page(uris.actor_path(account, "/outbox"), page, rows, items)


# --- followers and following ----------------------------------------------------------

def _follows(account: Account, direction: str):
    if direction == "followers":
        return Follow.objects.filter(target_account=account, account__suspended_at__isnull=True)
    return Follow.objects.filter(account=account, target_account__suspended_at__isnull=True)


def follow_collection(account: Account, direction: str) -> dict:
    """``direction`` is ``followers`` or ``following``; the count is the live one."""
    return ordered_collection(uris.actor_path(account, f"/{direction}"),
                              _follows(account, direction).count())


def follow_page(account: Account, direction: str, params) -> dict:
    page = page_from(params)
    related = "account" if direction == "followers" else "target_account"
    rows = paginate(_follows(account, direction).select_related(related), page)
    items = [uris.actor_uri(getattr(row, related)) for row in rows]
    return ordered_page(uris.actor_path(account, f"/{direction}"), page, rows, items)


# --- featured (pinned posts) ------------------------------------------------------------

def featured(account: Account) -> dict:
    """Pinned posts anyone may see, embedded, most recently pinned first."""
    pins = Pin.objects.filter(account=account, post__visibility__in=OPEN).order_by("-created_at")
    ids = [pin.post_id for pin in pins]
    found = {p.pk: p for p in with_relations(Post.objects.filter(pk__in=ids))}
    items = [serialize_note(found[i], context=False) for i in ids if i in found]
    return with_context({
        "id": uris.actor_path(account, "/collections/featured"),
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    })


# --- replies -------------------------------------------------------------------------

def _public_replies(post: Post):
    return visible_posts(None).filter(in_reply_to=post, reblog_of__isnull=True)


def replies_page(post: Post, after: int | None, *, embedded: bool = False) -> dict:
    """A ``CollectionPage`` of the ids of public replies to ``post``, oldest first,
    after the reply ``after`` (None: from the start)."""
    collection_id = f"{uris.post_uri(post)}/replies"
    qs = _public_replies(post).select_related("account").order_by("id")
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    params = {"min_id": after} if after is not None else {}
    document = {
        "id": _url(collection_id, **params),
        "type": "CollectionPage",
        "partOf": collection_id,
        "items": [uris.post_uri(r) for r in rows],
    }
    if more:
        document["next"] = _url(collection_id, min_id=rows[-1].pk)
    return document if embedded else with_context(document)


def replies(post: Post) -> dict:
    collection_id = f"{uris.post_uri(post)}/replies"
    return with_context({
        "id": collection_id,
        "type": "Collection",
        "totalItems": _public_replies(post).count(),
        "first": replies_page(post, None, embedded=True),
    })
