"""Polls as ActivityStreams ``Question`` objects (Mastodon's shape: ``oneOf`` or
``anyOf`` options that are ``Note``s with ``replies.totalItems`` vote counts)."""

from __future__ import annotations

from rostra.federation.serializers.common import iso
from rostra.federation.serializers.note import note_fields
from rostra.posts.models import Poll, Post
from rostra.posts.services import poll_results


def question_fields(post: Post, poll: Poll) -> dict:
    """The ``Question`` for ``post`` with ``poll``.

    While an author hides the totals (``hide_totals``) and the poll runs, options carry
    no vote counts at all rather than invented ones; once it ends the counts are shown.
    """
    fields = note_fields(post)
    fields["type"] = "Question"
    counts, _total, voters = poll_results(poll)
    show_counts = not poll.hide_totals or poll.expired
    options = []
    for name, count in zip(poll.options, counts, strict=False):
        option = {"type": "Note", "name": name}
        if show_counts:
            option["replies"] = {"type": "Collection", "totalItems": count}
        options.append(option)
    fields["anyOf" if poll.multiple else "oneOf"] = options
    fields["endTime"] = iso(poll.expires_at)
    if poll.expired:
        fields["closed"] = iso(poll.expires_at)
    if show_counts:
        fields["votersCount"] = voters
    return fields
