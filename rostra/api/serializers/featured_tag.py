"""Mastodon's FeaturedTag entity (``statuses_count`` a string and
``last_status_at`` a date, as Mastodon sends them)."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.serializers.account import account_url
from rostra.posts.models import FeaturedTag


def serialize_featured_tag(item: FeaturedTag, account: Account) -> dict:
    last = getattr(item, "last_status_at", None)
    return {
        "id": str(item.pk),
        "name": item.tag.display_name or item.tag.name,
        "url": f"{account_url(account)}/tagged/{item.tag.name}",
        "statuses_count": str(getattr(item, "statuses_count", 0)),
        "last_status_at": last.date().isoformat() if last else None,
    }
