"""Background detection: every ``ROSTRA_INTEGRITY_INTERVAL_MINUTES`` (a third of
that in election mode) the detectors read the posts that arrived since the last
run, plus a window's overlap so that a group acting across the boundary is seen
whole, and record what they find as incidents.

Idempotent: a run re-reads the overlap and its clusters grow the incidents the
previous run opened, never duplicates. One chain of runs is kept in the queue
(a queued run is not doubled). In election mode, new or grown incidents alert
the moderators by e-mail."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from rostra.core import mail
from rostra.core.ids import id_floor, id_time
from rostra.integrity import election as election_mode
from rostra.integrity import late
from rostra.integrity.detect.records import Message
from rostra.integrity.models import DetectorState, Incident

log = logging.getLogger(__name__)

STATE_NAME = "coordination"
MIN_OVERLAP = timedelta(hours=1)
FIRST_LOOKBACK = timedelta(days=7)  # the first run reads the last week
MAX_POSTS_PER_RUN = 500_000  # a longer backlog is read over the next runs


@dataclass
class RunResult:
    posts: int = 0
    clusters: int = 0
    election: bool = False
    incidents: list[Incident] = field(default_factory=list)
    seconds: float = 0.0

    def changed(self) -> list[Incident]:
        return [i for i in self.incidents if getattr(i, "recorded_as", "") in ("new", "grown")]


def _overlap(config) -> timedelta:
    longest = max((seconds for _, seconds in config.windows), default=0.0)
    return max(MIN_OVERLAP, timedelta(seconds=2 * longest))


def run_detection(*, since: datetime | None = None, now: datetime | None = None) -> RunResult:
    """Detect over the posts since the last run (or since ``since``), record the
    incidents, move the cursor on; alert moderators in election mode."""
    from rostra.integrity.detect import detect
    from rostra.integrity.incidents import record_clusters
    from rostra.integrity.indexing import account_infos, read_messages

    started, now = time.monotonic(), now or timezone.now()
    election = election_mode.election_mode(now)
    config = election_mode.detect_config(election)
    state, _ = DetectorState.objects.get_or_create(name=STATE_NAME)
    if since is not None:
        start_id = id_floor(since)
    elif state.last_post_id:
        start_id = id_floor(id_time(state.last_post_id) - _overlap(config))
    else:
        start_id = id_floor(now - FIRST_LOOKBACK)
    messages = [m for chunk in read_messages(start_id, limit=MAX_POSTS_PER_RUN) for m in chunk]
    notes = late.pending()
    messages += _around_late_posts([post_id for _, post_id in notes], _overlap(config),
                                   start_id, {m.message_id for m in messages})
    result = RunResult(posts=len(messages), election=election)
    if messages:
        clusters = detect(messages, account_infos({m.user_id for m in messages}), config)
        result.clusters = len(clusters)
        result.incidents = record_clusters(clusters, election=election)
    last_id = max((int(m.message_id) for m in messages), default=0)
    result.seconds = round(time.monotonic() - started, 3)
    with transaction.atomic():
        state = DetectorState.objects.select_for_update().get(pk=state.pk)
        state.last_post_id = max(state.last_post_id, last_id)
        state.last_run_at = timezone.now()
        state.figures = {"posts": result.posts, "clusters": result.clusters,
                         "incidents": len(result.incidents), "changed": len(result.changed()),
                         "seconds": result.seconds, "election": election}
        state.save()
        if notes:
            late.done(notes[-1][0])
    if election and result.changed():
        transaction.on_commit(lambda: alert_moderators(result.changed()))
    return result


def _around_late_posts(post_ids: list[int], overlap: timedelta, start_id: int,
                       seen: set[str]) -> list[Message]:
    """The readable posts published within ``overlap`` of late arrivals, behind
    this run's own range (``start_id``), that the run has not read already."""
    from rostra.integrity.indexing import read_messages
    from rostra.posts.models import Post

    times = list(Post.objects.filter(pk__in=post_ids, pk__lt=start_id)
                 .values_list("published", flat=True))
    found = []
    for after, until in late.ranges(times, overlap):
        for chunk in read_messages(after, until_id=min(until, start_id - 1),
                                   limit=MAX_POSTS_PER_RUN):
            found += [m for m in chunk if m.message_id not in seen]
    return found


def alert_moderators(incidents: list[Incident]) -> int:
    """E-mail every active staff member about new or grown incidents (election
    mode), each in their own language. Returns how many were written to."""
    from rostra.accounts.models import User
    from rostra.core.links import absolute_url

    to = sorted(set(User.objects.filter(is_staff=True, is_active=True).exclude(email="")
                    .values_list("email", flat=True)))
    if not to or not incidents:
        return 0

    def compose() -> tuple[str, str]:
        lines = [_("- %(incident)s (%(recorded)s, strength %(strength)s): %(url)s") % {
                     "incident": i, "recorded": getattr(i, "recorded_as", "new"),
                     "strength": f"{i.strength:.2f}",
                     "url": absolute_url(f"/moderation/integrity/{i.pk}")} for i in incidents]
        subject = ngettext(
            "Election mode: %(count)s coordinated-behaviour incident(s) to review",
            "Election mode: %(count)s coordinated-behaviour incident(s) to review",
            len(incidents)) % {"count": len(incidents)}
        return subject, (_("The detectors found new or growing coordinated behaviour during "
                           "an election period:") + "\n\n" + "\n".join(lines) + "\n")

    mail.send_each(to, compose)
    return len(to)


@task()
def detect_task() -> int:
    """One detection run, then the next one after the interval (one chain)."""
    try:
        result = run_detection()
    finally:
        schedule_next()
    return len(result.incidents)


def schedule_next() -> None:
    minutes = election_mode.interval_minutes(election_mode.election_mode())
    if minutes and not _queued(("READY",)):
        detect_task.using(run_after=timezone.now() + timedelta(minutes=minutes)).enqueue()


def _queued(statuses=("READY", "RUNNING")) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=statuses,
                                       task_path=detect_task.module_path).exists()


def start_detecting() -> None:
    """Run at worker start: keep one detection run in the queue (none when the
    interval is 0)."""
    try:
        if election_mode.interval_minutes(False) and not _queued():
            detect_task.enqueue()
    except Exception:  # pragma: no cover - the worker must start anyway
        log.exception("Could not schedule coordination detection")
