"""Outbound delivery: one activity to many inboxes, at least once.

``deliver(activity, signer, inboxes)`` stores the activity once (``OutgoingActivity``)
and one small ``Delivery`` row per inbox (the pair activity + inbox is unique, so
asking twice sends once) and, after the transaction
commits, enqueues ``deliver_batch`` tasks of up to ``BATCH_SIZE`` rows. A task claims
its rows (a lease on ``next_attempt_at``, so two workers never send the same row at
the same time), signs each request (draft-cavage, as the signer's key) and POSTs it
through ``core.net``:

* 2xx: delivered;
* 4xx other than 408/429: refused for good (failed);
* anything else (5xx, 408, 429, timeouts, connection errors): retried after
  ``backoff(attempts)`` (30 s doubling, capped at 6 h) until ``GIVE_UP_AFTER``
  (3 days) have passed since the activity was made; then failed.

Each answer updates the inbox's ``RemoteInstance``: consecutive failures count up,
after ``UNREACHABLE_AFTER`` of them the server is marked unreachable and its retries
(and new deliveries) wait at least ``UNREACHABLE_RETRY``; one success resets it.

A batch does not wait for a server that holds its connection open: after
``HANDOFF_AFTER`` seconds with no answer it ends, and the requests still out are
recorded by their sending threads when they end (their rows keep the lease
meanwhile, so no one sends them twice).

A worker killed mid-batch leaves rows pending. A worker restarted on the same host
reclaims its ``deliver_batch`` task (``core.worker.reclaim_orphans``) and
``release_leases`` makes the rows due again, so the batch is sent at once; otherwise
their lease runs out after ``LEASE`` and ``sweep`` (run at worker start, then every
``SWEEP_EVERY``) re-enqueues them. Nothing is lost; the guarantee is at least once:
a request whose answer was not yet recorded at the kill (those in flight, and at most
``FLUSH_EVERY`` answered in the last ``FLUSH_SECONDS``) is sent again,
and the receiver drops the repeat by activity id (Rostra's inbox does:
``federation.inbox``), as ActivityPub servers do.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from itertools import pairwise
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from rostra.accounts.models import Account, Follow
from rostra.core import net
from rostra.core.sql import InIds
from rostra.federation import policy
from rostra.federation.keys import signer_for
from rostra.federation.models import (
    Delivery,
    DomainBlock,
    FederationSettings,
    OutgoingActivity,
    RemoteInstance,
)

logger = logging.getLogger("rostra.federation.delivery")

BATCH_SIZE = 250
INLINE_LIMIT = 50  # more inboxes than this: stored by the fan_out task, not inline
FAN_OUT_CHUNK = 1000
SEND_THREADS = 16  # concurrent POSTs per worker process (network-bound)
HANDOFF_AFTER = 2.0  # seconds with no answer: a batch leaves the rest to the sending threads
FLUSH_EVERY = 50  # answers written together (a killed worker resends at most these)
FLUSH_SECONDS = 1.0
TIMEOUT = 15.0
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)
UNREACHABLE_AFTER = 10  # consecutive failures
UNREACHABLE_RETRY = timedelta(hours=1)
SUCCESS_PRECISION = timedelta(minutes=1)  # RemoteInstance.last_success_at is this fresh
LEASE = timedelta(minutes=5)
SWEEP_EVERY = timedelta(minutes=10)
SWEEP_GRACE = timedelta(minutes=2)  # overdue this long, a pending delivery has no task
PERMANENT_EXCEPT = {408, 429}


# --- recipients ------------------------------------------------------------------

def inbox_of(account: Account) -> str:
    """Where to send to ``account``: its server's shared inbox when known."""
    return account.shared_inbox_url or account.inbox_url


@functools.lru_cache(maxsize=65536)
def domain_of(url: str) -> str:
    """The authority of ``url`` (host, and port when there is one), lower-cased."""
    return urlsplit(url).netloc.lower()


