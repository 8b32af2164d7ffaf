"""One streaming connection, whatever its transport: its viewer, its channels,
and the next events to send (rendered for the viewer)."""

from __future__ import annotations

import asyncio

from rostra.api.streaming.channels import Channel, Viewer
from rostra.api.streaming.hub import Subscriber, db, hub
from rostra.api.streaming.render import render_many

BATCH = 100


class Session:
    def __init__(self, viewer: Viewer):
        self.viewer = viewer
        self.subscriber = Subscriber()
        self.hub = hub()

    async def subscribe(self, channel: Channel) -> None:
        await self.hub.add(self.subscriber, channel)

    def unsubscribe(self, channel: Channel) -> None:
        self.hub.remove(self.subscriber, channel)

    def close(self) -> None:
        self.hub.remove(self.subscriber)

    async def next_events(self, timeout: float) -> list[tuple[tuple[str, ...], str, str]]:
        """The next events (possibly none after ``timeout`` seconds)."""
        queue = self.subscriber.queue
        try:
            first = await asyncio.wait_for(queue.get(), timeout)
        except TimeoutError:
            return []
        rows = [first]
        while len(rows) < BATCH and not queue.empty():
            rows.append(queue.get_nowait())
        return await db(render_many, rows, self.viewer.account)
