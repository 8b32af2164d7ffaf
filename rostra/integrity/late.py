"""Federated posts that arrive late, and the stretches of time detection re-reads
for them.

Background detection moves a cursor over post ids, which follow publication time
(``rostra.core.ids``), and re-reads a window's overlap each run. A post published
well before it reached this server (its server was slow or down, a thread was
fetched, an outbox backfilled) has an id behind the cursor and would never be
read. It is noted here on arrival; the next run reads the posts published within
the overlap around it, so it is seen beside whatever it acted in concert with.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from rostra.core.ids import id_floor
from rostra.integrity.models import LateArrival
from rostra.posts import events as post_events
from rostra.posts.models import Post, Source, Visibility

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=30)  # published this long before arriving: late
MAX_PER_RUN = 2_000  # older notes wait for the next run


def _on_post_created(sender, post: Post, **kwargs) -> None:
    if (post.source == Source.FEDERATION
            and post.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
            and post.published < timezone.now() - LATE_AFTER):
        try:
            LateArrival.objects.get_or_create(post_id=post.pk)
        except Exception:  # noting must never stop a post from arriving
            log.exception("could not note late post %s", post.pk)


def connect() -> None:
    """Listen to new posts (called from the app's ``ready``)."""
    post_events.post_created.connect(_on_post_created, dispatch_uid="integrity.late.created")


def pending() -> list[tuple[int, int]]:
    """(note id, post id) of the oldest notes, at most ``MAX_PER_RUN``."""
    return list(LateArrival.objects.order_by("pk").values_list("pk", "post_id")[:MAX_PER_RUN])


def ranges(post_times: list[datetime], overlap: timedelta) -> list[tuple[int, int]]:
    """Id ranges ``(after, until)`` covering ``overlap`` on either side of each
    time, overlapping stretches merged, oldest first."""
    spans: list[list[datetime]] = []
    for when in sorted(post_times):
        start, end = when - overlap, when + overlap
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(id_floor(start) - 1, id_floor(end)) for start, end in spans]


def done(up_to_note: int) -> None:
    """Forget the notes a run has read."""
    LateArrival.objects.filter(pk__lte=up_to_note).delete()