def allowed_inboxes(inboxes: Iterable[str]) -> list[str]:
    """``inboxes`` without duplicates and without those on servers we do not
    federate with (suspended, or not allowed in allow-list mode: ``policy``)."""
    unique = [i for i in dict.fromkeys(i for i in inboxes if i) if domain_of(i)]
    if not (FederationSettings.current().allowlist_mode or DomainBlock.objects.filter(
            severity=DomainBlock.Severity.SUSPEND).exists()):
        return unique  # nothing is refused: skip the per-server checks
    refused: dict[str, bool] = {}
    result = []
    for inbox in unique:
        host = domain_of(inbox)
        if host not in refused:
            refused[host] = policy.is_refused(host)
        if not refused[host]:
            result.append(inbox)
    return result


def follower_inboxes(account: Account) -> list[str]:
    """Inboxes of ``account``'s remote followers (shared ones deduplicated)."""
    rows = (Follow.objects.filter(target_account=account, account__suspended_at__isnull=True)
            .exclude(account__domain="")
            .values_list("account__shared_inbox_url", "account__inbox_url"))
    return list(dict.fromkeys(shared or own for shared, own in rows if shared or own))


def account_inboxes(accounts: Iterable[Account | None]) -> list[str]:
    """Inboxes of the remote accounts among ``accounts``."""
    return [inbox_of(a) for a in accounts
            if a is not None and not a.local and not a.suspended_at and inbox_of(a)]


# --- queueing --------------------------------------------------------------------

def deliver(activity: dict, signer: Account | None, inboxes: Iterable[str]) -> int:
    """Queue ``activity`` (a dict with an ``id``) for ``inboxes``, signed by ``signer``
    (a local account, or None for the instance actor).

    Up to ``INLINE_LIMIT`` inboxes the rows are stored at once and the number of new
    deliveries is returned; a larger audience (a post to 10,000 followers) is handed
    to the ``fan_out`` task, so the action that caused it returns at once (returns 0).
    Already queued pairs are never queued again."""
    targets = list(dict.fromkeys(i for i in inboxes if i))
    if len(targets) > INLINE_LIMIT:
        signer_id = signer.pk if signer is not None else None
        transaction.on_commit(lambda: fan_out.enqueue(activity, signer_id, targets))
        return 0
    return store(activity, signer, targets)


@task()
def fan_out(activity: dict, signer_id: int | None, inboxes: list[str]) -> int:
    """Store and enqueue the deliveries of one activity to a large audience, in
    chunks, so the first batches are sent while the rest are being stored."""
    signer = Account.objects.filter(pk=signer_id).first() if signer_id else None
    if signer_id and signer is None:
        return 0  # the account is gone
    # The first chunk is one batch, so sending starts while the rest are stored.
    bounds = [0, min(BATCH_SIZE, len(inboxes)),
              *range(BATCH_SIZE + FAN_OUT_CHUNK, len(inboxes), FAN_OUT_CHUNK), len(inboxes)]
    return sum(store(activity, signer, inboxes[a:b]) for a, b in pairwise(bounds) if a < b)


def store(activity: dict, signer: Account | None, inboxes: list[str]) -> int:
    """Store the deliveries of ``activity`` to ``inboxes`` and enqueue their batches
    after commit; return how many are new."""
    targets = allowed_inboxes(inboxes)
    if not targets:
        return 0
    record = outgoing(activity, signer)
    queued = set(Delivery.objects.filter(activity=record, inbox_url__in=targets)
                 .values_list("inbox_url", flat=True))
    targets = [t for t in targets if t not in queued]
    if not targets:
        return 0
    instances = _instances({domain_of(i) for i in targets})
    with transaction.atomic():
        _insert_pending(record.pk, targets, instances)
        ids = list(Delivery.objects.filter(activity=record, inbox_url__in=targets,
                                           status=Delivery.Status.PENDING)
                   .values_list("pk", flat=True))
        transaction.on_commit(lambda: enqueue(ids))
    return len(ids)


