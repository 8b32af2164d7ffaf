"""What the amplification audit records when a feed page is served, and the
replay that lets an auditor check a logged ranking.

* Impressions: each post shown adds 1 to the day's count of (feed, feed version,
  cohort, rank bucket, reason kind, author). No reader, post or request is stored.
* Replay log: one request in ``SAMPLE_ONE_IN`` keeps the ranking's inputs and its
  ``ranking_hash`` (no reader id), so ``replay`` can re-run the feed's ``rank``
  on them and compare hashes.

Both are kept ``ROSTRA_FEED_AUDIT_RETENTION_DAYS`` days (``purge``, run by the
worker). The rank is the post's place in the whole ranking (in the page for feeds
paged by id, like home); the reason kind is the first factor the feed lists.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.utils import timezone

from rostra.timelines.feeds.base import (
    Feed,
    FeedError,
    Inputs,
    Ranked,
    Row,
    canonical_json,
    get_feed,
    ranking_hash,
)
from rostra.timelines.feeds.cohort import SAMPLE_ONE_IN
from rostra.timelines.models import FeedImpression, FeedReplayLog

CONTROL = FeedImpression.Cohort.CONTROL
TREATMENT = FeedImpression.Cohort.TREATMENT
BUCKETS = ((1, 3), (4, 10), (11, 20), (21, 40))  # ranks 1–3, 4–10, ...; beyond: "41+"


def rank_bucket(rank: int) -> str:
    for low, high in BUCKETS:
        if low <= rank <= high:
            return f"{low}-{high}"
    return f"{BUCKETS[-1][1] + 1}+"


def reason_kind(ranked: Ranked) -> str:
    return next(iter(ranked.reasons), "none")[:64]


def record_impressions(feed: Feed, cohort: str, ranked: list[Ranked], shown_ids: list[int],
                       *, paged_by_id: bool, when: datetime | None = None) -> int:
    """Count the posts ``shown_ids`` (in their order on the page) of ``ranked``.
    Returns how many impressions were counted."""
    places = {r.post_id: i for i, r in enumerate(ranked)}
    by_id = {r.post_id: r for r in ranked}
    counts: Counter[tuple[str, str, int]] = Counter()
    for page_place, post_id in enumerate(shown_ids):
        item = by_id.get(post_id)
        if item is None:
            continue
        rank = page_place + 1 if paged_by_id else places[post_id] + 1
        counts[(rank_bucket(rank), reason_kind(item), int(item.author_id))] += 1
    day = (when or timezone.now()).date()
    _add_all([(day, feed.id, feed.version, cohort, bucket, reason, author_id, n)
              for (bucket, reason, author_id), n in counts.items()])
    return sum(counts.values())


KEY = ("day", "feed", "feed_version", "cohort", "rank_bucket", "reason", "author_id")


def _add_all(rows: list[tuple]) -> None:
    """Add each row's count to its counter in one statement per page (an upsert that
    SQLite 3.24+ and PostgreSQL share): concurrent readers never lose a count."""
    if not rows:
        return
    table = connection.ops.quote_name(FeedImpression._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in (*KEY, "count"))
    key = ", ".join(connection.ops.quote_name(c) for c in KEY)
    count = connection.ops.quote_name("count")
    sql = (f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(KEY) + 1))}) "
           f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def inputs_hash(inputs: Inputs) -> str:
    return hashlib.sha256(canonical_json(inputs.as_json()).encode()).hexdigest()


def sampled() -> bool:
    return random.randrange(SAMPLE_ONE_IN) == 0


def log_for_replay(feed: Feed, cohort: str, inputs: Inputs, digest: str,
                   when: datetime | None = None) -> FeedReplayLog:
    """Keep what an auditor needs to re-run this ranking."""
    return FeedReplayLog.objects.create(
        created_at=when or timezone.now(), feed=feed.id, feed_version=feed.version,
        cohort=cohort, inputs=inputs.as_json(), inputs_hash=inputs_hash(inputs),
        ranking_hash=digest)


class ReplayError(ValueError):
    """A log that cannot be replayed (gone, or made by another feed version)."""


@dataclass(frozen=True)
class Replay:
    log_id: int
    feed: str
    version: int
    logged_hash: str
    replayed_hash: str
    inputs_intact: bool

    @property
    def matches(self) -> bool:
        return self.inputs_intact and self.logged_hash == self.replayed_hash


def inputs_from_json(feed: Feed, data: dict) -> Inputs:
    """Rebuild a feed's ``Inputs`` from ``Inputs.as_json()``; ``ReplayError`` if malformed."""
    row_type = getattr(feed, "row_type", Row)
    try:
        rows = []
        for raw in data["rows"]:
            fields = {k: tuple(tuple(x) if isinstance(x, list) else x for x in v)
                      if isinstance(v, list) else v for k, v in raw.items()}
            rows.append(row_type(**fields))
        return Inputs(now=int(data["now"]), choice=str(data.get("choice", "")),
                      rows=tuple(rows), context=dict(data.get("context") or {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise ReplayError(f"The logged inputs are malformed: {exc}") from None


def replay(log_id: int) -> Replay:
    """Re-run the logged ranking from its inputs and compare the hashes. Raises
    ``ReplayError`` if there is no such log or the feed's version changed since."""
    log = FeedReplayLog.objects.filter(pk=log_id).first()
    if log is None:
        raise ReplayError(f"There is no replay log {log_id} (it may have been purged)")
    try:
        feed = get_feed(log.feed)
    except FeedError as exc:
        raise ReplayError(str(exc)) from None
    if feed.version != log.feed_version:
        raise ReplayError(f"Log {log_id} was ranked by {log.feed} version {log.feed_version}; "
                          f"this server runs version {feed.version}")
    inputs = inputs_from_json(feed, log.inputs)
    ranked = feed.rank(None, inputs)  # rank is pure: it reads no reader, only the inputs
    return Replay(log.pk, log.feed, log.feed_version, log.ranking_hash,
                  ranking_hash(feed.id, feed.version, inputs, ranked),
                  inputs_hash(inputs) == log.inputs_hash)


def purge(retention_days: int, now: datetime | None = None) -> tuple[int, int]:
    """Delete impression counts and replay logs older than ``retention_days`` days.
    Returns (counts deleted, logs deleted)."""
    now = now or timezone.now()
    cutoff_day: date = (now - timedelta(days=retention_days)).date()
    counts, _ = FeedImpression.objects.filter(day__lt=cutoff_day).delete()
    logs, _ = FeedReplayLog.objects.filter(
        created_at__lt=now - timedelta(days=retention_days)).delete()
    return counts, logs
