"""Mastodon's Relationship entity, from ``accounts.services.relationship``."""

from __future__ import annotations

from rostra.accounts import endorsements
from rostra.accounts import services as accounts
from rostra.accounts.models import Account


def serialize_relationship(viewer: Account, target: Account) -> dict:
    data = dict(accounts.relationship(viewer, target))
    data["id"] = str(target.pk)
    data.setdefault("endorsed", endorsements.is_endorsed(viewer, target))
    data.setdefault("note", "")
    return data