def _insert_pending(activity_pk: int, inboxes: list[str],
                    instances: dict[str, RemoteInstance]) -> None:
    """INSERT the pending rows with one ``executemany`` (pairs already there are left
    alone): ``bulk_create`` spent more CPU building 10,000 model instances and their
    SQL than the rows take to send."""
    fields = ["activity", "inbox_url", "instance", "status", "attempts", "next_attempt_at",
              "last_error", "created_at"]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Delivery._meta.get_field(f).column) for f in fields)
    sql = (f"INSERT INTO {quote(Delivery._meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING")
    moment = timezone.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    # A server marked unreachable gets its new deliveries with its retries, not at
    # once: each would hold a sending thread until it timed out.
    later = connection.ops.adapt_datetimefield_value(moment + UNREACHABLE_RETRY)
    pending = Delivery.Status.PENDING.value
    rows = []
    for inbox in inboxes:
        instance = instances.get(domain_of(inbox))
        due = later if instance and instance.unreachable_since else now
        rows.append((activity_pk, inbox, instance.pk if instance else None, pending, 0, due,
                     "", now))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def outgoing(activity: dict, signer: Account | None) -> OutgoingActivity:
    """The stored ``OutgoingActivity`` for ``activity`` (made on first use)."""
    record, _ = OutgoingActivity.objects.get_or_create(uri=activity["id"], defaults={
        "type": str(activity.get("type", ""))[:32], "signer": signer,
        "payload": json.dumps(activity, ensure_ascii=False, separators=(",", ":"))})
    return record


def _instances(domains: set[str]) -> dict[str, RemoteInstance]:
    known = {i.domain: i for i in RemoteInstance.objects.filter(domain__in=domains)}
    missing = [RemoteInstance(domain=d) for d in domains if d not in known]
    if missing:
        RemoteInstance.objects.bulk_create(missing, ignore_conflicts=True)
        known = {i.domain: i for i in RemoteInstance.objects.filter(domain__in=domains)}
    return known


def enqueue(ids: list[int], *, run_after: datetime | None = None) -> None:
    """Enqueue ``deliver_batch`` tasks for ``ids`` in batches of ``BATCH_SIZE``."""
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start:start + BATCH_SIZE]
        if run_after is None:
            deliver_batch.enqueue(chunk)
        else:
            deliver_batch.using(run_after=run_after).enqueue(chunk)


# --- sending ---------------------------------------------------------------------

