"""Mastodon's Poll entity."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.serializers.common import iso
from rostra.posts.models import Poll, PollVote
from rostra.posts.services import poll_results


def serialize_poll(poll: Poll, viewer: Account | None) -> dict:
    counts, total, voters = poll_results(poll)
    own = []
    if viewer is not None:
        own = sorted(PollVote.objects.filter(poll=poll, account=viewer)
                     .values_list("choice", flat=True))
    hidden = poll.hide_totals and not poll.expired
    return {
        "id": str(poll.pk),
        "expires_at": iso(poll.expires_at),
        "expired": poll.expired,
        "multiple": poll.multiple,
        "votes_count": total,
        "voters_count": voters if poll.multiple else total,
        "options": [{"title": title, "votes_count": None if hidden else counts[i]}
                    for i, title in enumerate(poll.options)],
        "emojis": [],
        "voted": bool(own) if viewer is not None else None,
        "own_votes": own if viewer is not None else None,
    }
