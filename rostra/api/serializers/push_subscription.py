"""Mastodon's WebPushSubscription entity. ``standard`` is always true: Rostra
encrypts with RFC 8291's aes128gcm only (not the legacy aesgcm draft)."""

from __future__ import annotations

from rostra.notifications.models import PushSubscription


def serialize_push_subscription(subscription: PushSubscription, server_key: str) -> dict:
    return {
        "id": str(subscription.pk),
        "endpoint": subscription.endpoint,
        "standard": True,
        "alerts": dict(subscription.alerts),
        "policy": subscription.policy,
        "server_key": server_key,
    }