def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts`` (1 = after the first failure)."""
    seconds = FIRST_RETRY.total_seconds() * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, MAX_RETRY.total_seconds()))


def claim(ids: Iterable[int]) -> list[Delivery]:
    """Take the pending, due rows among ``ids`` for ``LEASE``; return those we hold.

    The lease is a unique ``next_attempt_at`` in the future: the rows carrying it after
    the update are ours, whichever other worker raced us."""
    now = timezone.now()
    lease = now + LEASE + timedelta(microseconds=random.randrange(1, 10**6),
                                    seconds=random.randrange(0, 60))
    ids = list(ids)
    Delivery.objects.filter(InIds("pk", ids), status=Delivery.Status.PENDING,
                            next_attempt_at__lte=now).update(next_attempt_at=lease)
    return list(Delivery.objects.filter(InIds("pk", ids), status=Delivery.Status.PENDING,
                                        next_attempt_at=lease)
                .only("pk", "activity_id", "inbox_url", "instance_id", "attempts",
                      "created_at"))


def _send(inbox_url: str, body: bytes, signer) -> tuple[int | None, str]:
    """POST one delivery; (status code or None, error text). No database access."""
    try:
        response = net.post(inbox_url, body, sign_with=signer, timeout=TIMEOUT,
                            max_bytes=64 * 1024)
    except net.NetError as exc:
        return None, str(exc)[:500]
    except Exception as exc:  # noqa: BLE001 - one bad inbox must not stop a batch
        return None, f"{exc.__class__.__name__}: {exc}"[:500]
    error = "" if response.ok else response.text[:500]
    return response.status, error


def is_permanent(status: int | None) -> bool:
    return status is not None and 400 <= status < 500 and status not in PERMANENT_EXCEPT


def run_batch(ids: Iterable[int], *, threads: int = SEND_THREADS,
              handoff: float = HANDOFF_AFTER) -> dict[str, int]:
    """Send the due pending deliveries among ``ids``; return counts by outcome
    (``handed_off``: requests still out when the batch ended; see below)."""
    rows = claim(ids)
    if not rows:
        return {}
    activities = {a.pk: a for a in OutgoingActivity.objects
                  .filter(InIds("pk", {r.activity_id for r in rows}))
                  .select_related("signer")}
    bodies = {pk: a.payload.encode() for pk, a in activities.items()}
    signers: dict[int | None, object] = {}
    for activity in activities.values():
        if activity.signer_id not in signers:
            signers[activity.signer_id] = signer_for(activity.signer)
    sign_with = {pk: signers[a.signer_id] for pk, a in activities.items()}
    pool = _senders(threads)
    futures = {pool.submit(_send, r.inbox_url, bodies[r.activity_id], sign_with[r.activity_id]): r
               for r in rows}
    # Answers are recorded as they come (every ``FLUSH_EVERY`` or ``FLUSH_SECONDS``), not
    # once at the end: a worker killed mid-batch then resends only the few whose answer
    # it had not yet written, not every request the batch had already made.
    # A server that holds its connection open must not hold back the next batches
    # (the worker runs one task at a time): once no answer has come for
    # ``HANDOFF_AFTER`` seconds, the batch ends and each request still out is recorded
    # by its sending thread when it ends (``_record_late``).
    counts: Counter = Counter()
    done: list[Delivery] = []
    results: list[tuple[int | None, str]] = []
    flushed = time.monotonic()
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, timeout=handoff, return_when=FIRST_COMPLETED)
        if not finished:
            break
        for future in finished:
            done.append(futures[future])
            results.append(future.result())  # _send returns every error as a result
        if len(done) >= FLUSH_EVERY or time.monotonic() - flushed >= FLUSH_SECONDS:
            counts.update(_record(done, results))
            done, results, flushed = [], [], time.monotonic()
    if done:
        counts.update(_record(done, results))
    for future in pending:
        future.add_done_callback(functools.partial(_record_late, futures[future]))
    if pending:
        counts["handed_off"] = len(pending)
    return dict(counts)


def _record_late(row: Delivery, future: Future) -> None:
    """Record the answer of a request its batch stopped waiting for."""
    try:
        _record([row], [future.result()])
    except Exception:  # a sending thread must survive; the lease brings the row back
        logger.exception("Could not record the delivery %s", row.pk)
    finally:
        if threading.current_thread().name.startswith(SENDER_PREFIX):
            connection.close()  # the sending thread's own connection, not a task's


_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
SENDER_PREFIX = "rostra-delivery"


def _senders(threads: int) -> ThreadPoolExecutor:
    """This process's sending threads (kept between batches; a fork makes new ones)."""
    key = (os.getpid(), threads)
    pool = _pools.get(key)
    if pool is None:
        pool = _pools[key] = ThreadPoolExecutor(max_workers=max(1, threads),
                                                thread_name_prefix=SENDER_PREFIX)
    return pool


def _record(rows: list[Delivery], results: list[tuple[int | None, str]]) -> dict[str, int]:
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    health: dict[int, list[bool]] = defaultdict(list)
    retries: dict[datetime, list[int]] = defaultdict(list)
    for row, (status, _error) in zip(rows, results, strict=True):
        if row.instance_id:
            health[row.instance_id].append(status is not None and 200 <= status < 300)
    _update_health(health, now)
    unreachable = set(RemoteInstance.objects.filter(
        InIds("pk", health), unreachable_since__isnull=False).values_list("pk", flat=True))
    for row, (status, error) in zip(rows, results, strict=True):
        row.attempts += 1
        row.last_status_code = status
        row.last_error = error
        ok = status is not None and 200 <= status < 300
        if ok:
            row.status, row.delivered_at = Delivery.Status.DELIVERED, now
            counts["delivered"] += 1
        elif is_permanent(status) or now - row.created_at >= GIVE_UP_AFTER:
            row.status = Delivery.Status.FAILED
            counts["failed"] += 1
        else:
            wait = backoff(row.attempts)
            if row.instance_id in unreachable:
                wait = max(wait, UNREACHABLE_RETRY)
            row.next_attempt_at = now + wait
            retries[row.next_attempt_at].append(row.pk)
            counts["retry"] += 1
    _save_outcomes(rows)
    for when, ids in retries.items():
        transaction.on_commit(lambda ids=ids, when=when: enqueue(ids, run_after=when))
    return dict(counts)


