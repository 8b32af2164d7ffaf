"""Mastodon's Suggestion entity (v2): ``sources`` and the deprecated ``source``
mapped as Mastodon maps them."""

from __future__ import annotations

from rostra.accounts.discovery import FRIENDS_OF_FRIENDS, Suggestion
from rostra.api.serializers.account import serialize_account

LEGACY_SOURCE = {FRIENDS_OF_FRIENDS: "past_interactions"}


def serialize_suggestion(suggestion: Suggestion) -> dict:
    return {
        "source": LEGACY_SOURCE.get(suggestion.source, "global"),
        "sources": [suggestion.source],
        "account": serialize_account(suggestion.account),
    }
