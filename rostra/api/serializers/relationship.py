"""Mastodon's Relationship entity, from ``accounts.services.relationship``.

``note`` is the viewer's own private note on the target (``accounts.notes``):
each reader sees only what they wrote.
"""

from __future__ import annotations

from rostra.accounts import endorsements
from rostra.accounts import notes as account_notes
from rostra.accounts import services as accounts
from rostra.accounts.models import Account


def serialize_relationship(viewer: Account, target: Account,
                           notes: dict[int, str] | None = None) -> dict:
    """``notes`` (target id -> the viewer's note, from ``accounts.notes.notes_on``)
    spares a query per target when many are serialized; without it the note is read."""
    data = dict(accounts.relationship(viewer, target))
    data["id"] = str(target.pk)
    data.setdefault("endorsed", endorsements.is_endorsed(viewer, target))
    data["note"] = (notes.get(target.pk, "") if notes is not None
                    else account_notes.note_on(viewer, target))
    return data