def _save_outcomes(rows: list[Delivery]) -> None:
    """Write the rows' outcomes with one UPDATE per distinct outcome (usually one or
    two per batch; ``bulk_update`` builds a CASE per row and costs more than sending)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in rows:
        key = (row.status, row.attempts, row.last_status_code, row.last_error,
               row.next_attempt_at if row.status == Delivery.Status.PENDING else None,
               row.delivered_at)
        groups[key].append(row.pk)
    for (status, attempts, code, error, next_at, delivered_at), ids in groups.items():
        fields = {"status": status, "attempts": attempts, "last_status_code": code,
                  "last_error": error, "delivered_at": delivered_at}
        if next_at is not None:
            fields["next_attempt_at"] = next_at
        Delivery.objects.filter(InIds("pk", ids)).update(**fields)


def _update_health(health: dict[int, list[bool]], now: datetime) -> None:
    """A success resets a server's failures; failures add up until it is unreachable.
    (Any success in the batch counts as the last word: the server answers.)"""
    good = [pk for pk, outcomes in health.items() if any(outcomes)]
    if good:
        # Only rows that change: a healthy server's row is rewritten at most once a
        # ``SUCCESS_PRECISION``, not after every delivery.
        RemoteInstance.objects.filter(InIds("pk", good)).filter(
            Q(failures__gt=0) | Q(unreachable_since__isnull=False)
            | Q(last_success_at__isnull=True) | Q(last_success_at__lt=now - SUCCESS_PRECISION)
        ).update(failures=0, unreachable_since=None, last_success_at=now)
    for pk, outcomes in health.items():
        if any(outcomes):
            continue
        RemoteInstance.objects.filter(pk=pk).update(
            failures=F("failures") + len(outcomes), last_failure_at=now)
    bad = [pk for pk, outcomes in health.items() if not any(outcomes)]
    if bad:
        RemoteInstance.objects.filter(InIds("pk", bad), failures__gte=UNREACHABLE_AFTER,
                                      unreachable_since__isnull=True
                                      ).update(unreachable_since=now)


@task()
def deliver_batch(ids: list[int]) -> dict[str, int]:
    """Send the deliveries ``ids`` that are still pending and due."""
    return run_batch(ids)


# --- recovery --------------------------------------------------------------------

def due_ids(*, overdue: timedelta = timedelta(0), limit: int = 100_000) -> list[int]:
    """Pending deliveries due for at least ``overdue`` (including expired leases)."""
    return list(Delivery.objects.filter(status=Delivery.Status.PENDING,
                                        next_attempt_at__lte=timezone.now() - overdue)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def sweep(*, overdue: timedelta = SWEEP_GRACE) -> int:
    """Re-enqueue the pending deliveries overdue by ``overdue``: those whose task was
    lost (a worker killed mid-batch: their lease ran out). Fresh ones have their task
    queued already. Returns how many were enqueued."""
    ids = due_ids(overdue=overdue)
    enqueue(ids)
    return len(ids)


def release_leases(results) -> int:
    """Make due again the rows that ``deliver_batch`` tasks of a dead worker leased
    (``results``: the reclaimed task results; ``core.worker.on_reclaim``). Only a
    lease the dead task can still hold is released (started less than ``LEASE`` plus
    its jitter ago): an older one has run out, and another worker may hold the row."""
    now = timezone.now()
    ids: list[int] = []
    for result in results:
        if result.task_path != deliver_batch.module_path or result.started_at is None:
            continue
        if now - result.started_at > LEASE + timedelta(minutes=1):
            continue
        args = (result.args_kwargs or {}).get("args") or [[]]
        ids += [int(i) for i in args[0]]
    if not ids:
        return 0
    return Delivery.objects.filter(InIds("pk", ids), status=Delivery.Status.PENDING,
                                   next_attempt_at__gt=now).update(next_attempt_at=now)


def _sweep_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        Q(status="READY") | Q(status="RUNNING"), task_path=sweep_task.module_path
    ).exists()


@task()
def sweep_task() -> int:
    count = sweep()
    sweep_task.using(run_after=timezone.now() + SWEEP_EVERY).enqueue()
    return count


def start_sweeping() -> None:
    """Run at worker start: sweep now, and keep one periodic sweep in the queue."""
    try:
        if not _sweep_queued():
            sweep_task.enqueue()
        else:
            sweep()
    except Exception:  # pragma: no cover - the worker must start anyway
        logger.exception("Could not schedule the delivery sweep")
