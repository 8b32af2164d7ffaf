"""One log row → the event a viewer receives, or None when they may not have it.
Visibility is checked again here, for the viewer at hand (the rule may have
changed since the row was written: a block, an unfollow, a deletion)."""

from __future__ import annotations

import json

from rostra.accounts.domain_blocks import is_domain_blocked
from rostra.accounts.models import Account
from rostra.accounts.services import blocked_account_ids, muted_account_ids
from rostra.api.serializers.conversation import serialize_conversation
from rostra.api.serializers.notification import serialize_notification
from rostra.api.serializers.status import serialize_status
from rostra.notifications.models import Notification
from rostra.posts import conversations
from rostra.posts.models import Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import can_see
from rostra.streaming import streams
from rostra.streaming.models import StreamEvent


def _status(row: StreamEvent, viewer: Account | None, public: bool) -> str | None:
    post = with_relations(Post.objects.filter(pk=row.post_id)).first()
    if post is None or not can_see(viewer, post):
        return None
    if public and viewer is not None:
        hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
        if post.account_id in hidden:
            return None
    if viewer is not None and _from_blocked_server(viewer, post):
        return None
    return json.dumps(serialize_status(post, viewer))


def _from_blocked_server(viewer: Account, post: Post) -> bool:
    """The post, or the post it boosts, is from a server the viewer blocked."""
    authors = [post.account, *([post.reblog_of.account] if post.reblog_of_id else [])]
    return any(not a.local and is_domain_blocked(viewer, a.domain) for a in authors)


def render(row: StreamEvent, viewer: Account | None) -> str | None:
    """The payload (a JSON string, or the id for a deletion) or None."""
    if row.event in (streams.UPDATE, streams.STATUS_UPDATE):
        return _status(row, viewer, public=not row.stream.startswith(("user:", "list:")))
    if row.event == streams.DELETE:
        return str(row.post_id)
    if viewer is None:
        return None
    if row.event == streams.NOTIFICATION:
        found = Notification.objects.filter(
            pk=row.notification_id, account=viewer
        ).select_related("from_account", "post__account").first()
        if found is None or (found.post_id and not can_see(viewer, found.post)):
            return None
        return json.dumps(serialize_notification(found, viewer))
    if row.event == streams.CONVERSATION:
        conv = conversations.for_post(viewer, row.post_id)
        return json.dumps(serialize_conversation(conv, viewer)) if conv else None
    return None


def render_many(rows: list[tuple[tuple[str, ...], StreamEvent]],
                viewer: Account | None) -> list[tuple[tuple[str, ...], str, str]]:
    """``[(stream name, row)]`` → ``[(stream name, event, payload)]`` worth sending."""
    out = []
    cache: dict[int, str | None] = {}
    for name, row in rows:
        if row.id not in cache:
            cache[row.id] = render(row, viewer)
        if cache[row.id] is not None:
            out.append((name, row.event, cache[row.id]))
    return out
