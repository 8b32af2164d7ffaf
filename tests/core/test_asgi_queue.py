"""The request queue in front of Django: a bounded number run, the rest wait in order,
and a request that waited too long is told to come back."""

import asyncio

from rostra.core.asgi_queue import FairSlots, exempt_path, queue_requests


class _Gated:
    """An ASGI app whose requests finish only when the test opens their gate."""

    def __init__(self):
        self.running: list[str] = []
        self.started: list[str] = []
        self.most_at_once = 0
        self.gates: dict[str, asyncio.Event] = {}

    async def __call__(self, scope, receive, send):
        path = scope["path"]
        self.started.append(path)
        self.running.append(path)
        self.most_at_once = max(self.most_at_once, len(self.running))
        await self.gates.setdefault(path, asyncio.Event()).wait()
        self.running.remove(path)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": path.encode()})

    def open(self, path):
        self.gates.setdefault(path, asyncio.Event()).set()


def _request(app, path, answers):
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        answers.setdefault(path, []).append(message)

    return asyncio.ensure_future(app({"type": "http", "method": "GET", "path": path,
                                      "headers": []}, receive, send))


async def _settle():
    for _ in range(20):
        await asyncio.sleep(0)


def test_no_more_than_the_slots_run_and_the_rest_start_in_arrival_order():
    async def scenario():
        inner, answers = _Gated(), {}
        app = queue_requests(inner, slots=2, max_wait=30)
        tasks = [_request(app, f"/r{i}", answers) for i in range(6)]
        await _settle()
        assert inner.started == ["/r0", "/r1"]
        for i in range(6):
            inner.open(f"/r{i}")
            await _settle()
        await asyncio.gather(*tasks)
        return inner, answers

    inner, answers = asyncio.run(scenario())
    assert inner.most_at_once == 2
    assert inner.started == [f"/r{i}" for i in range(6)]
    assert all(answers[f"/r{i}"][0]["status"] == 200 for i in range(6))


def test_a_request_that_waits_too_long_gets_503_with_retry_after_and_never_runs():
    async def scenario():
        inner, answers, waits = _Gated(), {}, []
        app = queue_requests(inner, slots=1, max_wait=0.05,
                             on_wait=lambda seconds, shed: waits.append(shed))
        first = _request(app, "/slow", answers)
        await _settle()
        await _request(app, "/late", answers)
        inner.open("/slow")
        await first
        inner.open("/after")
        await _request(app, "/after", answers)  # the place came back
        return inner, answers, waits

    inner, answers, waits = asyncio.run(scenario())
    start = answers["/late"][0]
    assert start["status"] == 503
    assert dict(start["headers"])[b"retry-after"] == b"1"
    assert b"busy" in answers["/late"][1]["body"]
    assert "/late" not in inner.started
    assert answers["/slow"][0]["status"] == 200
    assert answers["/after"][0]["status"] == 200
    assert waits.count(True) == 1


def test_streaming_and_probes_do_not_take_or_wait_for_a_place():
    async def scenario():
        inner, answers = _Gated(), {}
        app = queue_requests(inner, slots=1, max_wait=30)
        tasks = [_request(app, p, answers) for p in
                 ("/api/v1/timelines/home", "/api/v1/streaming/user", "/health", "/ready",
                  "/metrics", "/api/v1/accounts/verify_credentials")]
        await _settle()
        started = list(inner.started)
        for p in list(inner.gates) + ["/api/v1/accounts/verify_credentials"]:
            inner.open(p)
            await _settle()
        await asyncio.gather(*tasks)
        return started

    started = asyncio.run(scenario())
    assert started == ["/api/v1/timelines/home", "/api/v1/streaming/user", "/health",
                       "/ready", "/metrics"]
    assert exempt_path("/api/v1/streaming/public/local")
    assert not exempt_path("/api/v1/statuses")


def test_a_waiter_cancelled_in_the_queue_does_not_lose_the_place():
    async def scenario():
        slots = FairSlots(1)
        assert await slots.acquire(1)
        gone = asyncio.ensure_future(slots.acquire(30))
        await _settle()
        gone.cancel()  # the client went away while waiting
        await _settle()
        slots.release()
        return slots.free, slots.waiting

    assert asyncio.run(scenario()) == (1, 0)


def test_websocket_connections_pass_untouched():
    async def scenario():
        seen = []

        async def inner(scope, receive, send):
            seen.append(scope["type"])

        app = queue_requests(inner, slots=1, max_wait=0.01)
        await app({"type": "websocket", "path": "/api/v1/streaming"}, None, None)
        await app({"type": "lifespan"}, None, None)
        return seen

    assert asyncio.run(scenario()) == ["websocket", "lifespan"]
