"""One poller per web process follows the stream log and hands each new row to
the connections subscribed to its stream.

So a process asks the database once every ``POLL_INTERVAL`` whatever the number
of connections. Ids can commit out of order on PostgreSQL (two writers), so the
rows of the last ``GRACE`` are read again and the ids already handed out skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import Error as DatabaseError
from django.db import connection
from django.utils import timezone

from rostra.api.streaming.channels import Channel
from rostra.streaming import streams

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.2
GRACE = timedelta(seconds=3)
MAX_KEYS_IN_QUERY = 500
QUEUE_SIZE = 1000
MAX_SEEN = 2000


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DatabaseError:
        connection.close()  # a broken connection is not reused by this thread
        raise


async def db(fn, *args, **kwargs):
    """Run synchronous ORM code in a worker thread (not the one shared thread
    Django uses for sync views: many connections would queue behind each other)."""
    return await sync_to_async(_call, thread_sensitive=False)(fn, *args, **kwargs)


class Subscriber:
    """One connection: its channels and the queue of ``(stream name, row)`` for it."""

    def __init__(self) -> None:
        # Each channel with the last log id before it was subscribed: it gets
        # only what came after.
        self.channels: dict[Channel, int] = {}
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.overflowed = False

    def offer(self, row) -> None:
        for channel, since in self.channels.items():
            if row.id > since and channel.key == row.stream and channel.carries(row.event):
                try:
                    self.queue.put_nowait((channel.name, row))
                except asyncio.QueueFull:
                    self.overflowed = True


class Hub:
    def __init__(self) -> None:
        self.by_key: dict[str, set[Subscriber]] = defaultdict(set)
        self.subscribers: set[Subscriber] = set()
        self.task: asyncio.Task | None = None
        self.floor: int | None = None
        self.seen: dict[int, object] = {}

    async def add(self, sub: Subscriber, channel: Channel) -> None:
        now = await db(streams.latest_id)
        if self.floor is None:
            self.floor = now
        sub.channels[channel] = now
        self.subscribers.add(sub)
        self.by_key[channel.key].add(sub)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    def remove(self, sub: Subscriber, channel: Channel | None = None) -> None:
        channels = [channel] if channel else list(sub.channels)
        for ch in channels:
            sub.channels.pop(ch, None)
            if not any(c.key == ch.key for c in sub.channels):
                self.by_key[ch.key].discard(sub)
                if not self.by_key[ch.key]:
                    del self.by_key[ch.key]
        if not sub.channels:
            self.subscribers.discard(sub)

    async def run(self) -> None:
        while self.subscribers:
            try:
                await self.poll_once()
            except Exception:
                log.exception("Reading the stream log failed; retrying")
                await asyncio.sleep(1)
            await asyncio.sleep(POLL_INTERVAL)
        self.floor = None  # the next connection starts from its own present
        self.seen.clear()

    async def poll_once(self) -> None:
        keys = list(self.by_key)
        if not keys:
            return
        rows = await db(streams.events_after, self.floor,
                        keys if len(keys) <= MAX_KEYS_IN_QUERY else None,
                        exclude=list(self.seen))
        for row in rows:
            if row.id in self.seen:
                continue
            self.seen[row.id] = row.created_at
            for sub in list(self.by_key.get(row.stream, ())):
                sub.offer(row)
        cutoff = timezone.now() - GRACE
        settled = [i for i, at in self.seen.items() if at < cutoff]
        if len(self.seen) > MAX_SEEN:  # a flood: move on rather than list them all
            settled = list(self.seen)
        if settled:
            self.floor = max(self.floor, max(settled))
            self.seen = {i: at for i, at in self.seen.items() if i > self.floor}


_hubs: dict[int, Hub] = {}


def hub() -> Hub:
    """The hub of the running event loop (one per process in practice)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(id(loop))
    if found is None:
        found = _hubs[id(loop)] = Hub()
    return found
