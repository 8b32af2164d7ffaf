"""Mastodon's Notification entity. Rostra's internal ``reply`` type is Mastodon's
``mention`` (Mastodon does not tell replies apart)."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.common import iso
from rostra.api.serializers.status import serialize_status
from rostra.notifications.models import Notification

TO_API = {"reply": "mention"}


def api_type(internal: str) -> str:
    return TO_API.get(internal, internal)


def internal_types(api_types: list[str]) -> list[str]:
    """API type names → the internal ones they cover (``mention`` covers ``reply``)."""
    out: list[str] = []
    for name in api_types:
        out.append(name)
        out.extend(k for k, v in TO_API.items() if v == name)
    return out


def serialize_notification(notification: Notification, viewer: Account) -> dict:
    data = {
        "id": str(notification.pk),
        "type": api_type(notification.type),
        "created_at": iso(notification.created_at),
        "group_key": notification.group_key or f"ungrouped-{notification.pk}",
        "account": serialize_account(notification.from_account),
    }
    if notification.post_id:
        data["status"] = serialize_status(notification.post, viewer)
    return data
