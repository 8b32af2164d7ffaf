"""A fair queue in front of Django: at most N requests run at once in a process.

Under ASGI, Django runs every synchronous view in a thread of its own. With no bound,
200 concurrent requests make 200 threads that share one interpreter lock and, on
SQLite, one write lock, which SQLite hands out by polling rather than in order: in
the load benchmark some writers waited past the busy timeout and failed with
"database is locked" while others went through many times. Here the requests beyond
``slots`` wait in arrival order, in the event loop, where waiting costs nothing; a
request that has waited ``max_wait`` seconds is answered 503 with ``Retry-After``
(load shed early and said plainly, rather than a timeout deep inside a view).

Long-lived and probe requests pass without a slot: the streaming API holds its
connection for minutes, and liveness, readiness and metrics must answer when the
queue is full (``exempt``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from rostra.core.asgi_limits import ASGIApp

EXEMPT_PREFIXES = ("/api/v1/streaming", "/health", "/ready", "/metrics")


def exempt_path(path: str) -> bool:
    """Whether a request for ``path`` runs without waiting for a slot."""
    return path.startswith(EXEMPT_PREFIXES)


class FairSlots:
    """``slots`` places handed out first come, first served.

    A released place goes straight to the longest waiter (never back to the pool to
    be raced for), so a request cannot be overtaken by later ones."""

    def __init__(self, slots: int) -> None:
        self.free = slots
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for w in self._waiters if not w.done())

    async def acquire(self, timeout: float) -> bool:
        """Take a place, waiting at most ``timeout`` seconds; False when none came."""
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return True
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
            return True
        except TimeoutError:
            if waiter.done():  # handed a place just as the time ran out: keep it
                return True
            waiter.cancel()
            return False
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()
            else:
                waiter.cancel()
            raise

    def release(self) -> None:
        """Give the place to the first live waiter, or back to the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


async def _busy(send, retry_after: int) -> None:
    body = (b'{"error": "The server is busy. Please try again in %d seconds."}'
            % retry_after)
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/json"),
                            (b"retry-after", str(retry_after).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def queue_requests(app: ASGIApp, slots: int, max_wait: float,
                   exempt: Callable[[str], bool] = exempt_path,
                   on_wait: Callable[[float, bool], None] | None = None) -> ASGIApp:
    """``app`` running at most ``slots`` HTTP requests at once, the rest queued fairly.

    ``on_wait(seconds, shed)`` is told each queued request's wait (for the metrics)."""
    places: FairSlots | None = None

    async def queued(scope, receive, send):
        nonlocal places
        if scope["type"] != "http" or exempt(scope["path"]):
            return await app(scope, receive, send)
        if places is None:  # made on first use, inside the server's event loop
            places = FairSlots(slots)
        started = time.monotonic()
        got = await places.acquire(max_wait)
        if on_wait is not None:
            on_wait(time.monotonic() - started, not got)
        if not got:
            return await _busy(send, max(1, round(max_wait / 2)))
        try:
            return await app(scope, receive, send)
        finally:
            places.release()

    return queued
