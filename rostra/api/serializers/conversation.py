"""Mastodon's Conversation entity (a direct-message thread)."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.status import serialize_status
from rostra.posts import conversations
from rostra.posts.models import Conversation, Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import can_see


def serialize_conversation(conv: Conversation, viewer: Account) -> dict:
    last = with_relations(Post.objects.filter(pk=conv.last_post_id)).first() \
        if conv.last_post_id else None
    shown = last is not None and can_see(viewer, last)
    return {
        "id": str(conv.pk),
        "unread": conv.unread,
        "accounts": [serialize_account(a) for a in conversations.participants(conv)],
        "last_status": serialize_status(last, viewer) if shown else None,
    }
