"""Mastodon's Status entity (and StatusEdit, StatusSource)."""

from __future__ import annotations

from collections.abc import Iterable

from rostra.accounts.models import Account
from rostra.api.serializers.account import account_url, serialize_account
from rostra.api.serializers.common import iso
from rostra.api.serializers.filter import serialize_filter_result
from rostra.api.serializers.media import serialize_media
from rostra.api.serializers.poll import serialize_poll
from rostra.api.serializers.tag import tag_url
from rostra.core.links import absolute_url
from rostra.posts.models import Poll, Post, PostEdit
from rostra.posts.queries import hydrate


def status_url(post: Post) -> str:
    if post.account.local:
        return absolute_url(f"/@{post.account.username}/{post.pk}")
    return post.origin_url or post.uri


def status_uri(post: Post) -> str:
    """A local post's id is ours even when it was copied from another server (its
    ``uri`` then keeps the old id)."""
    if post.account.local:
        return absolute_url(f"/users/{post.account.username}/statuses/{post.pk}")
    return post.uri


def _poll(post: Post) -> Poll | None:
    try:
        return post.poll
    except Poll.DoesNotExist:
        return None


def _mentions(post: Post) -> list[dict]:
    return [
        {"id": str(m.account.pk), "username": m.account.username, "acct": m.account.acct,
         "url": account_url(m.account)}
        for m in post.mentions.all() if m.account is not None
    ]


def _tags(post: Post) -> list[dict]:
    prefetched = "post_tags" in getattr(post, "_prefetched_objects_cache", {})
    rows = post.post_tags.all() if prefetched else post.post_tags.select_related("tag")
    return [{"name": pt.tag.display_name or pt.tag.name, "url": tag_url(pt.tag.name)}
            for pt in rows]


def _one(post: Post, viewer: Account | None) -> dict:
    poll = _poll(post) if not post.reblog_of_id else None
    own = viewer is not None and viewer.pk == post.account_id
    data = {
        "id": str(post.pk),
        "created_at": iso(post.published),
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": str(post.in_reply_to_account_id)
        if post.in_reply_to_account_id else None,
        "sensitive": (post.sensitive or post.age_restricted or bool(post.label)
                      or post.account.sensitized_at is not None),
        # Apps have no place for a moderators' label: it leads the content warning.
        "spoiler_text": " · ".join(t for t in (post.label, post.spoiler_text) if t),
        "visibility": post.visibility,
        "language": post.language or None,
        "uri": status_uri(post),
        "url": status_url(post),
        "replies_count": post.replies_count,
        "reblogs_count": post.reblogs_count,
        "favourites_count": post.favourites_count,
        "edited_at": iso(post.edited_at),
        "content": post.content,
        "reblog": None,
        "application": {"name": post.application_name,
                        "website": post.application_website or None}
        if post.application_name and not post.reblog_of_id else None,
        "account": serialize_account(post.account),
        "media_attachments": [serialize_media(m) for m in post.media.all()],
        "mentions": _mentions(post),
        "tags": _tags(post),
        "emojis": [],
        "card": None,
        "poll": serialize_poll(poll, viewer) if poll is not None else None,
        "filtered": [serialize_filter_result(r) for r in getattr(post, "filter_results", ())],
    }
    if viewer is not None:
        data.update(
            favourited=getattr(post, "viewer_favourited", False),
            reblogged=getattr(post, "viewer_reblogged", False),
            bookmarked=getattr(post, "viewer_bookmarked", False),
            muted=getattr(post, "viewer_muted", False),
        )
        if own:
            data["pinned"] = getattr(post, "viewer_pinned", False)
    return data


def serialize_status(post: Post, viewer: Account | None) -> dict:
    """One post as a Status; ``post`` may be hydrated already (queries.hydrate)."""
    if not hasattr(post, "viewer_favourited"):
        hydrate([post], viewer)
    data = _one(post, viewer)
    if post.reblog_of_id:
        inner = _one(post.reblog_of, viewer)
        inner["filtered"] = data["filtered"]  # a boost is filtered by what it boosts
        data.update(reblog=inner, content="", media_attachments=[], mentions=[], tags=[],
                    favourited=inner.get("favourited"), reblogged=inner.get("reblogged"),
                    bookmarked=inner.get("bookmarked"), muted=inner.get("muted"))
        if viewer is None:
            for key in ("favourited", "reblogged", "bookmarked", "muted"):
                data.pop(key, None)
    return data


def serialize_statuses(posts: Iterable[Post], viewer: Account | None) -> list[dict]:
    posts = list(posts)
    if posts and not hasattr(posts[0], "viewer_favourited"):
        hydrate(posts, viewer)
    return [serialize_status(p, viewer) for p in posts]


def serialize_source(post: Post) -> dict:
    return {"id": str(post.pk), "text": post.text, "spoiler_text": post.spoiler_text}


def serialize_edit(edit: PostEdit, post: Post) -> dict:
    media = list(post.media.all())
    attachments = []
    for i, item in enumerate(media):
        entry = serialize_media(item)
        if i < len(edit.media_descriptions or []):
            entry["description"] = edit.media_descriptions[i] or None
        attachments.append(entry)
    return {
        "content": edit.content,
        "spoiler_text": edit.spoiler_text,
        "sensitive": edit.sensitive,
        "created_at": iso(edit.created_at),
        "account": serialize_account(post.account),
        "poll": None,
        "media_attachments": attachments,
        "emojis": [],
    }
